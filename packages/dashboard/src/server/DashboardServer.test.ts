import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildClusterView } from '../model/ClusterView';
import type { ClusterViewModel } from '../model/viewModel';
import { DashboardServer, type ViewSource } from './DashboardServer';

function view(generatedAtMs: number): ClusterViewModel {
  return buildClusterView({
    nowMs: generatedAtMs,
    zkConnect: '127.0.0.1:2181',
    zk: { value: null, lastOkMs: null, error: null },
    knownBrokers: new Map(),
    probes: new Map(),
    rates: new Map(),
    groups: { value: null, lastOkMs: null, error: null },
    series: {
      timesMs: [],
      bytesInPerSec: [],
      bytesOutPerSec: [],
      messagesInPerSec: [],
      produceP99Ms: [],
      fetchP99Ms: [],
    },
    events: [],
  });
}

class FakeSource implements ViewSource {
  current = view(1);
  readonly listeners = new Set<(v: ClusterViewModel) => void>();
  view(): ClusterViewModel {
    return this.current;
  }
  subscribe(listener: (v: ClusterViewModel) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  publish(v: ClusterViewModel): void {
    this.current = v;
    for (const l of this.listeners) l(v);
  }
}

function get(url: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('DashboardServer', () => {
  let source: FakeSource;
  let server: DashboardServer;
  let base: string;
  let scriptDir: string;

  beforeEach(async () => {
    scriptDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-scripts-'));
    fs.writeFileSync(path.join(scriptDir, 'main.js'), 'console.log("page");');
    source = new FakeSource();
    server = new DashboardServer(source, { port: 0, host: '127.0.0.1', scriptDir });
    base = (await server.listen()).replace(/\/$/, '');
  });

  afterEach(async () => {
    await server.close();
    fs.rmSync(scriptDir, { recursive: true, force: true });
  });

  test('listensOnAFreePortAndNamesItsUrl', () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(base.endsWith(':0')).toBe(false);
  });

  test('servesThePageItsStylesheetAndScript', async () => {
    const page = await get(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect(page.body).toContain('/assets/main.js');
    expect(page.body).toContain('id="brokers"');
    const css = await get(`${base}/assets/dashboard.css`);
    expect(css.status).toBe(200);
    expect(css.type).toContain('text/css');
    const js = await get(`${base}/assets/main.js`);
    expect(js).toMatchObject({ status: 200, body: 'console.log("page");' });
    expect(js.type).toContain('text/javascript');
  });

  test('aScriptNotBuiltSaysSo', async () => {
    const missing = await get(`${base}/assets/render.js`);
    expect(missing.status).toBe(404);
    expect(missing.body).toContain('not built');
  });

  test('apiViewIsTheCurrentViewAsJson', async () => {
    source.current = view(42);
    const res = await get(`${base}/api/view`);
    expect(res.status).toBe(200);
    expect(res.type).toContain('application/json');
    expect(JSON.parse(res.body)).toEqual(JSON.parse(JSON.stringify(view(42))));
  });

  test.each([
    ['/nope'],
    ['/assets/../package.json'],
    ['/assets/%2e%2e%2fpackage.json'],
    ['/assets/sub/main.js'],
  ])('unknownOrEscapingPath %s is 404', async (p) => {
    expect((await get(`${base}${p}`)).status).toBe(404);
  });

  test('writesAreRefused', async () => {
    expect((await get(`${base}/api/view`, 'POST')).status).toBe(405);
  });

  test('streamSendsTheCurrentViewThenEveryNewOne', async () => {
    const received: ClusterViewModel[] = [];
    const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get(`${base}/api/stream`, resolve).on('error', reject),
    );
    expect(res.headers['content-type']).toContain('text/event-stream');
    let buffer = '';
    const gotTwo = new Promise<void>((resolve) =>
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.substring(0, end);
          buffer = buffer.substring(end + 2);
          const data = message.split('\n').find((l) => l.startsWith('data: '));
          if (data !== undefined) received.push(JSON.parse(data.substring(6)) as ClusterViewModel);
          if (received.length === 1) source.publish(view(7));
          if (received.length === 2) resolve();
        }
      }),
    );
    await gotTwo;
    res.destroy();
    expect(received.map((v) => v.generatedAtMs)).toEqual([1, 7]);
  });

  test('closeEndsOpenStreamsAndUnsubscribes', async () => {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get(`${base}/api/stream`, resolve).on('error', reject),
    );
    const ended = new Promise<void>((resolve) => res.on('close', () => resolve()));
    res.resume();
    expect(source.listeners.size).toBe(1);
    await server.close();
    await ended;
    expect(source.listeners.size).toBe(0);
    // afterEach closes again: closing twice must be harmless.
  });
});
