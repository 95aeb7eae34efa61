import { KafkaChannel } from '@samsa/client';
import { type Logger } from '@samsa/common';
import type { Socket } from 'node:net';
import { decodeResponse, encodeRequest, type RequestHeader, type Struct } from '@samsa/protocol';

/**
 * A raw Kafka client for the network tests, on @samsa/client's KafkaChannel: writes request
 * frames (or any bytes, so bad-input tests can build their own), collects response frames without
 * matching them to requests, and reports when the server closed the connection. Test support only.
 */
export class TestClient {
  readonly frames: Buffer[] = [];
  readonly closed: Promise<void>;
  isClosed = false;
  private waiters: (() => void)[] = [];

  private constructor(private readonly channel: KafkaChannel) {
    this.closed = new Promise((resolve) =>
      channel.listen({
        onFrame: (frame) => {
          this.frames.push(Buffer.from(frame));
          this.wake();
        },
        onClose: () => {
          this.isClosed = true;
          this.wake();
          resolve();
        },
      }),
    );
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<TestClient> {
    return new TestClient(await KafkaChannel.connect({ host, port, maxResponseBytes: 64 * 1024 * 1024 }));
  }

  /** The connection, for tests that stop reading (socket.pause()) to exercise the server's backpressure. */
  get socket(): Socket {
    return this.channel.socket;
  }

  send(
    apiKey: number,
    apiVersion: number,
    correlationId: number,
    body: Struct,
    clientId = 'samsa-test',
  ): void {
    const header: RequestHeader = { apiKey, apiVersion, correlationId, clientId };
    this.channel.write(encodeRequest(header, body));
  }

  /** Writes a size-prefixed frame around `payload`. */
  sendFrame(payload: Buffer): void {
    this.channel.writeFrame(payload);
  }

  /** Writes `bytes` as they are (a lying size prefix, half a frame). */
  sendRaw(bytes: Buffer): void {
    this.channel.write([bytes]);
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
    this.channel.close();
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
