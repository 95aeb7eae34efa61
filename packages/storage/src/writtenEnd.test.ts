import type { Log } from './Log';
import { batchOf, newLog, readAll, tempDir, testEnv, config } from './testing/helpers';

/**
 * Issue 13 row 8: what a reader may see of a log is what write(2) has returned for
 * (Log.writtenEndOffset). In write-behind mode an append takes its offsets at once and its bytes
 * are queued; until they are written, neither a follower (log end isolation) nor a consumer (high
 * watermark) reads them, so a kill -9 that loses them loses nothing anyone saw.
 */
describe('Log.writtenEndOffset', () => {
  let dir: string;
  let cleanup: () => void;
  let log: Log | undefined;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(async () => {
    await log?.close();
    log = undefined;
    cleanup();
  });

  const microtasks = () => new Promise((r) => setImmediate(r));

  test('writeBehind: appendedBytesAreInvisibleUntilWrittenThenReadersAreTold', async () => {
    log = newLog(dir, testEnv(), config(), 'wb-0', 'write-behind');
    let told = 0;
    log.onWrittenEndIncrement = () => told++;
    const first = log.appendAsLeader(batchOf(3), 0);
    const second = log.appendAsLeader(batchOf(2), 0);
    expect(log.logEndOffset).toBe(5);
    expect(log.writtenEndOffset).toBe(0);
    expect(log.read(0, 1 << 20).records.sizeInBytes).toBe(0); // a follower reads nothing yet
    log.maybeIncrementHighWatermark(5); // even a high watermark past them does not show them
    expect(log.read(0, 1 << 20, { isolation: 'highWatermark' }).records.sizeInBytes).toBe(0);
    await first.written;
    await second.written;
    await microtasks();
    expect(log.writtenEndOffset).toBe(5);
    expect(told).toBeGreaterThanOrEqual(1); // at most one notice per completed write, not per append
    expect(told).toBeLessThanOrEqual(2);
    expect((await readAll(log)).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4]);
    expect(log.read(0, 1 << 20, { isolation: 'highWatermark' }).records.sizeInBytes).toBeGreaterThan(0);
  });

  test('adaptive: aSynchronousWriteIsVisibleAtOnce', () => {
    log = newLog(dir, testEnv(), config(), 'ad-0', 'adaptive');
    let told = 0;
    log.onWrittenEndIncrement = () => told++;
    log.appendAsLeader(batchOf(3), 0);
    expect(log.writtenEndOffset).toBe(3);
    expect(log.read(0, 1 << 20).records.sizeInBytes).toBeGreaterThan(0);
    expect(told).toBe(0); // no notice needed: the appender moves the high watermark itself
  });

  test('writeBehind: aTruncationDropsTheWrittenEndWithTheCutAndWritesBeforeItCountNoMore', async () => {
    log = newLog(dir, testEnv(), config(), 'tr-0', 'write-behind');
    await log.appendAsLeader(batchOf(3), 0).written;
    await microtasks();
    expect(log.writtenEndOffset).toBe(3);
    const cut = log.appendAsFollower(batchOf(2, { baseOffset: 3 }));
    log.truncateTo(3);
    await cut.written.catch(() => undefined);
    await log.whenWritten();
    await microtasks();
    expect(log.logEndOffset).toBe(3);
    expect(log.writtenEndOffset).toBe(3);
    const next = log.appendAsFollower(batchOf(4, { baseOffset: 3 }));
    expect(log.writtenEndOffset).toBe(3);
    await next.written;
    await microtasks();
    expect(log.writtenEndOffset).toBe(7);
    expect((await readAll(log)).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  test('writeBehind: aNewSegmentIsVisibleOnlyAfterThePreviousOnesWrites', async () => {
    log = newLog(dir, testEnv(), config({ segmentBytes: 200 }), 'roll-0', 'write-behind');
    const infos = [0, 1, 2, 3].map(() => log!.appendAsLeader(batchOf(2, { valueBytes: 60 }), 0));
    expect(log.numberOfSegments).toBeGreaterThan(1);
    expect(log.writtenEndOffset).toBe(0);
    await Promise.all(infos.map((i) => i.written));
    await microtasks();
    expect(log.writtenEndOffset).toBe(8);
    expect((await readAll(log)).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
