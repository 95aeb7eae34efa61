import { ApiKey, apiSpec, decodeRequest, encodeRequest, requestHeaderVersion } from '@samsa/protocol';
import { knownApiKeys, produceRecordsCase, validRequestFrame, type FuzzTarget } from './corpus';
import { mutate } from './mutate';
import { Rng, smallLength, weighted } from './random';

/**
 * The wire fuzzer's cases. Case i of seed s is a function of (s, i) alone, so one case is replayed
 * from the two numbers a failure prints. Kinds:
 *   random     a header with an api key and version among those served and out of range, then random bytes
 *   mutated    a valid request of a served API (corpus.ts), damaged by mutate.ts
 *   records    a Produce whose record batch (or v0/v1 message set) is damaged under a valid CRC (records.ts)
 *   valid      a valid request, undamaged (handlers meet sampled values)
 *   lyingSize  a frame whose int32 size prefix is not its length: longer (within and past
 *              socket.request.max.bytes), shorter, zero, negative; nothing after it is a frame
 */
export type FuzzCaseKind = 'random' | 'mutated' | 'records' | 'valid' | 'lyingSize';

/** What the broker advertises (ApiVersions). */
export interface ServedApi {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

export interface FuzzContext {
  readonly seed: number;
  readonly served: readonly ServedApi[];
  readonly target: FuzzTarget;
  /** socket.request.max.bytes of the broker. */
  readonly requestMaxBytes: number;
}

export interface FuzzCase {
  readonly seed: number;
  readonly index: number;
  readonly kind: FuzzCaseKind;
  readonly apiKey: number;
  readonly apiVersion: number;
  /** How it was made: the mutations, the records' damage. */
  readonly description: string;
  /** The bytes to write, size prefix included. */
  readonly wire: Buffer;
  /** Offsets at which the write is split (the broker's frame decoder sees the pieces apart). */
  readonly splitAt: readonly number[];
  /** The size prefix lies: nothing after it on the connection can be read as a frame. */
  readonly endsConnection: boolean;
  /** The frame is a valid request: the broker must answer it (or, Produce acks=0, not). */
  readonly mustAnswer: boolean;
}

/** The PRNG of one case: seeded from the run's seed and the case's index. */
export function caseRng(seed: number, index: number): Rng {
  return new Rng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
}

const KINDS: readonly (readonly [number, FuzzCaseKind])[] = [
  [15, 'random'],
  [50, 'mutated'],
  [20, 'records'],
  [8, 'valid'],
  [7, 'lyingSize'],
];

/** Case `index` of the run. */
export function generateCase(ctx: FuzzContext, index: number): FuzzCase {
  const rng = caseRng(ctx.seed, index);
  const kind = weighted(rng, KINDS);
  const correlationId = index;
  const base = { seed: ctx.seed, index, kind };
  switch (kind) {
    case 'random': {
      const { apiKey, apiVersion } = randomIds(rng, ctx.served);
      const payload = Buffer.concat([
        header(rng, apiKey, apiVersion, correlationId),
        rng.bytes(smallLength(rng, 512)),
      ]);
      return finish(rng, {
        ...base,
        apiKey,
        apiVersion,
        description: 'random body',
        payload,
        mustAnswer: false,
      });
    }
    case 'valid':
    case 'mutated': {
      const api = rng.pick(ctx.served);
      const apiVersion = rng.int(api.minVersion, api.maxVersion);
      const valid = validRequestFrame(rng, api.apiKey, apiVersion, correlationId, ctx.target);
      if (kind === 'valid') {
        return finish(rng, {
          ...base,
          apiKey: api.apiKey,
          apiVersion,
          description: 'valid',
          payload: valid,
          mustAnswer: true,
        });
      }
      // mostly past the header, so the damage reaches the body's decoder and the handler
      const protectedBytes = rng.bool(0.85) ? headerLength(valid, api.apiKey, apiVersion) : 0;
      const m = mutate(valid, rng, { protectedBytes });
      return finish(rng, {
        ...base,
        apiKey: api.apiKey,
        apiVersion,
        description: m.ops.join(' '),
        payload: m.bytes,
        mustAnswer: false,
      });
    }
    case 'records': {
      const produce = ctx.served.find((a) => a.apiKey === ApiKey.Produce)!;
      const apiVersion = rng.int(produce.minVersion, produce.maxVersion);
      const { body, description } = produceRecordsCase(rng, apiVersion, ctx.target);
      const payload = Buffer.concat(
        encodeRequest({ apiKey: ApiKey.Produce, apiVersion, correlationId, clientId: 'wire-fuzz' }, body),
      ).subarray(4);
      return finish(rng, {
        ...base,
        apiKey: ApiKey.Produce,
        apiVersion,
        description,
        payload,
        mustAnswer: true,
      });
    }
    case 'lyingSize': {
      const api = rng.pick(ctx.served);
      const apiVersion = rng.int(api.minVersion, api.maxVersion);
      const payload = validRequestFrame(rng, api.apiKey, apiVersion, correlationId, ctx.target);
      const size = weighted(rng, [
        [3, payload.length + rng.int(1, 64)],
        [2, payload.length + rng.int(1, 1 << 20)],
        [1, ctx.requestMaxBytes],
        [1, ctx.requestMaxBytes + 1],
        [1, 0x7fffffff],
        [1, -1],
        [1, -0x80000000],
        [2, Math.max(0, payload.length - rng.int(1, 16))],
        [1, 0],
        [1, rng.int(1, 7)],
      ] as const);
      const prefix = Buffer.alloc(4);
      prefix.writeInt32BE(size);
      const wire = Buffer.concat([prefix, payload]);
      return {
        ...base,
        apiKey: api.apiKey,
        apiVersion,
        description: `size prefix ${size} for ${payload.length} bytes`,
        wire,
        splitAt: splits(rng, wire.length),
        endsConnection: true,
        mustAnswer: false,
      };
    }
  }
}

function finish(
  rng: Rng,
  c: Omit<FuzzCase, 'wire' | 'splitAt' | 'endsConnection' | 'mustAnswer'> & {
    payload: Buffer;
    mustAnswer: boolean;
  },
): FuzzCase {
  const { payload, ...rest } = c;
  // acks=0: nothing comes back, and a refused one closes the connection (Kafka's way to tell)
  if (rest.mustAnswer && rest.apiKey === ApiKey.Produce && decodeRequest(payload).body.acks === 0) {
    rest.mustAnswer = false;
  }
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(payload.length);
  const wire = Buffer.concat([prefix, payload]);
  return { ...rest, wire, splitAt: splits(rng, wire.length), endsConnection: false };
}

/** One write in four is split at 1–3 places. */
function splits(rng: Rng, length: number): number[] {
  if (length < 2 || rng.bool(0.75)) return [];
  const at = Array.from({ length: rng.int(1, 3) }, () => rng.int(1, length - 1));
  return [...new Set(at)].sort((a, b) => a - b);
}

/** An api key and version: served and in range, served and out of range, or not served at all. */
function randomIds(rng: Rng, served: readonly ServedApi[]): { apiKey: number; apiVersion: number } {
  const choice = weighted(rng, [
    [5, 'served'],
    [2, 'servedBadVersion'],
    [1, 'known'],
    [1, 'any'],
  ] as const);
  if (choice === 'served' || choice === 'servedBadVersion') {
    const api = rng.pick(served);
    const apiVersion =
      choice === 'served'
        ? rng.int(api.minVersion, api.maxVersion)
        : rng.pick([-1, api.maxVersion + 1, api.maxVersion + rng.int(2, 100), 0x7fff, -0x8000]);
    return { apiKey: api.apiKey, apiVersion };
  }
  const apiKey = choice === 'known' ? rng.pick(knownApiKeys()) : rng.int(-0x8000, 0x7fff);
  return { apiKey, apiVersion: rng.int(-1, 15) };
}

/** A request header as the version wants it, with now and then a null, empty or lying client id. */
function header(rng: Rng, apiKey: number, apiVersion: number, correlationId: number): Buffer {
  const flexible = apiSpec(apiKey)?.request.flexibleVersions;
  const headerVersion = requestHeaderVersion(apiKey, apiVersion, flexible);
  const fixed = Buffer.alloc(8);
  fixed.writeInt16BE(apiKey, 0);
  fixed.writeInt16BE(apiVersion, 2);
  fixed.writeInt32BE(correlationId, 4);
  if (headerVersion === 0) return fixed;
  const clientId = weighted(rng, [
    [6, Buffer.from('\x00\x09wire-fuzz', 'latin1')],
    [1, Buffer.from([0xff, 0xff])],
    [1, Buffer.from([0x00, 0x00])],
    [1, Buffer.from([0x7f, 0xff, 0x61])],
    [1, Buffer.from([0x80, 0x00])],
  ] as const);
  const tags = headerVersion === 2 ? Buffer.from([rng.bool(0.8) ? 0 : rng.int(0, 255)]) : Buffer.alloc(0);
  return Buffer.concat([fixed, clientId, tags]);
}

/** Bytes of a valid frame's request header (ids, client id, tagged fields). */
function headerLength(frame: Buffer, apiKey: number, apiVersion: number): number {
  const hv = requestHeaderVersion(apiKey, apiVersion, apiSpec(apiKey)?.request.flexibleVersions);
  if (hv === 0) return 8;
  const clientIdLength = Math.max(0, frame.readInt16BE(8));
  return 10 + clientIdLength + (hv === 2 ? 1 : 0);
}
