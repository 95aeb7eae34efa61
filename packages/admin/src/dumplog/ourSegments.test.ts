import { topicPartition } from '@samsa/common';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildBatch, CompressionType } from '@samsa/protocol';
import { LogConfig, LogManager } from '@samsa/storage';
import { runDumpLog } from './DumpLogSegments';

/**
 * Segments, indexes and time indexes written by OUR storage engine, dumped by our kafka-dump-log,
 * have the structure of Kafka's dumps (../fixtures/dump-log-T-0.txt): the same lines with the same
 * fields in the same order, and values that agree with each other (offsets follow on, positions add
 * up to the file size, index entries point at batch starts).
 */
const BATCH_LINE =
  /^baseOffset: (\d+) lastOffset: (\d+) count: (\d+) baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: (\d+) isTransactional: false isControl: false position: (\d+) CreateTime: (\d+) isvalid: true size: (\d+) magic: 2 compresscodec: (NONE|GZIP|SNAPPY|LZ4|ZSTD) crc: (\d+)$/;
const RECORD_LINE =
  /^offset: (\d+) position: (\d+) CreateTime: (\d+) isvalid: true keysize: (-?\d+) valuesize: (\d+) magic: 2 compresscodec: (NONE|GZIP|SNAPPY|LZ4|ZSTD) producerId: -1 producerEpoch: -1 sequence: -1 isTransactional: false headerKeys: \[([^\]]*)\]( key: \S+)? payload: \S+$/;

let dir: string;
let logDir: string;

function dump(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runDumpLog(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dump-ours-'));
  const manager = new LogManager({
    logDirs: [dir],
    brokerId: 0,
    defaultConfig: LogConfig.of({ segmentBytes: 4096, indexIntervalBytes: 512 }),
  });
  await manager.startup();
  const log = manager.getOrCreateLog(topicPartition('T', 0), undefined, true);
  const codecs = [
    CompressionType.None,
    CompressionType.Gzip,
    CompressionType.Snappy,
    CompressionType.Lz4,
    CompressionType.Zstd,
  ];
  for (let i = 0; i < 150; i++) {
    const batch = buildBatch(
      Array.from({ length: 3 }, (_, j) => ({
        key: j === 0 ? null : `key-${i}-${j}`,
        value: `value-${i}-${j}-${'x'.repeat(40)}`,
        headers: j === 1 ? [{ key: 'h1', value: 'v1' }] : [],
        timestamp: 1_795_000_000_000 + i * 10 + j,
      })),
      { compression: codecs[i % codecs.length], baseTimestamp: 1_795_000_000_000 + i * 10 },
    );
    await log.appendAsLeader(batch, 0).written;
  }
  await manager.shutdown();
  logDir = path.join(dir, 'T-0');
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function rolledSegment(): string {
  const logs = fs
    .readdirSync(logDir)
    .filter((f) => f.endsWith('.log'))
    .sort();
  expect(logs.length).toBeGreaterThan(2);
  return path.join(logDir, logs[0]);
}

test('batchLinesHaveKafkasFieldsAndConsistentOffsetsAndPositions', () => {
  const seg = rolledSegment();
  const { code, out } = dump('--files', seg);
  expect(code).toBe(0);
  expect(out[0]).toBe(`Dumping ${seg}`);
  expect(out[1]).toBe('Starting offset: 0');
  const batches = out.slice(2).filter((l) => l !== '');
  expect(batches.length).toBeGreaterThan(1);
  let nextOffset = 0;
  let nextPosition = 0;
  for (const line of batches) {
    const m = BATCH_LINE.exec(line);
    expect(m).not.toBeNull();
    const [, base, last, count, , position, , size] = m!.map(Number);
    expect(base).toBe(nextOffset);
    expect(last - base + 1).toBe(count);
    expect(position).toBe(nextPosition);
    nextOffset = last + 1;
    nextPosition += size;
  }
  expect(nextPosition).toBe(fs.statSync(seg).size);
});

test('deepIterationWithDataPrintsEveryRecordLikeKafka', () => {
  const { code, out } = dump('--files', rolledSegment(), '--deep-iteration', '--print-data-log');
  expect(code).toBe(0);
  const records = out.slice(2).filter((l) => l.startsWith('offset: '));
  expect(records.length).toBeGreaterThan(3);
  records.forEach((line, i) => {
    const m = RECORD_LINE.exec(line);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(i);
    // the first record of each batch has a null key (keysize -1, no key field), the second a header
    if (i % 3 === 0) expect([m![4], m![8]]).toEqual(['-1', undefined]);
    if (i % 3 === 1) expect(m![7]).toBe('h1');
  });
});

test('theRolledSegmentsIndexesPointAtBatchStartsAndPassTheSanityCheck', () => {
  const seg = rolledSegment();
  const index = seg.replace(/\.log$/, '.index');
  const timeindex = seg.replace(/\.log$/, '.timeindex');
  const batchLines = dump('--files', seg).out.filter((l) => l.startsWith('baseOffset: '));
  const batchStarts = new Map(
    batchLines.map((l) => {
      const m = BATCH_LINE.exec(l)!;
      return [Number(m[1]), Number(m[5])];
    }),
  );

  const idx = dump('--files', index);
  expect(idx.code).toBe(0);
  expect(idx.out[0]).toBe(`Dumping ${index}`);
  const entries = idx.out.slice(1).filter((l) => /^offset: \d+ position: \d+$/.test(l));
  expect(entries.length).toBeGreaterThan(0);
  expect(fs.statSync(index).size).toBe(entries.length * 8); // trimmed on roll, as Kafka does
  for (const e of entries) {
    const [, offset, position] = /^offset: (\d+) position: (\d+)$/.exec(e)!.map(Number);
    // an index entry names the last offset of the batch that starts at its position
    const base = [...batchStarts].find(([, pos]) => pos === position);
    expect(base).toBeDefined();
    expect(offset).toBeGreaterThanOrEqual(base![0]);
  }

  const ti = dump('--files', timeindex);
  expect(ti.code).toBe(0);
  const tEntries = ti.out.slice(1).filter((l) => /^timestamp: \d+ offset: \d+$/.test(l));
  expect(tEntries.length).toBeGreaterThan(0);
  const timestamps = tEntries.map((l) => Number(/^timestamp: (\d+)/.exec(l)![1]));
  expect([...timestamps].sort((a, b) => a - b)).toEqual(timestamps);

  const sane = dump('--files', `${index},${timeindex}`, '--index-sanity-check');
  expect(sane.code).toBe(0);
  expect(sane.out.join('\n')).not.toMatch(/fail|corrupt|mismatch/i);
});
