import type { Logger } from '@samsa/common';
import { ErrorCode, NO_PRODUCER_EPOCH } from '@samsa/protocol';
import type { CoordinatorTimer } from '../group/CoordinatorTimer';
import type { TransactionMarkerChannelManager } from './TransactionMarkerChannelManager';
import type { TransactionMetadata, TxnTransitMetadata } from './TransactionMetadata';
import type { TransactionResult } from './TransactionState';
import { isLookupError, type TransactionStateManager } from './TransactionStateManager';

export interface EndTransactionDeps {
  readonly txnManager: TransactionStateManager;
  readonly txnMarkerChannelManager: TransactionMarkerChannelManager;
  readonly timer: CoordinatorTimer;
  readonly logger: Logger;
}

/** The error when `result` does not fit the state (Kafka's logInvalidStateTransitionAndReturnError). */
function invalidState(deps: EndTransactionDeps, transactionalId: string, state: string, result: TransactionResult): number {
  deps.logger.debug(`TransactionalId: ${transactionalId}'s state is ${state}, but received transaction marker result to send: ${result}`);
  return ErrorCode.INVALID_TXN_STATE;
}

/**
 * Ends a transaction (Kafka 2.8's TransactionCoordinator.endTransaction), from EndTxn
 * (`isFromClient`: the epoch must be the producer's own) or from the coordinator itself (a fence
 * or a timeout: an epoch at least the current one). The recipe:
 * 1. checks: unknown id or another producer id → INVALID_PRODUCER_ID_MAPPING; an old epoch →
 *    PRODUCER_FENCED; a transition in flight (other than an epoch fence) → CONCURRENT_TRANSACTIONS;
 *    Ongoing → PrepareCommit/PrepareAbort (an epoch fence becomes PrepareAbort with the bumped
 *    epoch); a retry of a completed or completing end → NONE or CONCURRENT_TRANSACTIONS; anything
 *    else INVALID_TXN_STATE;
 * 2. the Prepare* record is written; on failure the error is answered (and a failed epoch fence is
 *    remembered, so the next fence does not bump twice);
 * 3. once written, the state is checked again (same coordinator epoch, producer, no transition in
 *    flight), the Complete* transition is prepared, the client is answered NONE, and the markers
 *    go to the TransactionMarkerChannelManager, which writes the Complete* record after them.
 */
export async function endTransaction(
  deps: EndTransactionDeps,
  transactionalId: string,
  producerId: number,
  producerEpoch: number,
  result: TransactionResult,
  isFromClient: boolean,
): Promise<number> {
  if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
  const { txnManager, timer, logger } = deps;
  let isEpochFence = false;

  // 1. checks and the Prepare* transition
  const state = txnManager.getTransactionState(transactionalId);
  if (isLookupError(state)) return state;
  if (state === null) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
  const { coordinatorEpoch, transactionMetadata: txnMetadata } = state;
  let prepared: TxnTransitMetadata;
  {
    if (txnMetadata.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    // strict equality for clients: they never bump the epoch themselves
    if ((isFromClient && producerEpoch !== txnMetadata.producerEpoch) || producerEpoch < txnMetadata.producerEpoch)
      return ErrorCode.PRODUCER_FENCED;
    if (txnMetadata.pendingTransitionInProgress && txnMetadata.pendingState !== 'PrepareEpochFence')
      return ErrorCode.CONCURRENT_TRANSACTIONS;
    switch (txnMetadata.state) {
      case 'Ongoing': {
        const nextState = result === 'COMMIT' ? 'PrepareCommit' : 'PrepareAbort';
        if (nextState === 'PrepareAbort' && txnMetadata.pendingState === 'PrepareEpochFence') {
          // the fence's pending state gives way to PrepareAbort, which carries the bumped epoch
          isEpochFence = true;
          txnMetadata.pendingState = null;
          txnMetadata.producerEpoch = producerEpoch;
          txnMetadata.lastProducerEpoch = NO_PRODUCER_EPOCH;
        }
        prepared = txnMetadata.prepareAbortOrCommit(nextState, timer.now());
        break;
      }
      case 'CompleteCommit':
        return result === 'COMMIT' ? ErrorCode.NONE : invalidState(deps, transactionalId, txnMetadata.state, result);
      case 'CompleteAbort':
        return result === 'ABORT' ? ErrorCode.NONE : invalidState(deps, transactionalId, txnMetadata.state, result);
      case 'PrepareCommit':
        return result === 'COMMIT' ? ErrorCode.CONCURRENT_TRANSACTIONS : invalidState(deps, transactionalId, txnMetadata.state, result);
      case 'PrepareAbort':
        return result === 'ABORT' ? ErrorCode.CONCURRENT_TRANSACTIONS : invalidState(deps, transactionalId, txnMetadata.state, result);
      case 'Empty':
        return invalidState(deps, transactionalId, txnMetadata.state, result);
      case 'Dead':
      case 'PrepareEpochFence':
        logger.error(`Found transactionalId ${transactionalId} with state ${txnMetadata.state}. This is illegal as we should never have transitioned to this state.`);
        return ErrorCode.UNKNOWN_SERVER_ERROR;
    }
  }

  // 2. the Prepare* record
  const appendError = await txnManager.appendTransactionToLog(transactionalId, coordinatorEpoch, prepared);
  if (appendError !== ErrorCode.NONE) {
    logger.info(`Aborting sending of transaction markers and returning ${appendError} error to client for ${transactionalId}'s EndTransaction request of ${result}, since appending ${prepared.txnState} to transaction log with coordinator epoch ${coordinatorEpoch} failed`);
    if (isEpochFence) {
      const now = txnManager.getTransactionState(transactionalId);
      if (!isLookupError(now) && now !== null && now.coordinatorEpoch === coordinatorEpoch) {
        now.transactionMetadata.hasFailedEpochFence = true;
        logger.warn(`The coordinator failed to write an epoch fence transition for producer ${transactionalId} to the transaction log with error ${appendError}. The epoch was increased to ${producerEpoch} but not returned to the client`);
      }
    }
    return appendError;
  }

  // 3. check again, prepare Complete*, answer, and send the markers
  const after = txnManager.getTransactionState(transactionalId);
  if (isLookupError(after)) return after;
  if (after === null) {
    logger.error(`The coordinator still owns the transaction partition for ${transactionalId}, but there is no metadata in the cache`);
    return ErrorCode.UNKNOWN_SERVER_ERROR;
  }
  if (after.coordinatorEpoch !== coordinatorEpoch) {
    logger.debug(`The transaction coordinator epoch of ${transactionalId} has changed to ${after.coordinatorEpoch} after ${prepared.txnState} was written in epoch ${coordinatorEpoch}`);
    return ErrorCode.NOT_COORDINATOR;
  }
  const m: TransactionMetadata = after.transactionMetadata;
  if (m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
  if (m.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
  if (m.pendingTransitionInProgress) return ErrorCode.CONCURRENT_TRANSACTIONS;
  if ((m.state === 'PrepareCommit' && result === 'COMMIT') || (m.state === 'PrepareAbort' && result === 'ABORT')) {
    const complete = m.prepareComplete(timer.now());
    deps.txnMarkerChannelManager.addTxnMarkersToSend(coordinatorEpoch, result, m, complete);
    return ErrorCode.NONE;
  }
  return invalidState(deps, transactionalId, m.state, result);
}
