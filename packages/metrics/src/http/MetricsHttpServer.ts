import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventJournal } from '../EventJournal';
import { createAccessServer, type HttpAccess } from './HttpAccess';
import { JolokiaHandler } from '../jolokia/JolokiaHandler';
import type { MetricsRegistry } from '../MetricsRegistry';
import { PrometheusExporter, type PrometheusFamily } from '../prometheus/PrometheusExporter';

export interface MetricsHttpServerOptions {
  readonly registry: MetricsRegistry;
  /** Host to bind ('' or undefined: every interface). */
  readonly host?: string;
  /** HTTPS and basic authentication; plain HTTP open to whoever reaches the host when absent. */
  readonly access?: HttpAccess;
  /** 0: any free port. */
  readonly port: number;
  /** Reported by /jolokia/version and /samsa/status. */
  readonly version: string;
  readonly journal?: EventJournal;
  /** The body of /samsa/status. */
  readonly status?: () => object;
  /** Extra Prometheus series appended to /metrics (process metrics). */
  readonly extraPrometheusFamilies?: () => readonly PrometheusFamily[];
  readonly logger?: { warn(message: string, error?: unknown): void };
}

const MAX_POST_BYTES = 1024 * 1024;
const DEFAULT_EVENTS_LIMIT = 1000;

/**
 * A broker's metrics endpoint (node:http), the routes of the metrics contract:
 *   GET  /jolokia[/<type>/<args…>]  Jolokia read, search, list, version (HTTP 200, status in the JSON)
 *   POST /jolokia                   one Jolokia request or a bulk array
 *   GET  /metrics                   Prometheus text, the JMX exporter's Kafka names
 *   GET  /samsa/status              who this broker is, now
 *   GET  /samsa/events?since=&limit= the event journal
 * Anything else is HTTP 404 (405 for another method). Responses allow any origin, so a dashboard
 * page served elsewhere can read them.
 */
export class MetricsHttpServer {
  private readonly server: Server;
  private readonly jolokia: JolokiaHandler;
  private readonly prometheus = new PrometheusExporter();
  private boundPortValue = -1;

  constructor(private readonly options: MetricsHttpServerOptions) {
    this.jolokia = new JolokiaHandler(options.registry, { agentVersion: options.version });
    this.server = createAccessServer(options.access, (req, res) => this.route(req, res));
    this.server.keepAliveTimeout = 5000;
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.options.host || undefined, port: this.options.port }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.server.on('error', (e) => this.options.logger?.warn('metrics endpoint error', e));
    this.boundPortValue = (this.server.address() as AddressInfo).port;
    return this.boundPortValue;
  }

  get boundPort(): number {
    return this.boundPortValue;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      // the raw (still encoded) path: Jolokia decodes it itself, after splitting off the prefix
      const rawPath = (req.url ?? '/').split('?')[0];
      res.setHeader('Access-Control-Allow-Origin', '*');
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
        res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
        res.writeHead(204).end();
        return;
      }
      const jolokiaPath = rawPath === '/jolokia' ? '' : rawPath.startsWith('/jolokia/') ? rawPath.slice('/jolokia/'.length) : null;
      const params = { canonicalNaming: url.searchParams.get('canonicalNaming') === 'true' };
      if (jolokiaPath !== null) {
        if (req.method === 'GET') return sendJson(res, 200, this.jolokia.handleGet(jolokiaPath, params));
        if (req.method === 'POST') return this.readBody(req, res, (body) => sendJson(res, 200, this.jolokia.handlePost(body, params)));
        return methodNotAllowed(res);
      }
      if (req.method !== 'GET') return url.pathname === '/metrics' || url.pathname.startsWith('/samsa/') ? methodNotAllowed(res) : notFound(res);
      switch (url.pathname) {
        case '/metrics':
          return this.metrics(res);
        case '/samsa/status':
          return sendJson(res, 200, { ...(this.options.status?.() ?? {}) });
        case '/samsa/events':
          return this.events(url, res);
        default:
          return notFound(res);
      }
    } catch (e) {
      this.options.logger?.warn(`metrics endpoint failed on ${req.method} ${req.url}`, e);
      if (!res.headersSent) sendJson(res, 500, { error: e instanceof Error ? e.message : String(e) });
      else res.destroy();
    }
  }

  private metrics(res: ServerResponse): void {
    const body = this.prometheus.render(this.options.registry.all(), this.options.extraPrometheusFamilies?.() ?? []);
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(body);
  }

  private events(url: URL, res: ServerResponse): void {
    const journal = this.options.journal;
    const since = intParam(url, 'since', 0);
    const limit = intParam(url, 'limit', DEFAULT_EVENTS_LIMIT);
    if (since === null || limit === null || limit < 0) {
      return sendJson(res, 400, { error: 'since and limit must be non-negative integers' });
    }
    if (!journal) return sendJson(res, 200, { brokerId: -1, nextSeq: since, events: [] });
    sendJson(res, 200, journal.read(since, limit));
  }

  private readBody(req: IncomingMessage, res: ServerResponse, then: (body: string) => void): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_POST_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (tooLarge) return sendJson(res, 413, { error: `request body larger than ${MAX_POST_BYTES} bytes` });
      try {
        then(Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        this.options.logger?.warn('metrics endpoint failed on a POST', e);
        if (!res.headersSent) sendJson(res, 500, { error: e instanceof Error ? e.message : String(e) });
      }
    });
    req.on('error', () => res.destroy());
  }
}

function intParam(url: URL, name: string, fallback: number): number | null {
  const v = url.searchParams.get(name);
  if (v === null || v === '') return fallback;
  return /^\d+$/.test(v) ? Number(v) : null;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function notFound(res: ServerResponse): void {
  sendJson(res, 404, { error: 'not found: the routes are /jolokia, /metrics, /samsa/status and /samsa/events' });
}

function methodNotAllowed(res: ServerResponse): void {
  res.setHeader('Allow', 'GET, POST');
  sendJson(res, 405, { error: 'method not allowed' });
}
