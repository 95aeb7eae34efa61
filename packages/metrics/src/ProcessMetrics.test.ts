import { MetricName } from './MetricName';
import { MetricsRegistry } from './MetricsRegistry';
import { ProcessMetrics } from './ProcessMetrics';
import { readAttributes } from './attributes';

describe('ProcessMetrics', () => {
  test('gauges read the process; lag and GC are recorded once started', async () => {
    const registry = new MetricsRegistry({ autoTick: false });
    const pm = new ProcessMetrics(registry, { lagSampleIntervalMs: 10 });
    pm.start();
    const read = (name: string, attr = 'Value') => readAttributes(registry.get(MetricName.of('kafka.server', 'Process', name))!, [attr])[attr];
    expect(read('ResidentMemoryBytes')).toBeGreaterThan(1024 * 1024);
    expect(read('HeapUsedBytes')).toBeGreaterThan(0);
    expect(read('CpuTimeMs')).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(read('EventLoopLagMs', 'Count')).toBeGreaterThan(0);
    const families = pm.prometheusFamilies().map((f) => f.name);
    expect(families).toEqual(expect.arrayContaining(['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds']));
    expect(pm.eventLoopIdleFraction).toBeGreaterThanOrEqual(0);
    expect(pm.eventLoopIdleFraction).toBeLessThanOrEqual(1);
    pm.close();
  });
});
