import { DelayedOperationPurgatory } from './DelayedOperationPurgatory';

function countingOp(completeAfter: number) {
  const op = {
    tries: 0,
    expired: false,
    tryComplete: () => ++op.tries >= completeAfter,
    onExpiration: () => {
      op.expired = true;
    },
  };
  return op;
}

describe('DelayedOperationPurgatory', () => {
  test('checkAndCompleteAllTriesEachWatchingOperationOnceWhateverTheNumberOfKeys', () => {
    const purgatory = new DelayedOperationPurgatory('Fetch');
    const keys = Array.from({ length: 1000 }, (_, i) => `t-${i}`);
    const wide = countingOp(Number.POSITIVE_INFINITY);
    const narrow = countingOp(Number.POSITIVE_INFINITY);
    purgatory.tryCompleteElseWatch(wide, keys, 60_000);
    purgatory.tryCompleteElseWatch(narrow, ['t-5'], 60_000);
    expect(purgatory.checkAndCompleteAll(keys)).toBe(0);
    expect(wide.tries).toBe(2); // the first try when parked, then one for all 1000 keys
    expect(narrow.tries).toBe(2);
    purgatory.shutdown();
    expect(wide.expired && narrow.expired).toBe(true);
  });

  test('checkAndCompleteAllCompletesAndUnwatchesWhatCanComplete', () => {
    const purgatory = new DelayedOperationPurgatory('Produce');
    const op = countingOp(2);
    purgatory.tryCompleteElseWatch(op, ['a', 'b'], 60_000);
    expect(purgatory.size).toBe(1);
    expect(purgatory.checkAndCompleteAll(['b', 'a', 'zzz'])).toBe(1);
    expect(purgatory.size).toBe(0);
    expect(purgatory.checkAndComplete('a')).toBe(0);
    expect(op.tries).toBe(2);
  });
});
