import { topicPartition } from '@samsa/common';
import { IllegalTransactionStateError, TransactionMetadata } from './TransactionMetadata';
import { isValidTxnTransition, TRANSACTION_STATES, transactionStateFromByte, type TransactionState } from './TransactionState';

describe('TransactionState', () => {
  it("has Kafka 2.8's bytes and valid previous states", () => {
    const table = Object.fromEntries(
      (Object.keys(TRANSACTION_STATES) as TransactionState[]).map((s) => [s, [TRANSACTION_STATES[s].byte, [...TRANSACTION_STATES[s].validPreviousStates].sort()]]),
    );
    expect(table).toEqual({
      Empty: [0, ['CompleteAbort', 'CompleteCommit', 'Empty']],
      Ongoing: [1, ['CompleteAbort', 'CompleteCommit', 'Empty', 'Ongoing']],
      PrepareCommit: [2, ['Ongoing']],
      PrepareAbort: [3, ['Ongoing', 'PrepareEpochFence']],
      CompleteCommit: [4, ['PrepareCommit']],
      CompleteAbort: [5, ['PrepareAbort']],
      Dead: [6, ['CompleteAbort', 'CompleteCommit', 'Empty']],
      PrepareEpochFence: [7, ['Ongoing']],
    });
    expect(transactionStateFromByte(3)).toBe('PrepareAbort');
    expect(isValidTxnTransition('Empty', 'PrepareCommit')).toBe(false);
  });
});

describe('TransactionMetadata', () => {
  const meta = () =>
    new TransactionMetadata({ transactionalId: 't', producerId: 7, producerEpoch: 0, txnTimeoutMs: 1000, state: 'Empty', txnLastUpdateTimestamp: 10 });

  it('refuses a transition the table does not list, and a second one while one is pending', () => {
    const m = meta();
    expect(() => m.prepareAbortOrCommit('PrepareCommit', 11)).toThrow(IllegalTransactionStateError);
    const t = m.prepareAddPartitions([topicPartition('a', 0)], 11);
    expect(() => m.prepareAddPartitions([topicPartition('a', 1)], 12)).toThrow(/pending state Ongoing/);
    m.completeTransitionTo(t);
    expect(m.state).toBe('Ongoing');
    expect(m.txnStartTimestamp).toBe(11);
    expect(m.pendingState).toBeNull();
  });

  it('completeTransitionTo refuses a transit that is not the one prepared', () => {
    const m = meta();
    const t = m.prepareAddPartitions([topicPartition('a', 0)], 11);
    expect(() => m.completeTransitionTo({ ...t, producerEpoch: 5 })).toThrow(IllegalTransactionStateError);
  });

  it('an epoch fence bumps once; after a failed fence the next one keeps the epoch', () => {
    const m = meta();
    m.completeTransitionTo(m.prepareAddPartitions([topicPartition('a', 0)], 11));
    expect(m.prepareFenceProducerEpoch().producerEpoch).toBe(1);
    m.pendingState = null;
    m.producerEpoch = 1;
    m.hasFailedEpochFence = true;
    expect(m.prepareFenceProducerEpoch().producerEpoch).toBe(1);
  });
});
