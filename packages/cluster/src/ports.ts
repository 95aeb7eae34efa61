import * as net from 'net';

export const LOOPBACK = '127.0.0.1';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago: the kernel picks it for a listener bound to
 * port 0, which we then close. Another process may still take it before the caller binds it, so
 * whoever starts a server on it must detect "address in use" and retry (startZooKeeper does).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`unexpected listener address ${String(address)}`));
        return;
      }
      server.close((error) => (error ? reject(error) : resolve(address.port)));
    });
  });
}

/** Resolves true when something accepts a TCP connection on 127.0.0.1:port, false when refused. */
export function isPortOpen(
  port: number,
  { timeoutMs = 1000 }: { timeoutMs?: number } = {},
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: LOOPBACK, port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when a listener could bind 127.0.0.1:port a moment ago. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, LOOPBACK, () => server.close(() => resolve(true)));
  });
}

/**
 * The first of `candidates` that is a port number and free, else one the kernel picks. The
 * launcher passes the conventional port (so Kafka habits work) and then the one it used last time.
 */
export async function pickPort(candidates: readonly number[]): Promise<number> {
  for (const port of candidates) {
    if (Number.isInteger(port) && port > 0 && port < 65536 && (await isPortFree(port))) return port;
  }
  return freePort();
}

/** The lowest free port in [from, to), or undefined when all are taken. */
export async function firstFreePort(from: number, to: number): Promise<number | undefined> {
  for (let port = from; port < to; port++) if (await isPortFree(port)) return port;
  return undefined;
}
