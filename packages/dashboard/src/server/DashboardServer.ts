import * as fs from 'node:fs';
import type * as http from 'node:http';
import { createAccessServer, schemeOf, type HttpAccess } from '@samsa/metrics';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { ClusterViewModel } from '../model/viewModel';

/** Where the view comes from (ClusterMonitor in the product). */
export interface ViewSource {
  view(): ClusterViewModel;
  subscribe(listener: (view: ClusterViewModel) => void): () => void;
}

export interface DashboardServerOptions {
  /** 0: any free port. */
  readonly port: number;
  readonly host: string;
  /** HTTPS and a password for the page; plain HTTP open to whoever reaches `host` when absent. */
  readonly access?: HttpAccess;
  /** Static files (index.html, dashboard.css); default the package's static/. */
  readonly staticDir?: string;
  /** The page scripts compiled for the browser; default the package's dist/page/. */
  readonly scriptDir?: string;
  /** SSE comment sent to idle streams so proxies keep them open. Default 15000. */
  readonly keepAliveMs?: number;
}

const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
const ASSET_NAME = /^[A-Za-z0-9_-]+\.(js|css|html|map)$/;
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * The dashboard's HTTP side: `/` the page, `/assets/<file>` its stylesheet and scripts,
 * `/api/view` the current view model as JSON, `/api/stream` every new view as server-sent events.
 * Reads only; anything else is 404 (405 for a method other than GET/HEAD).
 */
export class DashboardServer {
  private readonly server: http.Server;
  private readonly streams = new Set<http.ServerResponse>();
  private readonly staticDir: string;
  private readonly scriptDir: string;
  private unsubscribe: (() => void) | null = null;
  private keepAlive: NodeJS.Timeout | null = null;

  constructor(
    private readonly source: ViewSource,
    private readonly options: DashboardServerOptions,
  ) {
    this.staticDir = options.staticDir ?? path.join(PACKAGE_ROOT, 'static');
    this.scriptDir = options.scriptDir ?? path.join(PACKAGE_ROOT, 'dist', 'page');
    this.server = createAccessServer(options.access, (req, res) => this.handle(req, res));
  }

  /** Listens; resolves with the page's URL. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.unsubscribe = this.source.subscribe((view) => this.broadcast(view));
    this.keepAlive = setInterval(() => {
      for (const res of this.streams) res.write(': keep-alive\n\n');
    }, this.options.keepAliveMs ?? 15_000);
    return this.url;
  }

  get url(): string {
    const address = this.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `${schemeOf(this.options.access)}://${host}:${address.port}/`;
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    if (this.keepAlive !== null) clearInterval(this.keepAlive);
    for (const res of this.streams) res.end();
    this.streams.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    const pathname = new URL(req.url ?? '/', 'http://dashboard').pathname;
    if (pathname === '/' || pathname === '/index.html')
      return this.sendFile(res, this.staticDir, 'index.html');
    if (pathname === '/api/view') return this.sendView(res);
    if (pathname === '/api/stream') return this.openStream(req, res);
    if (pathname.startsWith('/assets/')) {
      const name = pathname.substring('/assets/'.length);
      if (ASSET_NAME.test(name)) {
        const dir = name.endsWith('.css') ? this.staticDir : this.scriptDir;
        return this.sendFile(res, dir, name);
      }
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }

  private sendView(res: http.ServerResponse): void {
    const body = JSON.stringify(this.source.view());
    res
      .writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
      .end(body);
  }

  private sendFile(res: http.ServerResponse, dir: string, name: string): void {
    fs.readFile(path.join(dir, name), (error, data) => {
      if (error) {
        const missingScript = dir === this.scriptDir && error.code === 'ENOENT';
        res
          .writeHead(404, { 'content-type': 'text/plain' })
          .end(missingScript ? `${name} is not built: run npx tsc -b\n` : 'not found\n');
        return;
      }
      const type = CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream';
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' }).end(data);
    });
  }

  /** Server-sent events: the current view at once, then each new one (a slow client gets the latest only). */
  private openStream(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write('retry: 1000\n\n');
    this.streams.add(res);
    req.socket.setNoDelay(true);
    res.once('close', () => this.streams.delete(res));
    this.send(res, eventOf(this.source.view()));
  }

  private broadcast(view: ClusterViewModel): void {
    if (this.streams.size === 0) return;
    const event = eventOf(view);
    for (const res of this.streams) this.send(res, event);
  }

  private send(res: http.ServerResponse, event: string): void {
    // Still flushing the previous view: skip this one, the next is newer anyway.
    if (res.writableNeedDrain) return;
    res.write(event);
  }
}

/** One SSE message; JSON.stringify never writes a newline, so one data line. */
function eventOf(view: ClusterViewModel): string {
  return `data: ${JSON.stringify(view)}\n\n`;
}
