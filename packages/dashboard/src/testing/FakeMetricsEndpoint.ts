import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RawBrokerEvent } from '../model/EventLog';
import type { BrokerStatus } from '../model/snapshots';

/**
 * A broker's metrics endpoint as the metrics contract describes it, on 127.0.0.1:0, for the
 * collectors' tests: Jolokia version/read/search and bulk POST over a table of mbeans,
 * /samsa/status and /samsa/events. `mode` makes it misbehave.
 */
export type FakeMode = 'ok' | 'http-500' | 'not-json' | 'hang';

export class FakeMetricsEndpoint {
  readonly mbeans = new Map<string, Record<string, number | string>>();
  readonly events: RawBrokerEvent[] = [];
  /** The last `since` and `limit` asked of /samsa/events. */
  readonly eventRequests: Array<{ since: number; limit: number }> = [];
  status: BrokerStatus;
  mode: FakeMode = 'ok';
  private readonly server: http.Server;
  private readonly hung = new Set<http.ServerResponse>();

  private constructor(brokerId: number) {
    const now = Date.now();
    this.status = {
      brokerId,
      version: '0.1.0',
      startTimeMs: now - 5000,
      uptimeMs: 5000,
      isController: false,
      controllerEpoch: 1,
      rssBytes: 80_000_000,
      heapUsedBytes: 20_000_000,
      listeners: ['PLAINTEXT://127.0.0.1:9092'],
      zkSessionState: 'CONNECTED',
    };
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  static async start(brokerId: number): Promise<FakeMetricsEndpoint> {
    const fake = new FakeMetricsEndpoint(brokerId);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', () => resolve()));
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  addEvent(event: Pick<RawBrokerEvent, 'timeMs' | 'type'> & Partial<RawBrokerEvent>): void {
    this.events.push({ seq: this.events.length, brokerId: this.status.brokerId, ...event });
  }

  async close(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.mode === 'hang') {
      this.hung.add(res);
      return;
    }
    if (this.mode === 'http-500') {
      res.writeHead(500).end('boom');
      return;
    }
    if (this.mode === 'not-json') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy error</html>');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://fake');
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (url.pathname === '/samsa/status') return json(res, this.status);
      if (url.pathname === '/samsa/events') {
        const since = Number(url.searchParams.get('since') ?? 0);
        const limit = Number(url.searchParams.get('limit') ?? 1000);
        this.eventRequests.push({ since, limit });
        const events = this.events.filter((e) => e.seq >= since).slice(0, limit);
        const nextSeq =
          events.length > 0 ? events[events.length - 1].seq + 1 : Math.max(since, this.events.length);
        return json(res, { brokerId: this.status.brokerId, nextSeq, events });
      }
      if (url.pathname === '/jolokia' && req.method === 'POST') {
        const requests = JSON.parse(body) as JolokiaRequest | JolokiaRequest[];
        return json(
          res,
          Array.isArray(requests) ? requests.map((r) => this.jolokia(r)) : this.jolokia(requests),
        );
      }
      if (url.pathname.startsWith('/jolokia/read/')) {
        const [mbean, attribute] = decodeURIComponent(url.pathname.substring('/jolokia/read/'.length)).split(
          '/',
        );
        return json(res, this.jolokia({ type: 'read', mbean, attribute }));
      }
      res.writeHead(404).end();
    });
  }

  private jolokia(request: JolokiaRequest): unknown {
    const echo = { type: request.type, mbean: request.mbean, attribute: request.attribute };
    const timestamp = Math.floor(Date.now() / 1000);
    if (request.type !== 'read' || request.mbean === undefined)
      return {
        request: echo,
        error_type: 'java.lang.IllegalArgumentException',
        error: 'unsupported',
        status: 400,
      };
    const attrs = request.attribute === undefined ? null : String(request.attribute).split(',');
    const pick = (values: Record<string, number | string>): unknown => {
      if (attrs === null) return values;
      if (attrs.length === 1) return values[attrs[0]];
      return Object.fromEntries(attrs.map((a) => [a, values[a]]));
    };
    if (isPattern(request.mbean)) {
      const matches = [...this.mbeans].filter(([name]) => matchesPattern(request.mbean!, name));
      if (matches.length === 0) return notFound(echo, request.mbean);
      const value = Object.fromEntries(
        matches.map(([name, v]) => [
          name,
          attrs === null ? v : Object.fromEntries(attrs.map((a) => [a, v[a]])),
        ]),
      );
      return { request: echo, value, timestamp, status: 200 };
    }
    const values = this.mbeans.get(request.mbean);
    if (values === undefined) return notFound(echo, request.mbean);
    return { request: echo, value: pick(values), timestamp, status: 200 };
  }
}

interface JolokiaRequest {
  type: string;
  mbean?: string;
  attribute?: string | string[];
}

function json(res: http.ServerResponse, value: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

function notFound(echo: unknown, mbean: string): unknown {
  return {
    request: echo,
    error_type: 'javax.management.InstanceNotFoundException',
    error: `javax.management.InstanceNotFoundException : ${mbean}`,
    status: 404,
  };
}

function isPattern(mbean: string): boolean {
  return mbean.includes('*');
}

function keyProperties(name: string): { domain: string; props: Map<string, string>; open: boolean } {
  const colon = name.indexOf(':');
  const parts = name.substring(colon + 1).split(',');
  const open = parts[parts.length - 1] === '*';
  const props = new Map(parts.filter((p) => p !== '*').map((p) => p.split('=') as [string, string]));
  return { domain: name.substring(0, colon), props, open };
}

function matchesPattern(pattern: string, name: string): boolean {
  const p = keyProperties(pattern);
  const n = keyProperties(name);
  if (p.domain !== n.domain) return false;
  if (!p.open && p.props.size !== n.props.size) return false;
  for (const [k, v] of p.props) {
    const actual = n.props.get(k);
    if (actual === undefined) return false;
    const re = new RegExp(
      `^${v
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    if (!re.test(actual)) return false;
  }
  return true;
}
