import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildBatch, CompressionType, encodeMessageSet } from '@samsa/protocol';
import { runDumpLog } from './DumpLogSegments';

/**
 * kafka-dump-log against a segment written by a real Kafka 2.1 broker, compared with that Kafka's
 * own kafka-dump-log.sh output (fixtures/dump-log-T-0.txt), and against files built to reproduce
 * the other cases of the captures (segdemo.txt): preallocated active indexes, index entries that
 * miss their batch, a time index pointing inside a batch, an empty producer snapshot.
 */
const SEGMENT = path.join(
  __dirname,
  '..',
  '..',
  '..',
  'protocol',
  'src',
  'records',
  'fixtures',
  'kafka-2.1-T-0.log',
);
const CAPTURE = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'dump-log-T-0.txt'), 'utf8');
const CAPTURED_DIR = '<log.dir of broker 0>/T-0';
const NAME = '00000000000000000000';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dump-log-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, bytes);
  return p;
}

function dump(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runDumpLog(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

/** The capture's output of `kafka-dump-log.sh --files …/T-0/<file> <flags>` (up to the blank line). */
function captured(fileAndFlags: string): string[] {
  const lines = CAPTURE.split('\n');
  const start = lines.indexOf(`$ bin/kafka-dump-log.sh --files ${CAPTURED_DIR}/${fileAndFlags}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && (l === '' || l.startsWith('$') || l.startsWith('...')));
  return lines.slice(start + 1, end);
}

const segmentBytes = (): Buffer => fs.readFileSync(SEGMENT);
const asCaptured = (lines: string[]): string[] => lines.map((l) => l.split(dir).join(CAPTURED_DIR));

describe('a segment written by Kafka 2.1', () => {
  test.each([[''], [' --print-data-log'], [' --deep-iteration'], [' --deep-iteration --print-data-log']])(
    'flags%sPrintWhatKafkaPrinted',
    (flags) => {
      const log = file(`${NAME}.log`, segmentBytes());
      const result = dump('--files', log, ...flags.split(' ').filter((f) => f !== ''));
      expect(result.code).toBe(0);
      expect(result.err).toEqual([]);
      expect(asCaptured(result.out)).toEqual(captured(`${NAME}.log${flags}`));
    },
  );

  test('aPreallocatedActiveIndexPrintsOneEntry', () => {
    file(`${NAME}.log`, segmentBytes());
    const index = file(`${NAME}.index`, Buffer.alloc(10485760));
    const result = dump('--files', index);
    expect(asCaptured(result.out)).toEqual([
      `Dumping ${CAPTURED_DIR}/${NAME}.index`,
      'offset: 0 position: 0',
    ]);
    expect(result.err).toEqual([]);
  });

  test('aPreallocatedActiveTimeIndexPrintsEverySlotAndReportsEachAsNotFound', () => {
    file(`${NAME}.log`, segmentBytes());
    const timeIndex = file(`${NAME}.timeindex`, Buffer.alloc(10485756));
    const { out, err } = dump('--files', timeIndex);
    // the capture: 1747628 lines in all, stdout and stderr together
    expect(out.length + err.length).toBe(1747628);
    expect(out.slice(1, 4)).toEqual([
      'timestamp: 0 offset: 0',
      'timestamp: 0 offset: 0',
      'timestamp: 0 offset: 0',
    ]);
    expect(err.slice(0, 2)).toEqual([
      'The following indexed offsets are not found in the log.',
      'Indexed offset: 0, found log offset: 1',
    ]);
  });
});

describe('indexes checked against their log', () => {
  const entry = (rel: number, pos: number): Buffer => {
    const b = Buffer.alloc(8);
    b.writeInt32BE(rel, 0);
    b.writeInt32BE(pos, 4);
    return b;
  };
  const timeEntry = (ts: number, rel: number): Buffer => {
    const b = Buffer.alloc(12);
    b.writeBigInt64BE(BigInt(ts), 0);
    b.writeInt32BE(rel, 8);
    return b;
  };

  test('anEntryPointingPastItsOffsetIsAMismatch', () => {
    // like segdemo's 00000000000000000147.index: offset 3 at the batch holding 2..4
    file(`${NAME}.log`, segmentBytes());
    const index = file(`${NAME}.index`, entry(3, 109));
    const { out, err } = dump('--files', index);
    expect(out).toEqual([`Dumping ${index}`, 'offset: 3 position: 109']);
    expect(err).toEqual([`Mismatches in :${index}`, '  Index offset: 3, log offset: 2']);
  });

  test('anEmptyIndexPrintsNothing', () => {
    file(`${NAME}.log`, segmentBytes());
    const index = file(`${NAME}.index`, Buffer.alloc(0));
    expect(dump('--files', index)).toEqual({ code: 0, out: [`Dumping ${index}`], err: [] });
  });

  test('timeIndexEntriesMatchTheirBatchesTimestamps', () => {
    file(`${NAME}.log`, segmentBytes());
    file(`${NAME}.index`, entry(2, 109));
    // 1: the first batch's last offset and max timestamp; 4: right offset, wrong time; then an
    // entry inside a batch (like segdemo's 0.timeindex) and one going back in time
    const timeIndex = file(
      `${NAME}.timeindex`,
      Buffer.concat([timeEntry(1795302842251, 1), timeEntry(1795302842999, 4), timeEntry(1795302842700, 3)]),
    );
    const { out, err } = dump('--files', timeIndex);
    expect(out).toEqual([
      `Dumping ${timeIndex}`,
      'timestamp: 1795302842251 offset: 1',
      'timestamp: 1795302842999 offset: 4',
      'timestamp: 1795302842700 offset: 3',
    ]);
    expect(err).toEqual([
      `Found timestamp mismatch in :${timeIndex}`,
      '  Index timestamp: 1795302842999, log timestamp: 1795302842680',
      'The following indexed offsets are not found in the log.',
      'Indexed offset: 3, found log offset: 4',
    ]);
  });

  test('sanityCheckOnlyReportsTheVerdict', () => {
    file(`${NAME}.log`, segmentBytes());
    const index = file(`${NAME}.index`, entry(2, 109));
    expect(dump('--files', index, '--index-sanity-check').out).toEqual([
      `Dumping ${index}`,
      `${index} passed sanity check.`,
    ]);
    const bad = file(`${NAME}.index`, Buffer.concat([entry(3, 109), entry(2, 50)]));
    const result = dump('--files', bad, '--index-sanity-check');
    expect(result.code).toBe(1);
    expect(result.err).toHaveLength(1);
  });

  test('aMissingLogIsOneErrorLine', () => {
    const index = file(`${NAME}.index`, entry(0, 0));
    const result = dump('--files', index);
    expect(result.code).toBe(1);
    expect(result.err).toEqual([expect.stringMatching(/^Error while dumping .*: ENOENT/)]);
  });
});

describe('other files and records', () => {
  test('theCapturedEmptyProducerSnapshotPrintsNothing', () => {
    const snapshot = file('00000000000000000147.snapshot', Buffer.from('000148674bc700000000', 'hex'));
    expect(dump('--files', snapshot)).toEqual({ code: 0, out: [`Dumping ${snapshot}`], err: [] });
    const corrupt = file('00000000000000000148.snapshot', Buffer.from('000148674bc800000000', 'hex'));
    expect(dump('--files', corrupt).err).toEqual([
      'Snapshot is corrupt (CRC is no longer valid). Stored crc: 1214729160. Computed crc: 1214729159',
    ]);
  });

  test('legacyMessagesPrintOffsetAndCrc', () => {
    const plain = encodeMessageSet([{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1000 }], {
      magic: 1,
      baseOffset: 0,
    });
    const zipped = encodeMessageSet(
      [
        { value: Buffer.from('a'), timestamp: 2000 },
        { value: Buffer.from('b'), timestamp: 2001 },
      ],
      { magic: 1, codec: CompressionType.Gzip, baseOffset: 1 },
    );
    const log = file(`${NAME}.log`, Buffer.concat([plain, zipped]));
    const shallow = dump('--files', log).out;
    expect(shallow[2]).toBe(
      `offset: 0 position: 0 CreateTime: 1000 isvalid: true size: ${plain.length} magic: 1 compresscodec: NONE crc: ${plain.readUInt32BE(12)}`,
    );
    expect(shallow[3]).toMatch(
      new RegExp(
        `^offset: 2 position: ${plain.length} CreateTime: 2001 isvalid: true size: ${zipped.length} magic: 1 compresscodec: GZIP crc: \\d+$`,
      ),
    );
    const deep = dump('--files', log, '--print-data-log').out;
    expect(deep[2]).toBe(
      `offset: 0 position: 0 CreateTime: 1000 isvalid: true keysize: 1 valuesize: 1 magic: 1 compresscodec: NONE crc: ${plain.readUInt32BE(12)} key: k payload: v`,
    );
    expect(deep[3]).toMatch(
      /^offset: 1 position: \d+ CreateTime: 2000 isvalid: true keysize: -1 valuesize: 1 magic: 1 compresscodec: GZIP crc: \d+ payload: a$/,
    );
    expect(deep[4]).toMatch(/^offset: 2 .* payload: b$/);
  });

  test('controlRecordsGapsCorruptionAndTrailingBytes', () => {
    const marker = buildBatch([{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0, 0, 0, 0, 5]) }], {
      baseOffset: 7,
      isControl: true,
      isTransactional: true,
      producerId: 9,
      producerEpoch: 1,
      baseTimestamp: 5,
    });
    const data = buildBatch([{ value: 'x' }], { baseOffset: 0, baseTimestamp: 5 });
    const bad = Buffer.from(data);
    bad[bad.length - 1] ^= 1;
    const log = file(`${NAME}.log`, Buffer.concat([data, marker, Buffer.alloc(5)]));
    const deep = dump('--files', log, '--print-data-log');
    expect(deep.out[3]).toBe(
      `offset: 7 position: ${data.length} CreateTime: 5 isvalid: true keysize: 4 valuesize: 6 magic: 2 compresscodec: NONE producerId: 9 producerEpoch: 1 sequence: -1 isTransactional: true headerKeys: [] endTxnMarker: COMMIT coordinatorEpoch: 5`,
    );
    expect(deep.out[4]).toBe(`Found 5 invalid bytes at the end of ${NAME}.log`);
    expect(deep.err).toEqual([`Non-consecutive offsets in :${log}`, '  0 is followed by 7']);

    const corrupt = file(`${NAME}.log`, bad);
    expect(dump('--files', corrupt).out[2]).toMatch(/ isvalid: false size: /);
    const broken = file(
      `${NAME}.log`,
      Buffer.concat([data, Buffer.from('000000000000000000000005000000000000', 'hex')]),
    );
    expect(dump('--files', broken)).toMatchObject({
      code: 1,
      err: [
        `Error while dumping ${broken}: Found record size 5 smaller than minimum record overhead (14) in file ${NAME}.log.`,
      ],
    });
  });

  test('jsonPrintsOneObjectPerLine', () => {
    const log = file(`${NAME}.log`, segmentBytes());
    const out = dump('--files', log, '--json').out.map((l) => JSON.parse(l));
    expect(out[0]).toEqual({ type: 'file', file: log });
    expect(out[1]).toEqual({ type: 'log', file: log, startingOffset: 0 });
    expect(out[2]).toMatchObject({
      type: 'batch',
      baseOffset: 0,
      lastOffset: 1,
      count: 2,
      crc: 482532756,
      isValid: true,
    });
    const records = dump('--files', log, '--json', '--print-data-log')
      .out.slice(2)
      .map((l) => JSON.parse(l));
    expect(records[0]).toMatchObject({
      type: 'record',
      offset: 0,
      key: 'key3',
      payload: 'value-3',
      headerKeys: ['h1'],
    });
    expect(records[2]).not.toHaveProperty('key');
  });
});

describe('arguments', () => {
  test('usageMistakesAreOneLine', () => {
    expect(dump('--print-data-log')).toEqual({
      code: 1,
      out: [],
      err: ['Missing required argument "[files]"'],
    });
    expect(dump('--files', 'x.log', '--bogus')).toEqual({
      code: 1,
      out: [],
      err: ['bogus is not a recognized option'],
    });
    expect(dump().code).toBe(1);
    expect(dump('--help').out[0]).toMatch(/^Parse a log file/);
  });

  test('unknownFilesAreIgnoredOnStderr', () => {
    const other = file('leader-epoch-checkpoint', Buffer.from('0\n1\n0 0\n'));
    expect(dump('--files', other)).toEqual({
      code: 0,
      out: [`Dumping ${other}`],
      err: [`Ignoring unknown file ${other}`],
    });
  });
});
