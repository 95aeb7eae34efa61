import { Writer } from '../codec/writer';
import { ErrorCode, KafkaError } from '../errors';
import { RECORD_BATCH_OVERHEAD } from './batch';
import { buildBatch } from './record';
import { RecordFrame, sizeOfVarint, sizeOfVarlong, walkRecords } from './recordFraming';

function frames(buf: Buffer, start: number, end: number, count: number) {
  const seen: { index: number; offsetDelta: number; timestampDelta: number; key: number; value: number; headers: number }[] = [];
  walkRecords(buf, start, end, count, new RecordFrame(), (f) =>
    seen.push({ index: f.index, offsetDelta: f.offsetDelta, timestampDelta: f.timestampDelta, key: f.keyLength, value: f.valueLength, headers: f.headerCount }),
  );
  return seen;
}

function codeOf(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof KafkaError) return e.code;
    throw e;
  }
  return undefined;
}

/** One record's bytes after its length field, written with the codec's Writer. */
function body(parts: (w: Writer) => void): Buffer {
  const w = new Writer();
  parts(w);
  const b = w.toBuffer();
  return Buffer.concat([new Writer().varint(b.length).toBuffer(), b]);
}

describe('walkRecords', () => {
  test('visitsEveryRecordOfABuiltBatchWithItsFields', () => {
    const batch = buildBatch(
      [
        { key: 'k', value: Buffer.alloc(300), timestamp: 1000, headers: [{ key: 'h', value: null }] },
        { key: null, value: null, timestamp: 1000 + 2 ** 40 },
        { key: Buffer.alloc(0), value: 'v', timestamp: 999 },
      ],
      { baseTimestamp: 1000 },
    );
    expect(frames(batch, RECORD_BATCH_OVERHEAD, batch.length, 3)).toEqual([
      { index: 0, offsetDelta: 0, timestampDelta: 0, key: 1, value: 300, headers: 1 },
      { index: 1, offsetDelta: 1, timestampDelta: 2 ** 40, key: -1, value: -1, headers: 0 },
      { index: 2, offsetDelta: 2, timestampDelta: -1, key: 0, value: 1, headers: 0 },
    ]);
  });

  test('moreRecordsDeclaredThanPresentIsInvalidRecord', () => {
    const batch = buildBatch([{ value: 'a' }]);
    expect(codeOf(() => frames(batch, RECORD_BATCH_OVERHEAD, batch.length, 1000))).toBe(ErrorCode.INVALID_RECORD);
  });

  test('bytesAfterTheDeclaredRecordsAreInvalidRecord', () => {
    const batch = buildBatch([{ value: 'a' }, { value: 'b' }]);
    expect(codeOf(() => frames(batch, RECORD_BATCH_OVERHEAD, batch.length, 1))).toBe(ErrorCode.INVALID_RECORD);
  });

  test.each([
    ['a zero length', Buffer.from([0])],
    ['a length past the end', Buffer.from([0x50, 0])],
    ['a truncated varint', body((w) => w.int8(0).raw(Buffer.from([0x80])))],
    ['a key longer than the record', body((w) => w.int8(0).varlong(0).varint(0).varint(9).varint(-1).varint(0))],
    ['a key length below -1', body((w) => w.int8(0).varlong(0).varint(0).varint(-2).varint(-1).varint(0))],
    ['a negative header count', body((w) => w.int8(0).varlong(0).varint(0).varint(-1).varint(-1).varint(-1))],
    ['a huge header count', body((w) => w.int8(0).varlong(0).varint(0).varint(-1).varint(-1).varint(2 ** 30))],
    ['a null header key', body((w) => w.int8(0).varlong(0).varint(0).varint(-1).varint(-1).varint(1).varint(-1).varint(-1))],
    ['a header value past the record', body((w) => w.int8(0).varlong(0).varint(0).varint(-1).varint(-1).varint(1).varint(0).varint(5))],
    ['bytes after the headers', body((w) => w.int8(0).varlong(0).varint(0).varint(-1).varint(-1).varint(0).int8(7))],
    ['a varint of six bytes', body((w) => w.int8(0).varlong(0).raw(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])))],
  ])('%s is invalid record', (_what, record) => {
    expect(codeOf(() => frames(record, 0, record.length, 1))).toBe(ErrorCode.INVALID_RECORD);
  });

  test('sizesOfVarintsMatchWhatTheWriterWrites', () => {
    for (const v of [0, 1, -1, 63, 64, -65, 8191, 2 ** 20, -(2 ** 31), 2 ** 31 - 1]) {
      expect(sizeOfVarint(v)).toBe(new Writer().varint(v).toBuffer().length);
    }
    for (const v of [0, -1, 2 ** 40, -(2 ** 45), 1_700_000_000_000]) {
      expect(sizeOfVarlong(v)).toBe(new Writer().varlong(v).toBuffer().length);
    }
  });
});
