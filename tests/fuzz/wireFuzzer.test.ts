import { ApiKey, BatchField, crc32, crc32c, decodeBatch } from '@samsa/protocol';
import type { FuzzTarget } from './corpus';
import { applyMutation, mutate } from './mutate';
import { fuzzCases, fuzzSeed, Rng } from './random';
import { fuzzMessageSet, fuzzRecordBatch } from './records';
import { caseRng, generateCase, type FuzzContext, type ServedApi } from './WireFuzzer';

/**
 * The fuzzing library itself, without a broker: cases are a function of (seed, index), every kind
 * is produced, and damaged records carry checksums that are right.
 */
const seed = fuzzSeed();

const target: FuzzTarget = {
  brokerId: 0,
  host: '127.0.0.1',
  port: 9092,
  topics: ['fuzz-target'],
  absentTopics: ['fuzz-absent-0', 'fuzz-absent-1'],
};

/** What a Samsa broker advertises today (enough for the generator; the integration test asks the broker). */
const served: ServedApi[] = [
  [ApiKey.Produce, 8],
  [ApiKey.Fetch, 12],
  [ApiKey.Metadata, 9],
  [ApiKey.LeaderAndIsr, 5],
  [ApiKey.StopReplica, 3],
  [ApiKey.UpdateMetadata, 7],
  [ApiKey.ControlledShutdown, 3],
  [ApiKey.JoinGroup, 7],
  [ApiKey.ApiVersions, 3],
  [ApiKey.CreateTopics, 6],
].map(([apiKey, maxVersion]) => ({ apiKey, minVersion: 0, maxVersion }));

const context: FuzzContext = { seed, served, target, requestMaxBytes: 104_857_600 };

describe(`the wire fuzzer's library (seed ${seed}, SAMSA_FUZZ_SEED to replay)`, () => {
  it('aCaseIsAFunctionOfSeedAndIndex', () => {
    for (const index of [0, 1, 17, 4096]) {
      expect(generateCase(context, index).wire).toEqual(generateCase(context, index).wire);
    }
    expect(caseRng(seed, 1).next()).not.toBe(caseRng(seed, 2).next());
  });

  it('everyKindIsGeneratedAndEveryServedApiIsMutated', () => {
    const kinds = new Set<string>();
    const mutatedApis = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const c = generateCase(context, i);
      kinds.add(c.kind);
      if (c.kind === 'mutated') mutatedApis.add(c.apiKey);
      if (!c.endsConnection) expect(c.wire.readInt32BE(0)).toBe(c.wire.length - 4);
    }
    expect([...kinds].sort()).toEqual(['lyingSize', 'mutated', 'random', 'records', 'valid']);
    expect([...mutatedApis].sort((a, b) => a - b)).toEqual(served.map((a) => a.apiKey).sort((a, b) => a - b));
  });

  it('damagedRecordBatchesCarryAValidCrc32c', () => {
    const rng = new Rng(seed);
    let checked = 0;
    for (let i = 0; i < 300; i++) {
      const { bytes, description } = fuzzRecordBatch(rng);
      if (/batchLength|twoBatches/.test(description) || bytes.length < 61) continue;
      expect(bytes.readUInt32BE(BatchField.CRC)).toBe(crc32c(bytes, BatchField.ATTRIBUTES, bytes.length));
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('aValidRecordBatchDecodes', () => {
    const rng = new Rng(seed + 1);
    for (let i = 0; i < 200; i++) {
      const { bytes, description } = fuzzRecordBatch(rng);
      if (description.endsWith(' valid')) expect(decodeBatch(bytes).records.length).toBeGreaterThan(0);
    }
  });

  it('damagedMessageSetsCarryValidCrc32s', () => {
    const rng = new Rng(seed + 2);
    for (let i = 0; i < 300; i++) {
      const { bytes } = fuzzMessageSet(rng, rng.bool() ? 1 : 0);
      // every entry whose size field stays inside the set is sealed
      let pos = 0;
      while (bytes.length - pos >= 17) {
        const size = bytes.readInt32BE(pos + 8);
        if (size < 5 || pos + 12 + size > bytes.length) break;
        expect(bytes.readUInt32BE(pos + 12)).toBe(crc32(bytes, pos + 16, pos + 12 + size));
        pos += 12 + size;
      }
    }
  });

  it('mutationsLeaveTheProtectedHeaderAlone', () => {
    const rng = new Rng(seed + 3);
    const input = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
    for (let i = 0; i < 500; i++) {
      const { bytes } = mutate(input, rng, { protectedBytes: 10 });
      expect(bytes.subarray(0, 10)).toEqual(input.subarray(0, 10));
    }
  });

  it('anOverlongVarintKeepsItsValueAndGrowsByItsRedundantBytes', () => {
    const { bytes, op } = applyMutation(Buffer.from([0x05, 0x01]), 'overlongVarint', 0, new Rng(7));
    const extra = Number(/\+(\d+)$/.exec(op)![1]);
    expect(bytes.length).toBe(2 + extra);
    expect(bytes[extra]).toBe(0x00);
    expect(bytes[bytes.length - 1]).toBe(0x01);
  });

  it('theCaseCountComesFromTheEnvironment', () => {
    const saved = process.env.SAMSA_FUZZ_CASES;
    try {
      process.env.SAMSA_FUZZ_CASES = '100000';
      expect(fuzzCases(3000)).toBe(100_000);
      delete process.env.SAMSA_FUZZ_CASES;
      expect(fuzzCases(3000)).toBe(3000);
    } finally {
      if (saved === undefined) delete process.env.SAMSA_FUZZ_CASES;
      else process.env.SAMSA_FUZZ_CASES = saved;
    }
  });
});
