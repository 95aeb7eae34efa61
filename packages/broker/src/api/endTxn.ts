import { ApiKey } from '@samsa/protocol';
import type { BrokerDeps } from './deps';
import { producerFencedForVersion } from './transactionRequests';
import type { ApiHandlerEntry } from './types';

/**
 * EndTxn v0–3 (v3 flexible; Kafka 2.8's handleEndTxnRequest): commits or aborts the producer's transaction
 * through the TransactionCoordinator; answered once PrepareCommit/PrepareAbort is written, the
 * markers follow (PRODUCER_FENCED as INVALID_PRODUCER_EPOCH below v2).
 */
export function endTxnHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.EndTxn> {
  return {
    apiKey: ApiKey.EndTxn,
    maxVersion: 3,
    async handle(ctx, body) {
      const error = await deps.transactionCoordinator.handleEndTransaction(
        body.transactionalId,
        body.producerId,
        body.producerEpoch,
        body.committed ? 'COMMIT' : 'ABORT',
      );
      return { throttleTimeMs: 0, errorCode: producerFencedForVersion(error, ctx.header.apiVersion, 2) };
    },
  };
}
