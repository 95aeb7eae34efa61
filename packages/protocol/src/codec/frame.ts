import { ErrorCode, KafkaError } from '../errors';

/**
 * Splits a byte stream into size-prefixed frames (int32 size, then that many bytes). The size is
 * checked against the limit before anything is allocated for the frame; a negative or oversized
 * size is a KafkaError the connection owner answers by closing (Kafka's InvalidReceiveException).
 */
export class FrameDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    private maxFrameBytes: number,
    /** The setting the limit comes from, for the error message. */
    private limitName = 'socket.request.max.bytes',
  ) {}

  /**
   * Changes the limit for the frames still to come (a SASL connection reads with
   * sasl.server.max.receive.size until it has authenticated, then with socket.request.max.bytes).
   */
  setMaxFrameBytes(maxFrameBytes: number, limitName: string): void {
    this.maxFrameBytes = maxFrameBytes;
    this.limitName = limitName;
  }

  /** Bytes received but not yet part of a whole frame. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** Feeds a chunk; returns every frame it completes (payloads without the size prefix). */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    if (this.pendingBytes === 0) {
      // Fast path: parse straight out of the chunk, copying nothing.
      let pos = 0;
      while (chunk.length - pos >= 4) {
        const size = this.checkSize(chunk.readInt32BE(pos));
        if (chunk.length - pos - 4 < size) break;
        frames.push(chunk.subarray(pos + 4, pos + 4 + size));
        pos += 4 + size;
      }
      if (pos < chunk.length) this.keep(chunk.subarray(pos));
      return frames;
    }
    this.keep(chunk);
    for (;;) {
      if (this.pendingBytes < 4) return frames;
      const head = this.pending[0].length >= 4 ? this.pending[0] : this.coalesce();
      const size = this.checkSize(head.readInt32BE(0));
      if (this.pendingBytes - 4 < size) return frames;
      const all = this.coalesce();
      frames.push(all.subarray(4, 4 + size));
      const rest = all.subarray(4 + size);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
      if (this.pendingBytes === 0) return frames;
    }
  }

  private keep(b: Buffer): void {
    this.pending.push(b);
    this.pendingBytes += b.length;
  }

  private coalesce(): Buffer {
    if (this.pending.length > 1) this.pending = [Buffer.concat(this.pending, this.pendingBytes)];
    return this.pending[0];
  }

  private checkSize(size: number): number {
    if (size < 0) throw new KafkaError(ErrorCode.INVALID_REQUEST, `negative frame size ${size}`);
    if (size > this.maxFrameBytes) {
      throw new KafkaError(
        ErrorCode.INVALID_REQUEST,
        `frame of ${size} bytes is larger than the limit of ${this.maxFrameBytes} (${this.limitName})`,
      );
    }
    return size;
  }
}

/** Prefixes encoded chunks with their int32 total size. */
export function frameChunks(chunks: Buffer[]): Buffer[] {
  let total = 0;
  for (const c of chunks) total += c.length;
  const size = Buffer.allocUnsafe(4);
  size.writeInt32BE(total, 0);
  return [size, ...chunks];
}
