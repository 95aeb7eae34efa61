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
