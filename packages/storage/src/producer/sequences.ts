/**
 * Producer ids, epochs and sequence numbers as record batches v2 carry them (Kafka's RecordBatch
 * constants and DefaultRecordBatch's sequence arithmetic). Sequences are int32 and wrap from
 * Int.MaxValue to 0.
 */
export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const INT32_MAX = 2147483647;
/** The largest producer epoch (Short.MaxValue). */
export const MAX_PRODUCER_EPOCH = 32767;

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
