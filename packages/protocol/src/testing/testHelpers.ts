import { KafkaError } from '../errors';
import { Rng } from './random';

/** Test-only helpers shared by the codec tests (not exported from the package). */

/** Text-like data that compresses well; deterministic for a given rng. */
export function compressible(rng: Rng, bytes: number): Buffer {
  const words = [
    'kafka',
    'broker',
    'offset',
    'partition',
    'leader',
    'replica',
    'zookeeper',
    'segment',
    'isr',
  ];
  const parts: string[] = [];
  let n = 0;
  while (n < bytes) {
    const w = `${rng.pick(words)}-${rng.int(0, 999)} `;
    parts.push(w);
    n += w.length;
  }
  return Buffer.from(parts.join('')).subarray(0, bytes);
}

/** Runs `fn`, returning the KafkaError it throws, or null if it returned. Any other throw fails. */
export function kafkaErrorOf(fn: () => unknown): KafkaError | null {
  try {
    fn();
    return null;
  } catch (err) {
    if (err instanceof KafkaError) return err;
    throw new Error(
      `expected a KafkaError, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
    );
  }
}
