import { EventJournal } from '../EventJournal';
import { MetricsRegistry } from '../MetricsRegistry';
import { ProcessMetrics } from '../ProcessMetrics';
import { MetricsHttpServer } from './MetricsHttpServer';

describe('MetricsHttpServer', () => {
  let server: MetricsHttpServer;
  let base: string;
  let registry: MetricsRegistry;
  let journal: EventJournal;
  let processMetrics: ProcessMetrics;

  beforeAll(async () => {
    registry = new MetricsRegistry({ autoTick: false });
    registry.group('kafka.server', 'BrokerTopicMetrics').meter('MessagesInPerSec', 'messages').mark(42);
    journal = new EventJournal(7);
    journal.record({ type: 'ControllerElected', controllerEpoch: 1, detail: 'elected' });
    processMetrics = new ProcessMetrics(registry);
    server = new MetricsHttpServer({
      registry,
      host: '127.0.0.1',
      port: 0,
      version: '9.9.9',
      journal,
      status: () => ({ brokerId: 7, version: '9.9.9' }),
      extraPrometheusFamilies: () => processMetrics.prometheusFamilies(),
    });
    const port = await server.start();
    expect(port).toBeGreaterThan(0);
    expect(server.boundPort).toBe(port);
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    processMetrics.close();
    await server.close();
  });

  test('GET /jolokia/read answers Jolokia JSON, with HTTP 200 even for a JSON 404', async () => {
    const r = await fetch(`${base}/jolokia/read/kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec/Count`);
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    expect(await r.json()).toMatchObject({ value: 42, status: 200 });
    const missing = await fetch(`${base}/jolokia/read/kafka.server:type=Missing,name=X`);
    expect(missing.status).toBe(200);
    expect(await missing.json()).toMatchObject({ status: 404, error_type: 'javax.management.InstanceNotFoundException' });
    expect(await (await fetch(`${base}/jolokia`)).json()).toMatchObject({ value: { agent: '9.9.9', protocol: '7.2' } });
    expect(await (await fetch(`${base}/jolokia/version`)).json()).toMatchObject({ value: { agent: '9.9.9' } });
  });

  test('POST /jolokia: bulk in order; bad JSON is a JSON 400', async () => {
    const r = await fetch(`${base}/jolokia`, {
      method: 'POST',
      body: JSON.stringify([{ type: 'version' }, { type: 'search', mbean: 'kafka.server:*' }]),
    });
    const body = (await r.json()) as { status: number; value: unknown }[];
    expect(body.map((b) => b.status)).toEqual([200, 200]);
    expect(body[1].value).toContain('kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec');
    const bad = await fetch(`${base}/jolokia/`, { method: 'POST', body: '[' });
    expect(await bad.json()).toMatchObject({ status: 400, error_type: 'java.lang.IllegalArgumentException' });
  });

  test('GET /metrics: Prometheus text with the JMX exporter names and process series', async () => {
    const r = await fetch(`${base}/metrics`);
    expect(r.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await r.text();
    expect(text).toContain('\nkafka_server_brokertopicmetrics_messagesin_total 42\n');
    expect(text).toMatch(/\nkafka_server_process_residentmemorybytes \d+\n/);
    expect(text).toMatch(/\nprocess_resident_memory_bytes \d+\n/);
    expect(text).toMatch(/\nprocess_cpu_seconds_total [\d.]+\n/);
  });

  test('GET /samsa/status and /samsa/events', async () => {
    expect(await (await fetch(`${base}/samsa/status`)).json()).toEqual({ brokerId: 7, version: '9.9.9' });
    const events = await (await fetch(`${base}/samsa/events?since=0&limit=10`)).json();
    expect(events).toMatchObject({ brokerId: 7, nextSeq: 2, events: [{ seq: 1, type: 'ControllerElected', brokerId: 7 }] });
    expect(await (await fetch(`${base}/samsa/events?since=2`)).json()).toEqual({ brokerId: 7, nextSeq: 2, events: [] });
    expect((await fetch(`${base}/samsa/events?since=abc`)).status).toBe(400);
  });

  test('unknown paths are HTTP 404, other methods 405', async () => {
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${base}/jolokia/read/x`, { method: 'PUT' })).status).toBe(405);
  });
});
