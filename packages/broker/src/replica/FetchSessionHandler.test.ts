import { ErrorCode } from '@samsa/protocol';
import type { FetchRequestPartition } from './FetchSession';
import { FetchSessionHandler } from './FetchSessionHandler';

function p(partition: number, fetchOffset = 0): FetchRequestPartition {
  return { topic: 't', partition, fetchOffset, logStartOffset: 0, maxBytes: 1024, currentLeaderEpoch: 3, lastFetchedEpoch: -1 };
}

const tps = (...ps: number[]) => ps.map((partition) => ({ topic: 't', partition }));
const names = (xs: readonly { partition: number }[]) => xs.map((x) => x.partition);

describe('FetchSessionHandler (the follower side of KIP-227)', () => {
  test('fullThenIncrementalNamingOnlyAlteredAddedAndForgotten', () => {
    const h = new FetchSessionHandler(0);
    const first = h.build([p(0), p(1), p(2)]);
    expect(first.metadata).toEqual({ sessionId: 0, epoch: 0 });
    expect(names(first.toSend)).toEqual([0, 1, 2]);
    expect(h.handleResponse({ errorCode: 0, sessionId: 77, partitions: tps(0, 1, 2) })).toBe(true);

    const idle = h.build([p(0), p(1), p(2)]);
    expect(idle.metadata).toEqual({ sessionId: 77, epoch: 1 });
    expect(idle.toSend).toEqual([]);
    expect(idle.toForget).toEqual([]);
    expect(h.handleResponse({ errorCode: 0, sessionId: 77, partitions: [] })).toBe(true);

    const changed = h.build([p(1, 5), p(2), p(3)]);
    expect(changed.metadata).toEqual({ sessionId: 77, epoch: 2 });
    expect(names(changed.toSend)).toEqual([1, 3]);
    expect(changed.toForget).toEqual(tps(0));
    expect([...changed.sessionPartitions.keys()]).toHaveLength(3);
  });

  test('aFullAnswerWithoutSessionKeepsFetchingFull', () => {
    const h = new FetchSessionHandler(0);
    h.build([p(0)]);
    expect(h.handleResponse({ errorCode: 0, sessionId: 0, partitions: tps(0) })).toBe(true);
    expect(h.build([p(0)]).metadata).toEqual({ sessionId: 0, epoch: 0 });
  });

  test('sessionErrorsAndFailuresGoBackToAFullFetch', () => {
    const h = new FetchSessionHandler(0);
    h.build([p(0)]);
    h.handleResponse({ errorCode: 0, sessionId: 9, partitions: tps(0) });
    h.build([p(0)]);
    expect(h.handleResponse({ errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH, sessionId: 0, partitions: [] })).toBe(false);
    // closes the session it had and asks for a new one
    expect(h.build([p(0)]).metadata).toEqual({ sessionId: 9, epoch: 0 });
    expect(h.handleResponse({ errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, partitions: [] })).toBe(false);
    expect(h.build([p(0)]).metadata).toEqual({ sessionId: 0, epoch: 0 });
    h.handleResponse({ errorCode: 0, sessionId: 10, partitions: tps(0) });
    h.build([p(0)]);
    h.handleError();
    expect(h.build([p(0)])).toMatchObject({ metadata: { sessionId: 10, epoch: 0 }, toSend: [p(0)] });
  });

  test('inconsistentAnswersAreNotProcessed', () => {
    const h = new FetchSessionHandler(0);
    h.build([p(0), p(1)]);
    // a full answer omitting a partition
    expect(h.handleResponse({ errorCode: 0, sessionId: 5, partitions: tps(0) })).toBe(false);
    expect(h.metadata).toEqual({ sessionId: 0, epoch: 0 });
    h.build([p(0), p(1)]);
    expect(h.handleResponse({ errorCode: 0, sessionId: 5, partitions: tps(0, 1) })).toBe(true);
    h.build([p(0), p(1)]);
    // an incremental answer naming a partition outside the session
    expect(h.handleResponse({ errorCode: 0, sessionId: 5, partitions: tps(7) })).toBe(false);
    expect(h.metadata).toEqual({ sessionId: 5, epoch: 0 });
  });

  test('theLeaderClosingTheSessionMeansAFullFetchNext', () => {
    const h = new FetchSessionHandler(0);
    h.build([p(0)]);
    h.handleResponse({ errorCode: 0, sessionId: 5, partitions: tps(0) });
    h.build([p(0)]);
    expect(h.handleResponse({ errorCode: 0, sessionId: 0, partitions: [] })).toBe(true);
    expect(h.metadata).toEqual({ sessionId: 0, epoch: 0 });
  });

  test('aKeptWantedMapWithTouchedKeysBuildsTheSameIncrementalFetchFromTheTouchedAlone', () => {
    const h = new FetchSessionHandler(0);
    const wanted = new Map([0, 1, 2].map((i) => [`t-${i}`, p(i)]));
    expect(names(h.build(wanted, ['t-0', 't-1', 't-2']).toSend)).toEqual([0, 1, 2]);
    h.handleResponse({ errorCode: 0, sessionId: 8, partitions: tps(0, 1, 2) });
    // idle: nothing touched, nothing sent
    const idle = h.build(wanted, []);
    expect(idle).toMatchObject({ metadata: { sessionId: 8, epoch: 1 }, toSend: [], toForget: [] });
    h.handleResponse({ errorCode: 0, sessionId: 8, partitions: [] });
    // 1 moved, 2 replaced by an equal entry, 0 dropped, 3 added
    wanted.set('t-1', p(1, 9));
    wanted.set('t-2', p(2));
    wanted.delete('t-0');
    wanted.set('t-3', p(3));
    const next = h.build(wanted, ['t-1', 't-2', 't-0', 't-3']);
    expect(names(next.toSend)).toEqual([1, 3]);
    expect(next.toForget).toEqual(tps(0));
    expect([...next.sessionPartitions.keys()].sort()).toEqual(['t-1', 't-2', 't-3']);
  });
});
