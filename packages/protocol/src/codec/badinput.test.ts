import { decodeRequest, encodeRequest, allApis, versionRange } from '../api';
import { ErrorCode, KafkaError } from '../errors';
import { FrameDecoder } from './frame';
import { peekRequestIds } from './header';
import { Rng, seedFromEnv } from '../testing/random';
import { sampleMessage } from '../testing/sample';

const seed = seedFromEnv();

/** Decoding hostile input must end in a KafkaError naming a Kafka code, never anything else. */
function expectKafkaErrorOrValue(frame: Buffer): void {
  try {
    decodeRequest(frame);
  } catch (e) {
    if (!(e instanceof KafkaError)) throw new Error(`non-Kafka error escaped: ${(e as Error).stack}`);
    expect([ErrorCode.INVALID_REQUEST, ErrorCode.UNSUPPORTED_VERSION, ErrorCode.CORRUPT_MESSAGE]).toContain(e.code);
  }
}

function validFrame(rng: Rng): Buffer {
  const api = rng.pick(allApis());
  const { min, max } = versionRange(api);
  const version = rng.int(min, max);
  const body = sampleMessage(api.request, version, rng);
  const chunks = encodeRequest({ apiKey: api.apiKey, apiVersion: version, correlationId: rng.int(0, 1e6), clientId: 'fuzz' }, body);
  return Buffer.concat(chunks).subarray(4);
}

describe(`bad input (seed ${seed}, SAMSA_SEED to replay)`, () => {
  it('a valid frame of every kind decodes', () => {
    const rng = new Rng(seed);
    for (let i = 0; i < 300; i++) {
      const frame = validFrame(rng);
      expect(() => decodeRequest(frame)).not.toThrow();
    }
  });

  it('every truncation of valid frames fails with INVALID_REQUEST, not another exception', () => {
    const rng = new Rng(seed + 1);
    for (let i = 0; i < 150; i++) {
      const frame = validFrame(rng);
      for (let cut = 0; cut < frame.length; cut += Math.max(1, Math.floor(frame.length / 40))) {
        const truncated = frame.subarray(0, cut);
        let threw = false;
        try {
          decodeRequest(truncated);
        } catch (e) {
          threw = true;
          expect(e).toBeInstanceOf(KafkaError);
          expect((e as KafkaError).code).toBe(ErrorCode.INVALID_REQUEST);
        }
        // a cut frame can decode only when the cut lands on a shorter valid encoding; then the
        // original's trailing bytes are what is missing, which must have been nothing at all
        if (!threw) expect(cut).toBe(frame.length);
      }
    }
  });

  it('random byte flips and random frames end in a KafkaError or a value (seeded fuzz, 20k cases)', () => {
    const rng = new Rng(seed + 2);
    for (let i = 0; i < 10_000; i++) {
      const frame = Buffer.from(validFrame(rng));
      const flips = rng.int(1, 4);
      for (let f = 0; f < flips; f++) frame[rng.int(0, frame.length - 1)] = rng.int(0, 255);
      expectKafkaErrorOrValue(frame);
    }
    for (let i = 0; i < 10_000; i++) {
      const junk = rng.bytes(rng.int(0, 64));
      if (junk.length >= 2) junk.writeInt16BE(rng.pick(allApis()).apiKey, 0); // aim at real apis
      expectKafkaErrorOrValue(junk);
    }
  });

  it('a huge array count is refused before anything is allocated', () => {
    // Metadata v1: header, then topics array count 0x7fffffff with 4 bytes left
    const frame = Buffer.from([0, 3, 0, 1, 0, 0, 0, 7, 0, 1, 0x61, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
    expect(() => decodeRequest(frame)).toThrow(/count 2147483647 exceeds/);
  });

  it('a negative string length other than -1 is refused', () => {
    // Metadata v0, one topic whose name length is -2
    const frame = Buffer.from([0, 3, 0, 0, 0, 0, 0, 7, 0, 1, 0x61, 0, 0, 0, 1, 0xff, 0xfe]);
    expect(() => decodeRequest(frame)).toThrow(KafkaError);
  });

  it('an unknown api key and an unsupported version are typed errors carrying the ids', () => {
    const unknown = Buffer.from([0x7f, 0x00, 0, 0, 0, 0, 0, 9, 0xff, 0xff]);
    expect(() => decodeRequest(unknown)).toThrow(KafkaError);
    expect(peekRequestIds(unknown)).toEqual({ apiKey: 0x7f00, apiVersion: 0, correlationId: 9 });
    const future = Buffer.from([0, 18, 0, 99, 0, 0, 0, 5, 0xff, 0xff, 0]);
    try {
      decodeRequest(future);
      throw new Error('should not decode');
    } catch (e) {
      expect((e as KafkaError).code).toBe(ErrorCode.UNSUPPORTED_VERSION);
    }
  });

  it('trailing bytes after a request body are refused', () => {
    const rng = new Rng(seed + 3);
    const frame = Buffer.concat([validFrame(rng), Buffer.from([1, 2, 3])]);
    expect(() => decodeRequest(frame)).toThrow(/trailing bytes/);
  });
});

describe('FrameDecoder', () => {
  const frameOf = (payload: Buffer) => {
    const b = Buffer.alloc(4 + payload.length);
    b.writeInt32BE(payload.length, 0);
    payload.copy(b, 4);
    return b;
  };

  it('splits frames across arbitrary chunk boundaries', () => {
    const rng = new Rng(seed + 4);
    const payloads = Array.from({ length: 50 }, () => rng.bytes(rng.int(0, 3000)));
    const stream = Buffer.concat(payloads.map(frameOf));
    for (let trial = 0; trial < 20; trial++) {
      const d = new FrameDecoder(1 << 20);
      const out: Buffer[] = [];
      let pos = 0;
      while (pos < stream.length) {
        const n = rng.int(1, 5000);
        out.push(...d.push(stream.subarray(pos, pos + n)).map((f) => Buffer.from(f)));
        pos += n;
      }
      expect(out.length).toBe(payloads.length);
      expect(out.every((f, i) => f.equals(payloads[i]))).toBe(true);
      expect(d.bufferedBytes).toBe(0);
    }
  });

  it('refuses a frame over the limit before buffering it', () => {
    const d = new FrameDecoder(1000);
    const head = Buffer.alloc(4);
    head.writeInt32BE(1001, 0);
    expect(() => d.push(head)).toThrow(/larger than the limit/);
  });

  it('refuses a negative frame size', () => {
    const d = new FrameDecoder(1000);
    expect(() => d.push(Buffer.from([0xff, 0xff, 0xff, 0xfe]))).toThrow(/negative frame size/);
  });
});
