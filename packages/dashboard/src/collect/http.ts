import * as http from 'node:http';
import * as https from 'node:https';
import { basicAuthHeader, type BasicAuthCredentials } from '@samsa/metrics';

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  /** JSON text for POST. */
  readonly body?: string;
  readonly timeoutMs: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

/** The one way the collectors talk HTTP; tests may pass another. */
export type HttpRequester = (request: HttpRequest) => Promise<HttpResponse>;

/** How the brokers' metrics endpoints are protected (samsa.metrics.http.* on the brokers). */
export interface HttpClientAccess {
  /** PEM certificates trusted for https endpoints (default: Node's public CAs). */
  readonly ca?: Buffer;
  /** Sent as basic authentication on every request. */
  readonly basicAuth?: BasicAuthCredentials;
}

/** Bodies bigger than this are refused: a metrics answer is a few kilobytes. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * node:http with a keep-alive agent (one connection per broker, reused every poll) and a deadline
 * for the whole exchange: a broker frozen by SIGSTOP must not hold a poll round.
 */
export function nodeHttpRequester(access: HttpClientAccess = {}): HttpRequester & { close(): void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const tlsAgent = new https.Agent({ keepAlive: true, maxSockets: 4, ca: access.ca });
  const authorization = access.basicAuth === undefined ? {} : { authorization: basicAuthHeader(access.basicAuth) };
  const once = (req: HttpRequest): Promise<HttpResponse & { reusedSocket: boolean }> =>
    new Promise((resolve, reject) => {
      let settled = false;
      const settle = (error: Error | null, response?: HttpResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error !== null) reject(Object.assign(error, { reusedSocket: outgoing.reusedSocket }));
        else resolve({ ...response!, reusedSocket: outgoing.reusedSocket });
      };
      const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
      const secure = req.url.startsWith('https:');
      const outgoing = (secure ? https : http).request(req.url, {
        method: req.method,
        agent: secure ? tlsAgent : agent,
        headers:
          body === undefined
            ? { ...authorization }
            : { ...authorization, 'content-type': 'application/json', 'content-length': body.length },
      });
      const timer = setTimeout(() => {
        settle(new Error(`no answer within ${req.timeoutMs} ms`));
        outgoing.destroy();
      }, req.timeoutMs);
      outgoing.once('error', (e) => settle(e));
      outgoing.once('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_BODY_BYTES) chunks.push(c);
          else {
            settle(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`));
            outgoing.destroy();
          }
        });
        res.once('end', () =>
          settle(null, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.once('error', (e) => settle(e));
        res.once('close', () => settle(new Error('connection closed before the answer ended')));
      });
      outgoing.end(body);
    });
  // A kept-alive connection the server closed while idle fails at once with ECONNRESET: that is no
  // news about the server, so such a request is sent once more on a new connection (Node's advice).
  const request: HttpRequester = async (req) => {
    try {
      const { status, body } = await once(req);
      return { status, body };
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { reusedSocket?: boolean };
      if (e.code !== 'ECONNRESET' || e.reusedSocket !== true) throw error;
      const { status, body } = await once(req);
      return { status, body };
    }
  };
  return Object.assign(request, {
    close: () => {
      agent.destroy();
      tlsAgent.destroy();
    },
  });
}

/** A short, operator-readable reason for a failed request ("connection refused", "timed out"). */
export function describeHttpError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EHOSTUNREACH':
      return 'host unreachable';
    case 'ENOTFOUND':
      return 'unknown host';
    default:
      return e instanceof Error ? e.message : String(error);
  }
}
