import { type Logger } from '@samsa/common';
import { connect, type Socket } from 'node:net';
import {
  decodeResponse,
  encodeRequest,
  FrameDecoder,
  type RequestHeader,
  type Struct,
} from '@samsa/protocol';

/**
 * A raw Kafka client for the network tests: writes request frames (or any bytes), collects
 * response frames, and reports when the server closed the connection. Test support only.
 */
export class TestClient {
  readonly frames: Buffer[] = [];
  readonly closed: Promise<void>;
  isClosed = false;
  private readonly decoder = new FrameDecoder(64 * 1024 * 1024);
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.isClosed = true;
        this.wake();
        resolve();
      }),
    );
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      for (const f of this.decoder.push(chunk)) this.frames.push(Buffer.from(f));
      this.wake();
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host, noDelay: true }, () => {
        s.off('error', reject);
        resolve(new TestClient(s));
      });
      s.once('error', reject);
    });
  }

  send(
    apiKey: number,
    apiVersion: number,
    correlationId: number,
    body: Struct,
    clientId = 'samsa-test',
  ): void {
    const header: RequestHeader = { apiKey, apiVersion, correlationId, clientId };
    for (const c of encodeRequest(header, body)) this.socket.write(c);
  }

  /** Writes a size-prefixed frame around `payload`. */
  sendFrame(payload: Buffer): void {
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length);
    this.socket.write(Buffer.concat([size, payload]));
  }

  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Waits until `n` response frames have arrived (or the connection closed, or the time is up). */
  async waitFrames(n: number, timeoutMs = 5_000): Promise<Buffer[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length < n && !this.isClosed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.frames.slice(0, n);
  }

  /** Correlation ids of the frames received so far, in arrival order. */
  correlationIds(): number[] {
    return this.frames.map((f) => f.readInt32BE(0));
  }

  decode(index: number, apiKey: number, apiVersion: number): { correlationId: number; body: Struct } {
    return decodeResponse(apiKey, apiVersion, this.frames[index]);
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** A Logger that keeps its lines, for assertions. */
export class MemoryLogger implements Logger {
  readonly lines: { level: string; msg: string; err?: unknown }[] = [];
  debug(msg: string): void {
    this.lines.push({ level: 'debug', msg });
  }
  info(msg: string): void {
    this.lines.push({ level: 'info', msg });
  }
  warn(msg: string, err?: unknown): void {
    this.lines.push({ level: 'warn', msg, err });
  }
  error(msg: string, err?: unknown): void {
    this.lines.push({ level: 'error', msg, err });
  }
  at(level: string): string[] {
    return this.lines.filter((l) => l.level === level).map((l) => l.msg);
  }
}

/** Resolves when `cond` holds (polled), or rejects after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
