import { INTERESTING_BYTES, INTERESTING_INT16, INTERESTING_INT32, weighted, type Rng } from './random';

/**
 * Byte-level mutations of a valid encoding (AFL's havoc stage, cut down): bit flips, interesting
 * bytes (0x7f, 0x80, 0xff …), int16/int32 values written over whatever lies there (so length and
 * count fields become -1, 0 or huge), overlong varints, truncation, extension, inserted, deleted
 * and duplicated ranges. The mutator knows no schema: on the small requests the fuzzer sends, a
 * random position lands on a length or count field often enough.
 */

export type MutationKind =
  | 'bitFlip'
  | 'interestingByte'
  | 'randomByte'
  | 'int16'
  | 'int32'
  | 'overlongVarint'
  | 'truncate'
  | 'extend'
  | 'insert'
  | 'delete'
  | 'duplicate';

export interface Mutated {
  readonly bytes: Buffer;
  /** What was done, in order, for the failure report ("int32@17=-1"). */
  readonly ops: readonly string[];
}

export interface MutateOptions {
  /** Bytes at the start left alone (a request header, so the frame still reaches its decoder). */
  readonly protectedBytes?: number;
  /** How many mutations to stack (default 1–3). */
  readonly count?: number;
  /** Only these kinds (default: all, weighted). */
  readonly kinds?: readonly MutationKind[];
}

/** The mutations that keep the length: for fixed-size headers. */
export const IN_PLACE_KINDS: readonly MutationKind[] = [
  'bitFlip',
  'interestingByte',
  'randomByte',
  'int16',
  'int32',
];

const KINDS: readonly (readonly [number, MutationKind])[] = [
  [3, 'bitFlip'],
  [3, 'interestingByte'],
  [1, 'randomByte'],
  [3, 'int16'],
  [4, 'int32'],
  [2, 'overlongVarint'],
  [2, 'truncate'],
  [1, 'extend'],
  [1, 'insert'],
  [1, 'delete'],
  [1, 'duplicate'],
];

/** Applies 1–3 (or `count`) random mutations to a copy of `input`. */
export function mutate(input: Buffer, rng: Rng, options: MutateOptions = {}): Mutated {
  const from = Math.min(options.protectedBytes ?? 0, input.length);
  const count = options.count ?? rng.int(1, 3);
  let bytes: Buffer = Buffer.from(input);
  const ops: string[] = [];
  const kinds = options.kinds === undefined ? KINDS : KINDS.filter(([, k]) => options.kinds!.includes(k));
  for (let i = 0; i < count; i++) {
    const kind = weighted(rng, kinds);
    const r = applyMutation(bytes, kind, from, rng);
    bytes = r.bytes;
    ops.push(r.op);
  }
  return { bytes, ops };
}

/** One mutation of `kind` at a random position ≥ `from`; the input is not changed. */
export function applyMutation(
  input: Buffer,
  kind: MutationKind,
  from: number,
  rng: Rng,
): { bytes: Buffer; op: string } {
  const len = input.length;
  const pos = (width: number): number => (len - from >= width ? rng.int(from, len - width) : -1);
  const b = Buffer.from(input);
  switch (kind) {
    case 'bitFlip': {
      const p = pos(1);
      if (p < 0) break;
      const bit = rng.int(0, 7);
      b[p] ^= 1 << bit;
      return { bytes: b, op: `bitFlip@${p}.${bit}` };
    }
    case 'interestingByte': {
      const p = pos(1);
      if (p < 0) break;
      b[p] = rng.pick(INTERESTING_BYTES);
      return { bytes: b, op: `byte@${p}=0x${b[p].toString(16)}` };
    }
    case 'randomByte': {
      const p = pos(1);
      if (p < 0) break;
      b[p] = rng.int(0, 255);
      return { bytes: b, op: `byte@${p}=0x${b[p].toString(16)}` };
    }
    case 'int16': {
      const p = pos(2);
      if (p < 0) break;
      const v = rng.pick(INTERESTING_INT16);
      b.writeInt16BE(v, p);
      return { bytes: b, op: `int16@${p}=${v}` };
    }
    case 'int32': {
      const p = pos(4);
      if (p < 0) break;
      // the bytes left after the field, ±1: a length that just overruns or just fits
      const left = len - p - 4;
      const v = rng.bool(0.8) ? rng.pick(INTERESTING_INT32) : left + rng.int(-1, 1);
      b.writeInt32BE(v | 0, p);
      return { bytes: b, op: `int32@${p}=${v | 0}` };
    }
    case 'overlongVarint': {
      const p = pos(1);
      if (p < 0) break;
      // the same value with 1–6 redundant continuation bytes: 2–5 bytes are legal but
      // non-minimal, 6+ is longer than any 32-bit varint
      const extra = rng.int(1, 6);
      const run = Buffer.alloc(extra + 1, 0x80);
      run[0] = b[p] | 0x80;
      run[extra] = 0x00;
      return {
        bytes: Buffer.concat([b.subarray(0, p), run, b.subarray(p + 1)]),
        op: `overlongVarint@${p}+${extra}`,
      };
    }
    case 'truncate': {
      const p = pos(0);
      if (p < 0) break;
      return { bytes: b.subarray(0, p), op: `truncate@${p}` };
    }
    case 'extend': {
      const n = rng.int(1, 64);
      const tail = rng.bool() ? rng.bytes(n) : Buffer.alloc(n, rng.pick(INTERESTING_BYTES));
      return { bytes: Buffer.concat([b, tail]), op: `extend+${n}` };
    }
    case 'insert': {
      const p = pos(0);
      if (p < 0) break;
      const n = rng.int(1, 16);
      return {
        bytes: Buffer.concat([b.subarray(0, p), rng.bytes(n), b.subarray(p)]),
        op: `insert@${p}+${n}`,
      };
    }
    case 'delete': {
      const p = pos(1);
      if (p < 0) break;
      const n = rng.int(1, Math.min(16, len - p));
      return { bytes: Buffer.concat([b.subarray(0, p), b.subarray(p + n)]), op: `delete@${p}-${n}` };
    }
    case 'duplicate': {
      const p = pos(1);
      if (p < 0) break;
      const n = rng.int(1, Math.min(32, len - p));
      const at = rng.int(from, len);
      const copy = Buffer.from(b.subarray(p, p + n));
      return {
        bytes: Buffer.concat([b.subarray(0, at), copy, b.subarray(at)]),
        op: `duplicate@${p}-${n}>${at}`,
      };
    }
  }
  return { bytes: b, op: `${kind}:skipped` };
}
