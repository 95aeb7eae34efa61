import { readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { OffsetIndex } from './OffsetIndex';
import { TimeIndex } from './TimeIndex';
import { tempDir } from './testing/helpers';

describe('OffsetIndex and TimeIndex', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  test('newIndexIsPreallocatedLikeKafkaAndTrimmedOnClose', () => {
    const p = path.join(dir, '00000000000000000147.index');
    const idx = new OffsetIndex(p, 147, 10 * 1024 * 1024);
    expect(statSync(p).size).toBe(10485760);
    idx.append(277, 14187);
    idx.close();
    // the bytes of segdemo-0/00000000000000000147.index from Kafka 2.1
    expect(readFileSync(p).toString('hex')).toBe('00000082' + '0000376b');
    const t = path.join(dir, '00000000000000000147.timeindex');
    const ti = new TimeIndex(t, 147, 10 * 1024 * 1024);
    expect(statSync(t).size).toBe(10485756);
    ti.maybeAppend(1795302968867, 277);
    ti.maybeAppend(1795302968883, 280, true);
    ti.close();
    expect(readFileSync(t).toString('hex')).toBe('000001a200654e2300000082' + '000001a200654e3300000085');
  });

  test('lookupFindsTheLargestEntryAtOrBelowTheTarget', () => {
    const idx = new OffsetIndex(path.join(dir, 'a.index'), 100, 4096);
    for (let i = 1; i <= 100; i++) idx.append(100 + i * 10, i * 1000);
    expect(idx.lookup(50)).toEqual({ offset: 100, position: 0 });
    expect(idx.lookup(109)).toEqual({ offset: 100, position: 0 });
    expect(idx.lookup(110)).toEqual({ offset: 110, position: 1000 });
    expect(idx.lookup(555)).toEqual({ offset: 550, position: 45000 });
    expect(idx.lookup(1e9)).toEqual({ offset: 1100, position: 100000 });
    expect(idx.fetchUpperBoundOffset({ offset: 110, position: 1000 }, 2500)).toEqual({
      offset: 140,
      position: 4000,
    });
  });

  test('truncateToDropsTheEntryForTheOffsetAndEverythingAfter', () => {
    const idx = new OffsetIndex(path.join(dir, 'b.index'), 0, 4096);
    for (let i = 1; i <= 10; i++) idx.append(i * 10, i * 100);
    idx.truncateTo(50);
    expect(idx.entries).toBe(4);
    expect(idx.lastOffset).toBe(40);
    idx.truncateTo(35);
    expect(idx.entries).toBe(3);
    idx.truncateTo(1000);
    expect(idx.entries).toBe(3);
    idx.truncateTo(0);
    expect(idx.entries).toBe(0);
    expect(idx.lastOffset).toBe(0);
  });

  test('appendingANonIncreasingOffsetIsAProgrammerError', () => {
    const idx = new OffsetIndex(path.join(dir, 'c.index'), 0, 4096);
    idx.append(10, 100);
    expect(() => idx.append(10, 200)).toThrow(/not larger/);
    const full = new OffsetIndex(path.join(dir, 'd.index'), 0, 16);
    full.append(1, 1);
    full.append(2, 2);
    expect(full.isFull).toBe(true);
    expect(() => full.append(3, 3)).toThrow(/full/);
  });

  test('timeIndexKeepsOneSlotForTheRollEntryAndOnlyGrowingTimestamps', () => {
    const ti = new TimeIndex(path.join(dir, 'e.timeindex'), 0, 36);
    expect(ti.maxEntries).toBe(3);
    ti.maybeAppend(100, 5);
    ti.maybeAppend(100, 6); // same timestamp: ignored
    ti.maybeAppend(200, 7);
    expect(ti.entries).toBe(2);
    expect(ti.isFull).toBe(true);
    ti.maybeAppend(300, 9, true);
    expect(ti.entries).toBe(3);
    expect(ti.lookup(250)).toEqual({ timestamp: 200, offset: 7 });
    expect(ti.lookup(50)).toEqual({ timestamp: -1, offset: 0 });
    ti.truncateTo(7);
    expect(ti.lastEntry).toEqual({ timestamp: 100, offset: 5 });
  });

  test('reopenedIndexIsReadLazilyAndCorruptionIsReported', () => {
    const p = path.join(dir, '00000000000000000000.index');
    const idx = new OffsetIndex(p, 0, 4096);
    idx.append(10, 100);
    idx.append(20, 200);
    idx.close();
    const again = new OffsetIndex(p, 0, 4096, false);
    expect(again.isLoaded).toBe(false);
    expect(again.load()).toBeNull();
    expect(again.lookup(25)).toEqual({ offset: 20, position: 200 });
    // entries out of order
    writeFileSync(p, Buffer.from('00000014000000c8' + '0000000a00000064', 'hex'));
    expect(new OffsetIndex(p, 0, 4096, false).load()).toMatch(/does not follow/);
    // a length that is not a multiple of 8
    writeFileSync(p, Buffer.alloc(12));
    expect(new OffsetIndex(p, 0, 4096, false).load()).toMatch(/multiple of 8/);
    // preallocated zeros left by a crash
    writeFileSync(p, Buffer.concat([Buffer.from('0000000a00000064', 'hex'), Buffer.alloc(80)]));
    expect(new OffsetIndex(p, 0, 4096, false).load()).toMatch(/does not follow/);
  });
});
