import { MockTime } from '@samsa/common';
import { ErrorCode } from '@samsa/protocol';
import { FetchManager, type FetchResponsePartition } from './FetchContext';
import { CachedPartition, FetchSessionCache, INVALID_SESSION_ID, nextEpoch, type FetchRequestPartition } from './FetchSession';

const EVICTION_MS = 120_000;

function req(topic: string, partition: number, fetchOffset = 0): FetchRequestPartition {
  return { topic, partition, fetchOffset, logStartOffset: 0, maxBytes: 1024, currentLeaderEpoch: 0, lastFetchedEpoch: -1 };
}

function resp(topic: string, partition: number, o: { hw?: number; records?: number; error?: number } = {}): FetchResponsePartition {
  return {
    topic,
    partition,
    summary: { errorCode: o.error ?? 0, highWatermark: o.hw ?? 10, logStartOffset: 0, preferredReadReplica: -1, recordsSize: o.records ?? 0 },
  };
}

function setup(maxEntries = 10): { time: MockTime; cache: FetchSessionCache; manager: FetchManager } {
  const time = new MockTime();
  let id = 100;
  const cache = new FetchSessionCache({ maxEntries, evictionMs: EVICTION_MS, time, nextId: () => ++id });
  return { time, cache, manager: new FetchManager({ time, cache }) };
}

/** A full fetch of `parts` answered with high watermark 10 each: the new session's id. */
function openSession(manager: FetchManager, parts: FetchRequestPartition[], follower = false): number {
  const ctx = manager.newContext({ sessionId: 0, epoch: 0 }, parts, [], follower);
  expect(ctx.kind).toBe('full');
  return ctx.updateAndGenerateResponse(parts.map((p) => resp(p.topic, p.partition))).sessionId;
}

describe('FetchMetadata epochs', () => {
  test('nextEpochWrapsToOneAndKeepsFinal', () => {
    expect(nextEpoch(0)).toBe(1);
    expect(nextEpoch(0x7fffffff)).toBe(1);
    expect(nextEpoch(-1)).toBe(-1);
  });
});

