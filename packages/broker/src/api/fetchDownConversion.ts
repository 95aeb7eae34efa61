import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  Attribute,
  CURRENT_MAGIC,
  ErrorCode,
  forEachBatch,
  inflateChunks,
  KafkaError,
  legacyEntrySize,
  LOG_OVERHEAD,
  RECORD_BATCH_OVERHEAD,
  readBatchHeader,
  RecordStreamReader,
  writeLegacyMessage,
} from '@samsa/protocol';

/**
 * Down-conversion of stored v2 batches to the legacy message sets Fetch v0–3 clients read (magic 0
 * for v0–1, magic 1 for v2–3), bounded and a piece at a time — what Kafka's KIP-283
 * (LazyDownConversionRecords) is for. Converting a whole fetch in one go held the event loop 1.3 s
 * for 30 MiB, and a 46 KB gzip batch whose payload inflates to hundreds of MiB became a 153 MB
 * response.
 *
 * The rules:
 * - the converted messages take at most `maxBytes` (the fetch gives the size of the slice it read,
 *   which the request's and the broker's byte limits already bound), except that the first message
 *   is always converted whole (Kafka's "at least one message" rule) when it fits in `hardMaxBytes`
 *   (fetch.max.bytes); a larger first message is sent as a partial message — its offset and size
 *   only — which old consumers take as "a message larger than my fetch size", as Kafka's hard byte
 *   limit for v0–2 leaves them;
 * - records below the fetch offset are dropped (the client would drop them, and a batch that starts
 *   far below the fetch offset could otherwise fill the whole budget with them every time);
 * - a compressed batch is inflated a chunk at a time and only as far as the budget reaches
 *   (`inflateChunks`: gzip on libuv's pool), so a bomb costs the budget, not its inflated size;
 * - the event loop is yielded to whenever a stretch of work passed `sliceMs`;
 * - control batches are skipped, and the messages are written uncompressed with their offsets and
 *   timestamps (Kafka keeps the batch's codec; uncompressed is what this broker always sent).
 */
export interface DownConversionOptions {
  readonly magic: 0 | 1;
  /** The offset the client asked for: records below it are not sent. */
  readonly fetchOffset: number;
  /** Bytes of converted messages the response has room for (the first message aside). */
  readonly maxBytes: number;
  /** The most a first message converted whole may take (the broker's fetch.max.bytes). */
  readonly hardMaxBytes: number;
  /** Event-loop time spent before yielding to other work (default 5 ms). */
  readonly sliceMs?: number;
}

/** Inflated bytes pulled at a time. */
const INFLATE_CHUNK_BYTES = 64 * 1024;
/** The cap on one batch's inflated bytes that the codecs inflating in one call (snappy, lz4) work to. */
const MAX_INFLATED_BATCH_BYTES = 64 * 1024 * 1024;
/** A legacy entry's offset and size fields: all that a partial message carries. */
const PARTIAL_MESSAGE_BYTES = 12;

export async function downConvertRecords(bytes: Buffer, o: DownConversionOptions): Promise<Buffer> {
  const sliceMs = o.sliceMs ?? 5;
  // The messages are written into one buffer as they are made: no buffer per piece of work (as
  // external memory, 30 MiB of them made the GC run often), no concatenation at the end.
  let out: Buffer | null = null;
  let outBytes = 0;
  let sliceStart = performance.now();
  const maybeYield = async (): Promise<void> => {
    if (performance.now() - sliceStart < sliceMs) return;
    await yieldToEventLoop();
    sliceStart = performance.now();
  };
  const batches: number[] = [];
  forEachBatch(bytes, (pos) => void batches.push(pos));

  batches: for (const pos of batches) {
    const header = readBatchHeader(bytes, pos);
    if (header.magic !== CURRENT_MAGIC) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `batch at ${pos} has magic ${header.magic}`);
    if (header.attributes & Attribute.CONTROL) continue;
    if (header.baseOffset + header.lastOffsetDelta < o.fetchOffset) continue;
    // Record sizes are checked here (nextRecordBytes) before their bytes are pulled in.
    const reader = new RecordStreamReader(header, 0x7fffffff);
    const body = bytes.subarray(pos + RECORD_BATCH_OVERHEAD, pos + LOG_OVERHEAD + header.batchLength);
    const inflated = inflateChunks(header.attributes & Attribute.COMPRESSION_MASK, body, {
      chunkBytes: INFLATE_CHUNK_BYTES,
      maxOutputBytes: Math.max(MAX_INFLATED_BATCH_BYTES, o.hardMaxBytes + INFLATE_CHUNK_BYTES),
    });
    try {
      for (;;) {
        let full = false;
        for (let rec = reader.next(); rec !== null; rec = reader.next()) {
          if (rec.offset < o.fetchOffset) continue;
          const entryBytes = legacyEntrySize(o.magic, rec.key, rec.value);
          if (outBytes > 0 && outBytes + entryBytes > o.maxBytes) {
            full = true;
            break;
          }
          if (outBytes === 0 && entryBytes > o.hardMaxBytes) return partialMessage(rec.offset, entryBytes);
          out ??= Buffer.allocUnsafe(Math.max(o.maxBytes, entryBytes));
          outBytes = writeLegacyMessage(out, outBytes, rec.offset, o.magic, 0, rec.timestamp, rec.key, rec.value);
        }
        if (full) break batches;
        // The next record's size, once its length is in: a first one past the hard cap is not
        // inflated any further, nor is one that cannot fit after others.
        const next = reader.nextRecordBytes();
        if (next > o.hardMaxBytes) {
          if (outBytes === 0) return partialMessage(Math.max(o.fetchOffset, header.baseOffset + reader.recordsRead), next);
          break batches;
        }
        await maybeYield();
        const chunk = await inflated.next();
        if (chunk.done) break;
        reader.push(chunk.value);
      }
    } catch (err) {
      if (outBytes === 0) throw err;
      break; // what was converted before a corrupt or oversized batch still goes out
    } finally {
      await inflated.return(undefined);
    }
    await maybeYield();
  }
  return out === null ? Buffer.alloc(0) : (out as Buffer).subarray(0, outBytes);
}

/**
 * A legacy entry cut after its offset and size fields: the shape old consumers see when a message
 * does not fit in their fetch size (they report it, or retry with a larger one).
 */
function partialMessage(offset: number, entryBytes: number): Buffer {
  const out = Buffer.alloc(PARTIAL_MESSAGE_BYTES);
  out.writeBigInt64BE(BigInt(offset), 0);
  out.writeInt32BE(Math.min(0x7fffffff, entryBytes - PARTIAL_MESSAGE_BYTES), 8);
  return out;
}
