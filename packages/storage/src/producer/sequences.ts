/**
 * Sequence numbers as record batches v2 carry them (DefaultRecordBatch's sequence arithmetic; the
 * RecordBatch constants are the protocol package's). Sequences are int32 and wrap from Int.MaxValue to 0.
 */
export { NO_PRODUCER_EPOCH, NO_SEQUENCE } from '@samsa/protocol';
export const INT32_MAX = 2147483647;

/** `sequence + increment`, wrapping past Int.MaxValue to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  return sequence > INT32_MAX - increment ? increment - (INT32_MAX - sequence) - 1 : sequence + increment;
}

/** `sequence - decrement`, wrapping below 0 to Int.MaxValue. */
export function decrementSequence(sequence: number, decrement: number): number {
  return sequence < decrement ? INT32_MAX - (decrement - sequence) + 1 : sequence - decrement;
}

/** True when `next` is the sequence after `last` (0 after Int.MaxValue). */
export function inSequence(last: number, next: number): boolean {
  return next === last + 1 || (next === 0 && last === INT32_MAX);
}