describe('FetchManager.newContext (KIP-227)', () => {
  test('aFullFetchCreatesASessionAndAnswersEveryPartition', () => {
    const { manager, cache } = setup();
    const ctx = manager.newContext({ sessionId: 0, epoch: 0 }, [req('a', 0), req('a', 1)], [], false);
    const out = ctx.updateAndGenerateResponse([resp('a', 0), resp('a', 1)]);
    expect(out.sessionId).not.toBe(INVALID_SESSION_ID);
    expect(out.partitions).toHaveLength(2);
    expect(cache.get(out.sessionId)?.epoch).toBe(1);
    expect(cache.totalPartitions).toBe(2);
  });

  test('epochMinusOneIsSessionless', () => {
    const { manager, cache } = setup();
    const ctx = manager.newContext({ sessionId: 0, epoch: -1 }, [req('a', 0)], [], false);
    expect(ctx.kind).toBe('sessionless');
    expect(ctx.updateAndGenerateResponse([resp('a', 0)]).sessionId).toBe(0);
    expect(cache.size).toBe(0);
  });

  test('anIncrementalFetchReadsTheWholeSessionAndAnswersOnlyWhatChanged', () => {
    const { manager } = setup();
    const id = openSession(manager, [req('a', 0), req('a', 1), req('b', 0)]);
    // names only a-1 (its fetch offset moved); the session still reads all three
    const ctx = manager.newContext({ sessionId: id, epoch: 1 }, [req('a', 1, 5)], [], false);
    expect(ctx.kind).toBe('incremental');
    expect(ctx.partitions().map((p) => `${p.topic}:${p.partition}@${p.fetchOffset}`)).toEqual(['a:0@0', 'a:1@5', 'b:0@0']);
    const out = ctx.updateAndGenerateResponse([resp('a', 0), resp('a', 1, { records: 100 }), resp('b', 0, { hw: 11 })]);
    expect(out.sessionId).toBe(id);
    expect(out.partitions.map((p) => `${p.topic}:${p.partition}`)).toEqual(['a:1', 'b:0']);
    // nothing new: an empty answer; the high watermark 11 was recorded
    const next = manager.newContext({ sessionId: id, epoch: 2 }, [], [], false);
    expect(next.updateAndGenerateResponse([resp('a', 0), resp('b', 0, { hw: 11 }), resp('a', 1)]).partitions).toEqual([]);
  });

  test('aPartitionAnsweredWithRecordsMovesToTheEndOfTheSession', () => {
    const { manager } = setup();
    const id = openSession(manager, [req('a', 0), req('a', 1), req('a', 2)]);
    const ctx = manager.newContext({ sessionId: id, epoch: 1 }, [], [], false);
    ctx.updateAndGenerateResponse([resp('a', 0, { records: 10 }), resp('a', 1), resp('a', 2)]);
    const again = manager.newContext({ sessionId: id, epoch: 2 }, [], [], false);
    expect(again.partitions().map((p) => p.partition)).toEqual([1, 2, 0]);
  });

  test('anErrorIsAlwaysAnsweredAndThePartitionIsSentAgainOnceItClears', () => {
    const { manager } = setup();
    const id = openSession(manager, [req('a', 0)]);
    const err = manager.newContext({ sessionId: id, epoch: 1 }, [], [], false);
    expect(err.updateAndGenerateResponse([resp('a', 0, { error: ErrorCode.NOT_LEADER_OR_FOLLOWER })]).partitions).toHaveLength(1);
    const ok = manager.newContext({ sessionId: id, epoch: 2 }, [], [], false);
    expect(ok.updateAndGenerateResponse([resp('a', 0)]).partitions).toHaveLength(1);
  });

  test('forgottenPartitionsLeaveTheSessionAndAnEmptySessionIsClosed', () => {
    const { manager, cache } = setup();
    const id = openSession(manager, [req('a', 0), req('a', 1)]);
    const ctx = manager.newContext({ sessionId: id, epoch: 1 }, [], [{ topic: 'a', partition: 0 }], false);
    expect(ctx.partitions().map((p) => p.partition)).toEqual([1]);
    expect(cache.totalPartitions).toBe(1);
    const last = manager.newContext({ sessionId: id, epoch: 2 }, [], [{ topic: 'a', partition: 1 }], false);
    expect(last.kind).toBe('sessionless');
    expect(cache.get(id)).toBeUndefined();
  });

  test('unknownSessionAnswersFetchSessionIdNotFound', () => {
    const { manager } = setup();
    const ctx = manager.newContext({ sessionId: 42, epoch: 1 }, [req('a', 0)], [], false);
    expect(ctx.kind).toBe('error');
    expect(ctx.updateAndGenerateResponse([])).toEqual({ errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, partitions: [] });
  });

  test('aWrongEpochAnswersInvalidFetchSessionEpochAndKeepsTheSession', () => {
    const { manager, cache } = setup();
    const id = openSession(manager, [req('a', 0)]);
    const ctx = manager.newContext({ sessionId: id, epoch: 5 }, [], [], false);
    expect(ctx.updateAndGenerateResponse([]).errorCode).toBe(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    expect(cache.get(id)?.epoch).toBe(1);
    // a replayed epoch is refused too: the epoch moved on with the first use
    expect(manager.newContext({ sessionId: id, epoch: 1 }, [], [], false).kind).toBe('incremental');
    expect(manager.newContext({ sessionId: id, epoch: 1 }, [], [], false).kind).toBe('error');
  });

  test('aFullFetchNamingASessionClosesIt', () => {
    const { manager, cache } = setup();
    const id = openSession(manager, [req('a', 0)]);
    const ctx = manager.newContext({ sessionId: id, epoch: 0 }, [req('a', 0)], [], false);
    expect(cache.get(id)).toBeUndefined();
    expect(ctx.updateAndGenerateResponse([resp('a', 0)]).sessionId).not.toBe(id);
  });

  test('zeroSlotsMeansNoSessions', () => {
    const { manager, cache } = setup(0);
    expect(openSession(manager, [req('a', 0)], true)).toBe(INVALID_SESSION_ID);
    expect(cache.size).toBe(0);
  });
});

describe('FetchSessionCache eviction', () => {
  const parts = (n: number) => () => Array.from({ length: n }, (_, i) => new CachedPartition('t', i, req('t', i)));

  test('aFullCacheRefusesWhileEverySessionIsYoung', () => {
    const { cache, time } = setup(2);
    cache.maybeCreateSession(time.milliseconds(), false, 1, parts(1));
    cache.maybeCreateSession(time.milliseconds(), false, 1, parts(1));
    time.sleep(1000);
    expect(cache.maybeCreateSession(time.milliseconds(), true, 100, parts(100))).toBe(INVALID_SESSION_ID);
  });

  test('aStaleSessionIsEvictedFirst', () => {
    const { cache, time } = setup(2);
    const old = cache.maybeCreateSession(time.milliseconds(), true, 50, parts(50));
    time.sleep(EVICTION_MS / 2);
    const recent = cache.maybeCreateSession(time.milliseconds(), true, 50, parts(50));
    time.sleep(EVICTION_MS / 2 + 1);
    const fresh = cache.maybeCreateSession(time.milliseconds(), false, 1, parts(1));
    expect(fresh).not.toBe(INVALID_SESSION_ID);
    expect(cache.get(old)).toBeUndefined();
    expect(cache.get(recent)).toBeDefined();
    expect(cache.evictionCount).toBe(1);
  });

  test('aFollowerEvictsTheSmallestConsumerSessionButNeverAnotherFollowers', () => {
    const { cache, time } = setup(3);
    const follower = cache.maybeCreateSession(time.milliseconds(), true, 1, parts(1));
    const small = cache.maybeCreateSession(time.milliseconds(), false, 2, parts(2));
    const big = cache.maybeCreateSession(time.milliseconds(), false, 5, parts(5));
    time.sleep(EVICTION_MS + 1);
    // all used since (not stale), and now old enough to be evictable by size
    for (const id of [follower, small, big]) cache.touch(cache.get(id)!, time.milliseconds());
    expect(cache.maybeCreateSession(time.milliseconds(), true, 1, parts(1))).not.toBe(INVALID_SESSION_ID);
    expect(cache.get(small)).toBeUndefined();
    expect(cache.get(follower)).toBeDefined();
  });

  test('aConsumerEvictsOnlyASmallerConsumerSession', () => {
    const { cache, time } = setup(2);
    const follower = cache.maybeCreateSession(time.milliseconds(), true, 1, parts(1));
    const consumer = cache.maybeCreateSession(time.milliseconds(), false, 5, parts(5));
    time.sleep(EVICTION_MS + 1);
    for (const id of [follower, consumer]) cache.touch(cache.get(id)!, time.milliseconds());
    expect(cache.maybeCreateSession(time.milliseconds(), false, 3, parts(3))).toBe(INVALID_SESSION_ID);
    expect(cache.maybeCreateSession(time.milliseconds(), false, 6, parts(6))).not.toBe(INVALID_SESSION_ID);
    expect(cache.get(consumer)).toBeUndefined();
    expect(cache.get(follower)).toBeDefined();
  });
});

describe('FetchSession unsettled partitions (what an incremental fetch reads)', () => {
  const atEnd = (topic: string, partition: number, hw = 10): FetchResponsePartition => ({
    topic,
    partition,
    summary: { errorCode: 0, highWatermark: hw, logStartOffset: 0, preferredReadReplica: -1, recordsSize: 0, atEnd: true },
  });
  const readKeys = (ctx: { partitions(): readonly FetchRequestPartition[] }) => ctx.partitions().map((p) => `${p.topic}-${p.partition}`);

  test('partitionsReadAtTheirEndAreNotReadAgainUntilTheyChangeOrAreNamed', () => {
    const { manager, cache } = setup();
    const id = openSession(manager, [req('a', 0), req('a', 1), req('b', 0)]);
    // the first incremental fetch reads the whole new session
    const first = manager.newContext({ sessionId: id, epoch: 1 }, [], [], true);
    expect(readKeys(first)).toEqual(['a-0', 'a-1', 'b-0']);
    first.updateAndGenerateResponse([atEnd('a', 0), atEnd('a', 1), resp('b', 0)]);
    // b-0 was not at its end: read again; a-0, a-1 settled
    const idle = manager.newContext({ sessionId: id, epoch: 2 }, [], [], true);
    expect(readKeys(idle)).toEqual(['b-0']);
    idle.updateAndGenerateResponse([atEnd('b', 0)]);
    const none = manager.newContext({ sessionId: id, epoch: 3 }, [], [], true);
    expect(readKeys(none)).toEqual([]);
    expect(none.updateAndGenerateResponse([]).partitions).toEqual([]);
    // a change on the broker unsettles it and names the session's watch key; a named one is read too
    expect(cache.partitionsChanged(['a-1', 'zz-9'])).toEqual([cache.get(id)!.watchKey]);
    const next = manager.newContext({ sessionId: id, epoch: 4 }, [req('b', 0, 7)], [], true);
    expect(readKeys(next)).toEqual(['a-1', 'b-0']);
    expect(next.partitions().find((p) => p.partition === 0)!.fetchOffset).toBe(7);
    // a-1's high watermark moved: answered, and settled again
    expect(next.updateAndGenerateResponse([atEnd('a', 1, 12), atEnd('b', 0)]).partitions.map((p) => p.topic)).toEqual(['a']);
    expect(readKeys(manager.newContext({ sessionId: id, epoch: 5 }, [], [], true))).toEqual([]);
  });

  test('aChangeBetweenTheReadAndTheAnswerKeepsThePartitionUnsettled', () => {
    const { manager, cache } = setup();
    const id = openSession(manager, [req('a', 0)]);
    const ctx = manager.newContext({ sessionId: id, epoch: 1 }, [], [], true);
    expect(readKeys(ctx)).toEqual(['a-0']);
    cache.partitionsChanged(['a-0']); // an append lands while the answer is being built
    ctx.updateAndGenerateResponse([atEnd('a', 0)]);
    expect(readKeys(manager.newContext({ sessionId: id, epoch: 2 }, [], [], true))).toEqual(['a-0']);
  });

  test('errorsStayUnsettledAndForgottenOrClosedSessionsHearNoMoreChanges', () => {
    const { manager, cache } = setup();
    const id = openSession(manager, [req('a', 0), req('a', 1)]);
    const ctx = manager.newContext({ sessionId: id, epoch: 1 }, [], [], true);
    ctx.partitions();
    ctx.updateAndGenerateResponse([
      { topic: 'a', partition: 0, summary: { ...atEnd('a', 0).summary, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER } },
      atEnd('a', 1),
    ]);
    const forget = manager.newContext({ sessionId: id, epoch: 2 }, [], [{ topic: 'a', partition: 0 }], true);
    expect(readKeys(forget)).toEqual([]);
    expect(cache.partitionsChanged(['a-0'])).toEqual([]);
    cache.remove(id);
    expect(cache.partitionsChanged(['a-1'])).toEqual([]);
  });
});
