import { Rng } from '../../packages/protocol/src/testing/random';

/**
 * The wire fuzzer's randomness: the protocol package's seeded mulberry32 (`Rng`), the seed and the
 * case count from the environment, so a failing run names its seed and replays exactly:
 *
 *   SAMSA_FUZZ_SEED=1234 SAMSA_FUZZ_CASES=100000 npx jest tests/integration/hardening/wireFuzzer \
 *     --selectProjects integration --runInBand
 */
export { Rng };

export const FUZZ_SEED_ENV = 'SAMSA_FUZZ_SEED';
export const FUZZ_CASES_ENV = 'SAMSA_FUZZ_CASES';

/** SAMSA_FUZZ_SEED, or one taken from the clock (the caller prints it). */
export function fuzzSeed(): number {
  const s = process.env[FUZZ_SEED_ENV];
  if (s !== undefined && s !== '') {
    const n = Number(s);
    if (!Number.isInteger(n)) throw new Error(`${FUZZ_SEED_ENV}=${s} is not an integer`);
    return n >>> 0;
  }
  return (Date.now() ^ (process.pid << 8)) >>> 0;
}

/** SAMSA_FUZZ_CASES, or the CI default. */
export function fuzzCases(defaultCases: number): number {
  const s = process.env[FUZZ_CASES_ENV];
  if (s === undefined || s === '') return defaultCases;
  const n = Number(s);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${FUZZ_CASES_ENV}=${s} is not a positive integer`);
  return n;
}

/** Picks an item by weight: `[[w1, a], [w2, b]]`. */
export function weighted<T>(rng: Rng, choices: readonly (readonly [number, T])[]): T {
  let total = 0;
  for (const [w] of choices) total += w;
  let x = rng.next() * total;
  for (const [w, v] of choices) {
    x -= w;
    if (x < 0) return v;
  }
  return choices[choices.length - 1][1];
}

/** A length biased to small values (most bugs live near 0 and near boundaries), at most `max`. */
export function smallLength(rng: Rng, max: number): number {
  const r = rng.next();
  if (r < 0.5) return rng.int(0, Math.min(max, 16));
  if (r < 0.85) return rng.int(0, Math.min(max, 256));
  return rng.int(0, max);
}

/** The signed 32-bit values that break length and count checks. */
export const INTERESTING_INT32 = [
  -1, 0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffff, -0x80000000, 0x10000000,
] as const;
export const INTERESTING_INT16 = [-1, 0, 1, 0x7f, 0x80, 0xff, 0x7fff, -0x8000] as const;
export const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe] as const;
