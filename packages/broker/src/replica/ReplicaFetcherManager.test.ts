import { FakeLog } from './testing/fakeLog';
import { offsetTruncationState, outOfRangeTruncation } from './ReplicaFetcherManager';

/** A follower log: epoch 1 from 0, epoch 2 from 10, epoch 4 from 20, log end 30, high watermark 15. */
function follower(): FakeLog {
  const log = new FakeLog();
  log.append(10, 1);
  log.append(10, 2);
  log.append(10, 4);
  log.highWatermark = 15;
  return log;
}

describe('offsetTruncationState (KIP-101/279)', () => {
  test('theLeaderHasOurLatestEpochEndingEarlier: truncateToItsEnd', () => {
    expect(offsetTruncationState(follower(), { leaderEpoch: 4, endOffset: 25 })).toEqual({ offset: 25, completed: true });
  });

  test('neverAboveOurOwnLogEnd', () => {
    expect(offsetTruncationState(follower(), { leaderEpoch: 4, endOffset: 40 })).toEqual({ offset: 30, completed: true });
  });

  test('theLeadersLargestEpochBelowOursIsOneWeHave: theSmallerOfBothEnds', () => {
    // leader never had epoch 4; its epoch 2 ended at 17 (we had it until 20)
    expect(offsetTruncationState(follower(), { leaderEpoch: 2, endOffset: 17 })).toEqual({ offset: 17, completed: true });
    expect(offsetTruncationState(follower(), { leaderEpoch: 2, endOffset: 22 })).toEqual({ offset: 20, completed: true });
  });

  test('anEpochWeLack: truncateToTheEndOfOurLargestEpochBelowItAndAskAgain', () => {
    expect(offsetTruncationState(follower(), { leaderEpoch: 3, endOffset: 18 })).toEqual({ offset: 20, completed: false });
  });

  test('undefinedFallsBackToTheHighWatermark', () => {
    expect(offsetTruncationState(follower(), { leaderEpoch: -1, endOffset: -1 })).toEqual({ offset: 15, completed: true });
  });

  test('aV0AnswerWithoutEpoch: theLeadersEndOffset', () => {
    expect(offsetTruncationState(follower(), { leaderEpoch: -1, endOffset: 12 })).toEqual({ offset: 12, completed: true });
  });

  test('anEpochBelowAllOurs: ourRecordsFromItsEndOnAreOfALaterEpoch', () => {
    const log = new FakeLog();
    log.append(10, 5);
    // the leader's epoch 2 ends at 4; our offsets 0.. are epoch 5: nothing in common
    expect(offsetTruncationState(log, { leaderEpoch: 2, endOffset: 4 })).toEqual({ offset: 0, completed: true });
  });
});

describe('outOfRangeTruncation (Kafka 2.8 fetchOffsetAndTruncate)', () => {
  const never = (): Promise<number> => Promise.reject(new Error('the leader start offset is not needed'));
  const start = (offset: number) => () => Promise.resolve(offset);

  test('theLeaderEndsBelowUs: truncateToTheLeadersEnd', async () => {
    await expect(outOfRangeTruncation(30, 20, never)).resolves.toEqual({ kind: 'truncate', offset: 20 });
  });

  test('theLeaderStartsAboveOurEnd: truncateFullyAndStartAtTheLeadersStart', async () => {
    await expect(outOfRangeTruncation(10, 100, start(50))).resolves.toEqual({ kind: 'truncateFully', offset: 50 });
  });

  test('theLeaderCoversOurEnd: keepTheLogAndFetchAgain', async () => {
    // The leader's log grew past our offset between its answer and ListOffsets: nothing to wipe.
    await expect(outOfRangeTruncation(30, 40, start(0))).resolves.toEqual({ kind: 'keep', leaderStartOffset: 0 });
    await expect(outOfRangeTruncation(30, 30, start(30))).resolves.toEqual({ kind: 'keep', leaderStartOffset: 30 });
    await expect(outOfRangeTruncation(30, 35, start(12))).resolves.toEqual({ kind: 'keep', leaderStartOffset: 12 });
  });
});
