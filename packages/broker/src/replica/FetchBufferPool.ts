/**
 * Buffers that fetch responses read record bytes into, reused once a response has been sent.
 *
 * Node cannot sendfile a segment to a socket, so every fetched slice is read into a Buffer. Fresh
 * 1 MB Buffers per fetch are external memory to V8, and their churn made garbage collection
 * about a third of the event loop's time while consumers read (BENCHMARKS.md, broker). Slices up
 * to CHUNK_BYTES are read into chunks from here instead. A chunk goes back only through
 * `release`, which the fetch handler registers to run when the connection has handed the
 * response's last byte to the kernel; a response that is never sent (the connection closed)
 * never releases its chunk, which is then simply garbage. Larger slices get their own Buffer.
 */
export class FetchBufferPool {
  static readonly CHUNK_BYTES = 1024 * 1024;
  private readonly free: Buffer[] = [];
  /** Chunks handed out and not yet released, by their memory (weakly: an unsent one is garbage). */
  private readonly lent = new WeakSet<ArrayBufferLike>();

  /** @param maxFree chunks kept for reuse; more released than this are left to the GC. */
  constructor(private readonly maxFree = 32) {}

  /** A buffer of at least `size` bytes: a pooled chunk when it fits in one. */
  acquire(size: number): Buffer {
    if (size > FetchBufferPool.CHUNK_BYTES || size === 0) return Buffer.allocUnsafe(size);
    const chunk = this.free.pop() ?? Buffer.allocUnsafeSlow(FetchBufferPool.CHUNK_BYTES);
    this.lent.add(chunk.buffer);
    return chunk;
  }

  /** Gives back what `acquire` returned (or any view of it); anything else is ignored. */
  release(buf: Buffer): void {
    if (!this.lent.delete(buf.buffer)) return; // not ours, or released already
    if (this.free.length < this.maxFree) {
      this.free.push(Buffer.from(buf.buffer, 0, FetchBufferPool.CHUNK_BYTES));
    }
  }

  /** Chunks waiting for reuse (for tests and metrics). */
  get freeChunks(): number {
    return this.free.length;
  }
}
