import { topicPartition } from '@samsa/common';
import { ApiKey } from '@samsa/protocol';
import { GROUP_METADATA_TOPIC_NAME } from '@samsa/zk';
import type { BrokerDeps } from './deps';
import { producerFencedForVersion } from './transactionRequests';
import type { ApiHandlerEntry } from './types';

/**
 * AddOffsetsToTxn v0–3 (v3 flexible; Kafka 2.8's handleAddOffsetsToTxnRequest): the group's __consumer_offsets
 * partition (the group coordinator's partitionFor) joins the transaction, so that its
 * TxnOffsetCommit records get the transaction's marker (PRODUCER_FENCED as INVALID_PRODUCER_EPOCH
 * below v2).
 */
export function addOffsetsToTxnHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.AddOffsetsToTxn> {
  return {
    apiKey: ApiKey.AddOffsetsToTxn,
    maxVersion: 3,
    async handle(ctx, body) {
      const offsetsPartition = topicPartition(GROUP_METADATA_TOPIC_NAME, deps.groupCoordinator.partitionFor(body.groupId));
      const error = await deps.transactionCoordinator.handleAddPartitionsToTransaction(
        body.transactionalId,
        body.producerId,
        body.producerEpoch,
        [offsetsPartition],
      );
      return { throttleTimeMs: 0, errorCode: producerFencedForVersion(error, ctx.header.apiVersion, 2) };
    },
  };
}
