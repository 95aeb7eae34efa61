import { appendFileSync, statSync } from 'node:fs';
import { assignOffsets } from '@samsa/protocol';
import { LogConfig } from './LogConfig';
import { LogSegment } from './LogSegment';
import { MemoryLogger } from '@samsa/common';
import { batchOf, tempDir } from './testing/helpers';
import { MockTime } from '@samsa/common';

describe('LogSegment', () => {
  let dir: string;
  let cleanup: () => void;
  const time = new MockTime();
  const logger = new MemoryLogger();
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  function segment(base: number, cfg = LogConfig.of({ indexIntervalBytes: 200 })): LogSegment {
    return LogSegment.open(dir, base, cfg, time, { active: true, logger });
  }

  /** Appends `count` batches of `n` records from offset `start`; returns their positions. */
  function fill(seg: LogSegment, start: number, count: number, n = 2): number[] {
    const positions: number[] = [];
    let next = start;
    for (let i = 0; i < count; i++) {
      const b = batchOf(n, { valueBytes: 50, baseTimestamp: 1000 + next });
      const end = assignOffsets(b, next, 0);
      positions.push(seg.size);
      void seg.append(end - 1, 1000 + next, end - 1, b);
      next = end;
    }
    return positions;
  }

  test('addsAnIndexEntryEveryIndexIntervalBytesForTheLastOffsetOfTheAppend', () => {
    const seg = segment(100);
    const positions = fill(seg, 100, 10);
    // the first append never gets an entry; then one whenever more than 200 bytes went by
    const entries = seg.offsetIndex.toArray();
    expect(entries.length).toBeGreaterThan(2);
    for (const e of entries) expect(positions).toContain(e.position);
    expect(entries[0].offset).toBe(100 + 2 * positions.indexOf(entries[0].position) + 1);
  });

  test('translateOffsetFindsTheBatchHoldingAnOffset', () => {
    const seg = segment(0);
    const positions = fill(seg, 0, 10);
    expect(seg.translateOffset(0)!.position).toBe(0);
    expect(seg.translateOffset(7)).toEqual({
      offset: 7,
      position: positions[3],
      size: positions[4] - positions[3],
    });
    expect(seg.translateOffset(8)!.position).toBe(positions[4]);
    expect(seg.translateOffset(20)).toBeNull();
    expect(seg.readNextOffset()).toBe(20);
  });

  test('recoverCutsBytesAfterTheLastValidBatchAndRebuildsIndexes', async () => {
    const seg = segment(0);
    fill(seg, 0, 10);
    await seg.flush();
    const entries = seg.offsetIndex.toArray();
    appendFileSync(seg.log.path, Buffer.alloc(100, 7));
    const again = LogSegment.open(dir, 0, LogConfig.of({ indexIntervalBytes: 200 }), time, {
      active: true,
      logger,
      fileAlreadyExists: true,
    });
    expect(again.size).toBe(seg.size + 100);
    expect(await again.recover()).toBe(100);
    expect(again.size).toBe(seg.size);
    expect(again.offsetIndex.toArray()).toEqual(entries);
    expect(statSync(again.log.path).size).toBe(seg.size);
    expect(again.maxTimestampSoFar).toBe(1018);
  });

  test('findOffsetByTimestampScansFromTheTimeIndexHint', () => {
    const seg = segment(0);
    fill(seg, 0, 10);
    expect(seg.findOffsetByTimestamp(1000)).toMatchObject({ offset: 0, timestamp: 1000 });
    expect(seg.findOffsetByTimestamp(1005)).toMatchObject({ offset: 6, timestamp: 1006 });
    expect(seg.findOffsetByTimestamp(1005, 9)).toMatchObject({ offset: 9, timestamp: 1008 });
    expect(seg.findOffsetByTimestamp(5000)).toBeNull();
  });

  test('truncateToCutsTheBatchHoldingTheOffsetAndItsIndexEntries', () => {
    const seg = segment(0);
    const positions = fill(seg, 0, 10);
    const removed = seg.size - positions[4];
    expect(seg.truncateTo(9)).toBe(removed);
    expect(seg.size).toBe(positions[4]);
    expect(seg.readNextOffset()).toBe(8);
    for (const e of seg.offsetIndex.toArray()) expect(e.offset).toBeLessThan(9);
  });

  test('rollsWhenTheOffsetIndexIsFull', () => {
    const seg = segment(0, LogConfig.of({ indexIntervalBytes: 0, segmentIndexBytes: 24 }));
    fill(seg, 0, 2);
    expect(seg.timeIndex.isFull).toBe(true); // 2 slots, one kept for the roll
    const p = {
      maxSegmentMs: 1e9,
      maxSegmentBytes: 1e9,
      maxTimestampInMessages: 0,
      maxOffsetInMessages: 8,
      messagesSize: 10,
      now: 0,
    };
    expect(seg.shouldRoll(p)).toBe(true);
  });
});
