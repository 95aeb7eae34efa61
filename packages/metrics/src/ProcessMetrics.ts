import { readdirSync } from 'node:fs';
import { performance, PerformanceObserver, type EventLoopUtilization } from 'node:perf_hooks';
import type { Histogram } from './Histogram';
import type { MetricsGroup, MetricsRegistry } from './MetricsRegistry';
import type { PrometheusFamily } from './prometheus/PrometheusExporter';
import type { Timer } from './Timer';

export interface ProcessMetricsOptions {
  /** How often the event-loop lag is sampled (default 200 ms). */
  readonly lagSampleIntervalMs?: number;
}

/**
 * The Node process, under `kafka.server:type=Process` (Samsa's names; a JVM broker has
 * java.lang:type=Memory etc. instead):
 *   ResidentMemoryBytes, HeapUsedBytes, HeapTotalBytes, ExternalMemoryBytes  gauges
 *   CpuTimeMs           gauge: user + system CPU time since start
 *   StartTimeMs, UptimeMs gauges
 *   EventLoopUtilization gauge: share of the last 5 s the event loop was busy (0–1)
 *   EventLoopLagMs      histogram: how late a timer due every 200 ms fires
 *   GcTimeMs            timer: one update per garbage collection, its pause in ms
 *   GcTimeTotalMs       gauge: sum of the pauses
 * and, for Prometheus, the standard process_* series (process_cpu_seconds_total,
 * process_resident_memory_bytes, process_start_time_seconds, process_open_fds).
 */
export class ProcessMetrics {
  readonly startTimeMs = Date.now() - Math.round(process.uptime() * 1000);
  private readonly group: MetricsGroup;
  private readonly lag: Histogram;
  private readonly gc: Timer;
  private gcTotalMs = 0;
  private utilization = 0;
  private lastElu: EventLoopUtilization = performance.eventLoopUtilization();
  private lagTimer: NodeJS.Timeout | null = null;
  private gcObserver: PerformanceObserver | null = null;
  private stopTick: (() => void) | null = null;

  constructor(
    registry: MetricsRegistry,
    private readonly options: ProcessMetricsOptions = {},
  ) {
    this.group = registry.group('kafka.server', 'Process');
    const g = this.group;
    g.gauge('ResidentMemoryBytes', () => process.memoryUsage.rss());
    g.gauge('HeapUsedBytes', () => process.memoryUsage().heapUsed);
    g.gauge('HeapTotalBytes', () => process.memoryUsage().heapTotal);
    g.gauge('ExternalMemoryBytes', () => process.memoryUsage().external);
    g.gauge('CpuTimeMs', () => cpuTimeMs());
    g.gauge('StartTimeMs', () => this.startTimeMs);
    g.gauge('UptimeMs', () => Date.now() - this.startTimeMs);
    g.gauge('EventLoopUtilization', () => this.utilization);
    g.gauge('GcTimeTotalMs', () => this.gcTotalMs);
    this.lag = g.histogram('EventLoopLagMs');
    this.gc = g.timer('GcTimeMs');
    this.stopTick = registry.onTick(() => this.sampleUtilization());
  }

  /** Starts the lag sampler and the GC observer (both let the process exit). */
  start(): void {
    if (this.lagTimer !== null) return;
    const interval = this.options.lagSampleIntervalMs ?? 200;
    let last = performance.now();
    this.lagTimer = setInterval(() => {
      const now = performance.now();
      this.lag.update(Math.max(0, Math.round(now - last - interval)));
      last = now;
    }, interval);
    this.lagTimer.unref();
    this.gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        this.gc.update(entry.duration);
        this.gcTotalMs += entry.duration;
      }
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  /** Share of the last tick interval the event loop was idle (Kafka's NetworkProcessorAvgIdlePercent, 0–1). */
  get eventLoopIdleFraction(): number {
    return 1 - this.utilization;
  }

  /** The Prometheus client's standard process series. */
  prometheusFamilies(): PrometheusFamily[] {
    const families: PrometheusFamily[] = [
      { name: 'process_cpu_seconds_total', type: 'counter', help: 'Total user and system CPU time spent in seconds.', samples: [{ value: cpuTimeMs() / 1000 }] },
      { name: 'process_resident_memory_bytes', type: 'gauge', help: 'Resident memory size in bytes.', samples: [{ value: process.memoryUsage.rss() }] },
      { name: 'process_start_time_seconds', type: 'gauge', help: 'Start time of the process since unix epoch in seconds.', samples: [{ value: this.startTimeMs / 1000 }] },
    ];
    const fds = openFds();
    if (fds !== null) families.push({ name: 'process_open_fds', type: 'gauge', help: 'Number of open file descriptors.', samples: [{ value: fds }] });
    return families;
  }

  close(): void {
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.lagTimer = null;
    this.gcObserver?.disconnect();
    this.gcObserver = null;
    this.stopTick?.();
    this.stopTick = null;
  }

  private sampleUtilization(): void {
    const now = performance.eventLoopUtilization();
    this.utilization = performance.eventLoopUtilization(now, this.lastElu).utilization;
    this.lastElu = now;
  }
}

function cpuTimeMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function openFds(): number | null {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return null;
  }
}
