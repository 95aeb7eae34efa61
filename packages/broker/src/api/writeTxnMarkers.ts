import { topicPartition, topicPartitionKey, TopicPartitionMap, type TopicPartition } from '@samsa/common';
import {
  ApiKey,
  buildEndTxnMarkerBatch,
  ControlRecordType,
  ErrorCode,
  type WriteTxnMarkersRequestInput,
  type WriteTxnMarkersRequestMarkersInput,
  type WriteTxnMarkersResponseInput,
} from '@samsa/protocol';
import { GROUP_METADATA_TOPIC_NAME } from '@samsa/zk';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/** What the marker handler uses of the broker. */
export type WriteTxnMarkersDeps = Pick<
  BrokerDeps,
  'replicaManager' | 'groupCoordinator' | 'config' | 'logger'
>;

/**
 * WriteTxnMarkers v0–1 (Kafka 2.8's handleWriteTxnMarkersRequest): the transaction coordinator has
 * this broker, as the leader of the partitions a transaction wrote to, end that transaction there.
 * For each marker, one COMMIT or ABORT control batch (buildEndTxnMarkerBatch) per partition is
 * appended with origin 'coordinator' and acks=all within request.timeout.ms, every marker's append
 * at once; the answer waits for all of them. Per partition:
 * - no replica here (or its log directory is offline) → UNKNOWN_TOPIC_OR_PARTITION (Kafka's
 *   getMagic finds no log), without an append;
 * - otherwise the append's own error: NOT_LEADER_OR_FOLLOWER on a follower, the producer state's
 *   refusals (a fenced epoch or coordinator epoch), NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT.
 * Markers written to __consumer_offsets partitions then complete the producer's pending
 * transactional offsets in the group coordinator (scheduleHandleTxnCompletion); should that throw,
 * those partitions answer UNKNOWN_SERVER_ERROR.
 * An inter-broker request: Kafka requires CLUSTER_ACTION; without ACLs it is served on every
 * listener, as the other inter-broker requests are here. (The logs here are all of message format
 * v2, so Kafka's UNSUPPORTED_FOR_MESSAGE_FORMAT for older formats cannot arise.)
 */
export function writeTxnMarkersHandler(
  deps: WriteTxnMarkersDeps,
): ApiHandlerEntry<typeof ApiKey.WriteTxnMarkers> {
  return {
    apiKey: ApiKey.WriteTxnMarkers,
    maxVersion: 1,
    handle: (_ctx, body) => writeTxnMarkers(deps, body),
  };
}

/**
 * What WriteTxnMarkers does with a request, and its answer: the handler's work, also called
 * directly by this broker's transaction coordinator for the partitions it leads itself
 * (TransactionMarkerChannel's local path), so that the same control batches are appended the
 * same way whether the request came over a socket or not.
 */
export async function writeTxnMarkers(
  deps: WriteTxnMarkersDeps,
  request: WriteTxnMarkersRequestInput,
): Promise<WriteTxnMarkersResponseInput> {
  // by producer id, as Kafka's response map: two markers of one producer answer as one
  const errors = new Map<number, TopicPartitionMap<number>>();
  const errorsOf = (producerId: number) => {
    let m = errors.get(producerId);
    if (!m) errors.set(producerId, (m = new TopicPartitionMap()));
    return m;
  };
  await Promise.all(
    request.markers.map(async (marker) => {
      const result = await writeMarker(deps, marker);
      const m = errorsOf(marker.producerId);
      for (const [tp, error] of result) m.set(tp, error);
    }),
  );
  return response(errors);
}

/** Appends one marker to its partitions; resolves to the error of each. */
async function writeMarker(
  deps: WriteTxnMarkersDeps,
  marker: WriteTxnMarkersRequestMarkersInput,
): Promise<TopicPartitionMap<number>> {
  const errors = new TopicPartitionMap<number>();
  const isCommit = marker.transactionResult;
  // one marker per partition, however often the request names it (Kafka builds a map)
  const toAppend = new TopicPartitionMap<{ topic: string; partition: number; records: Buffer }>();
  const timestamp = Date.now();
  for (const t of marker.topics) {
    for (const partition of t.partitionIndexes) {
      const tp = topicPartition(t.name, partition);
      if (
        deps.replicaManager.getPartition(t.name, partition) === undefined ||
        deps.replicaManager.isPartitionOffline(t.name, partition)
      ) {
        errors.set(tp, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        continue;
      }
      if (toAppend.has(tp)) continue;
      toAppend.set(tp, {
        topic: t.name,
        partition,
        records: buildEndTxnMarkerBatch({
          type: isCommit ? ControlRecordType.COMMIT : ControlRecordType.ABORT,
          producerId: marker.producerId,
          producerEpoch: marker.producerEpoch,
          coordinatorEpoch: marker.coordinatorEpoch,
          timestamp,
        }),
      });
    }
  }
  if (toAppend.size === 0) return errors;
  const results = await deps.replicaManager.appendRecords(
    deps.config.int('request.timeout.ms'),
    -1,
    toAppend.entries().map(([, e]) => e),
    undefined,
    'coordinator',
  );
  const offsetsPartitions: TopicPartition[] = [];
  for (const r of results) {
    const tp = topicPartition(r.topic, r.partition);
    errors.set(tp, r.errorCode);
    if (r.errorCode === ErrorCode.NONE && r.topic === GROUP_METADATA_TOPIC_NAME) offsetsPartitions.push(tp);
    else if (r.errorCode !== ErrorCode.NONE)
      deps.logger.debug(
        `Writing the ${isCommit ? 'COMMIT' : 'ABORT'} marker of producer ${marker.producerId} to ${topicPartitionKey(tp)} failed: error ${r.errorCode}`,
      );
  }
  if (offsetsPartitions.length > 0) {
    // as soon as the marker is written, the group coordinator materializes (or drops) the offsets
    try {
      deps.groupCoordinator.scheduleHandleTxnCompletion(
        marker.producerId,
        offsetsPartitions.map((tp) => tp.partition),
        isCommit,
      );
    } catch (e) {
      deps.logger.error(
        'Received an exception while trying to update the offsets cache on transaction marker append',
        e,
      );
      for (const tp of offsetsPartitions) errors.set(tp, ErrorCode.UNKNOWN_SERVER_ERROR);
    }
  }
  return errors;
}

function response(errors: ReadonlyMap<number, TopicPartitionMap<number>>): WriteTxnMarkersResponseInput {
  return {
    markers: [...errors].map(([producerId, byPartition]) => {
      const byTopic = new Map<string, { partitionIndex: number; errorCode: number }[]>();
      for (const [tp, errorCode] of byPartition) {
        let list = byTopic.get(tp.topic);
        if (!list) byTopic.set(tp.topic, (list = []));
        list.push({ partitionIndex: tp.partition, errorCode });
      }
      return {
        producerId,
        topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
      };
    }),
  };
}
