import { ErrorCode, KafkaError } from '../../errors';

/**
 * Shared failure and size rules of the codecs. Corrupt or truncated input is CORRUPT_MESSAGE;
 * output beyond the caller's cap is MESSAGE_TOO_LARGE (a Java producer answers that by splitting
 * the batch and retrying, which is also right for a legitimate, highly compressible batch).
 */

/**
 * Cap used when the caller gives none: the largest size an int32 length can describe. No Kafka
 * batch or message set can be larger, so nothing legitimate is refused; callers on the produce and
 * fetch paths should pass a real cap.
 */
export const MAX_OUTPUT_BYTES_DEFAULT = 0x7fffffff;

export function corrupt(codec: string, detail: string): KafkaError {
  return new KafkaError(ErrorCode.CORRUPT_MESSAGE, `${codec}: ${detail}`);
}

/** `atLeastBytes`: the declared size, or what was produced before decoding stopped. */
export function tooLarge(codec: string, atLeastBytes: number, maxOutputBytes: number): KafkaError {
  return new KafkaError(
    ErrorCode.MESSAGE_TOO_LARGE,
    `${codec}: decompresses to more than the limit of ${maxOutputBytes} bytes (at least ${atLeastBytes})`,
  );
}

/** Throws MESSAGE_TOO_LARGE if `bytes` (declared or produced so far) passes the cap. */
export function checkOutputBytes(codec: string, bytes: number, maxOutputBytes: number): void {
  if (bytes > maxOutputBytes) throw tooLarge(codec, bytes, maxOutputBytes);
}

/** Anything a native codec throws becomes CORRUPT_MESSAGE; our own KafkaErrors pass unchanged. */
export function asKafkaError(codec: string, err: unknown): KafkaError {
  if (err instanceof KafkaError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return corrupt(codec, detail);
}

/**
 * How far a produced record set may inflate: its decompressed bytes are bounded by
 * `PRODUCE_INFLATION_FACTOR` × max.message.bytes (the larger of the topic's and the broker's).
 *
 * Why 8: max.message.bytes bounds what a producer sends *compressed*; a Java producer sizes its
 * batches by an estimated compression ratio, so a legitimate batch of repetitive data inflates
 * past it (JSON logs compress 5–10× with gzip, lz4 or zstd), and 8× leaves that room for batches
 * as large as the limit itself (the default batch.size, 16 KiB, is far below it). A decompression
 * bomb (gzip reaches ~1000×) stops after 8 MiB at the default 1 MiB: ~10 ms of inflate work on an
 * idle core and as much transient memory, measured as the bound that kept a concurrent ApiVersions
 * probe under 100 ms on a loaded 2-core machine (16× did not: its garbage and inflate time showed
 * as 80–140 ms pauses). Kafka 2.8 itself inflates without a bound.
 */
export const PRODUCE_INFLATION_FACTOR = 8;

export function produceInflationLimitBytes(maxMessageBytes: number): number {
  return Math.max(1, maxMessageBytes) * PRODUCE_INFLATION_FACTOR;
}

/**
 * A produced record set that inflates past its bound: RECORD_LIST_TOO_LARGE (Kafka's
 * RecordBatchTooLargeException, not retriable: a client retrying the same bytes gets the same
 * answer, whereas CORRUPT_MESSAGE would be retried until delivery.timeout.ms).
 */
export function inflatedTooLarge(what: string, limitBytes: number): KafkaError {
  return new KafkaError(
    ErrorCode.RECORD_LIST_TOO_LARGE,
    `${what} decompresses to more than ${limitBytes} bytes (${PRODUCE_INFLATION_FACTOR} × max.message.bytes)`,
  );
}

/** Runs `inflate`, turning a codec's output cap (MESSAGE_TOO_LARGE) into `inflatedTooLarge`. */
export function withInflationLimit<T>(what: string, limitBytes: number, inflate: () => T): T {
  try {
    return inflate();
  } catch (err) {
    if (err instanceof KafkaError && err.code === ErrorCode.MESSAGE_TOO_LARGE) throw inflatedTooLarge(what, limitBytes);
    throw err;
  }
}
