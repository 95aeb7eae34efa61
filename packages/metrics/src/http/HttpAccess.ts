import { timingSafeEqual, createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';

/**
 * Who may read an operations endpoint (a broker's metrics endpoint, the dashboard): HTTPS with a
 * PEM certificate and key, and HTTP basic authentication with one user and password. Both are off
 * unless configured; the endpoints bind to loopback by default, so an unprotected one is reachable
 * only from the machine itself.
 */
export interface HttpAccess {
  /** Serve HTTPS with this PEM certificate chain and private key. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  /** Require `Authorization: Basic` with these credentials on every request. */
  readonly basicAuth?: BasicAuthCredentials;
}

export interface BasicAuthCredentials {
  readonly username: string;
  readonly password: string;
}

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** An http or https server (by `access.tls`) whose handler runs only for authorized requests. */
export function createAccessServer(access: HttpAccess | undefined, handler: RequestHandler): http.Server {
  const guarded = guard(access?.basicAuth, handler);
  return access?.tls !== undefined
    ? https.createServer({ cert: access.tls.cert, key: access.tls.key }, guarded)
    : http.createServer(guarded);
}

/** The scheme a server made by createAccessServer speaks. */
export function schemeOf(access: HttpAccess | undefined): 'http' | 'https' {
  return access?.tls !== undefined ? 'https' : 'http';
}

/** The Authorization header value for `credentials`. */
export function basicAuthHeader(credentials: BasicAuthCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}

/**
 * True when `header` carries exactly `expected`. Both sides are hashed before the constant-time
 * comparison, so neither the length nor the content of the expected credentials leaks through
 * timing.
 */
export function basicAuthMatches(header: string | undefined, expected: BasicAuthCredentials): boolean {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  const given = m ? Buffer.from(m[1], 'base64') : Buffer.alloc(0);
  const wanted = Buffer.from(`${expected.username}:${expected.password}`, 'utf8');
  const digest = (b: Buffer): Buffer => createHash('sha256').update(b).digest();
  return timingSafeEqual(digest(given), digest(wanted)) && m !== null;
}

function guard(credentials: BasicAuthCredentials | undefined, handler: RequestHandler): RequestHandler {
  if (credentials === undefined) return handler;
  return (req, res) => {
    if (basicAuthMatches(req.headers.authorization, credentials)) {
      handler(req, res);
      return;
    }
    req.resume();
    res.writeHead(401, {
      'WWW-Authenticate': 'Basic realm="samsa", charset="UTF-8"',
      'Content-Type': 'text/plain',
    });
    res.end('authentication required\n');
  };
}
