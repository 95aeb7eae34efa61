import {
  ApiKey,
  buildLeaderAndIsrResponse,
  buildStopReplicaResponse,
  ErrorCode,
  readLeaderAndIsrRequest,
  readStopReplicaRequest,
  readUpdateMetadataRequest,
} from '@samsa/protocol';
import { GROUP_METADATA_TOPIC_NAME, TRANSACTION_STATE_TOPIC_NAME } from '@samsa/zk';
import type { ControlRequestFence } from './controlRequestFence';
import { partitionByLegality } from './controlRequestTopics';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/**
 * The controller's requests: LeaderAndIsr, UpdateMetadata, StopReplica (every version our
 * controller or Kafka's may send). Before anything changes, each passes the ControlRequestFence
 * (broker epoch: STALE_BROKER_EPOCH; a controller epoch newer than the known one only once
 * ZooKeeper confirms it: STALE_CONTROLLER_EPOCH), and every partition it names is checked for a
 * legal topic name (controlRequestTopics: INVALID_TOPIC_EXCEPTION, never a path built from it).
 * Older controller epochs are then refused by the ReplicaManager, as before.
 */
export function leaderAndIsrHandler(
  deps: BrokerDeps,
  fence: ControlRequestFence,
): ApiHandlerEntry<typeof ApiKey.LeaderAndIsr> {
  return {
    apiKey: ApiKey.LeaderAndIsr,
    maxVersion: 5,
    async handle(ctx, body) {
      const request = readLeaderAndIsrRequest(body);
      const fenced = await fence.check({ ...request, apiName: 'LeaderAndIsr' });
      if (fenced !== ErrorCode.NONE) {
        // Kafka's LeaderAndIsrRequest.getErrorResponse: the error at the top and for every partition
        const partitionErrors = request.partitionStates.map((s) => ({ topic: s.topicName, partition: s.partitionIndex, errorCode: fenced }));
        return buildLeaderAndIsrResponse(ctx.header.apiVersion, { errorCode: fenced, partitionErrors }, request.topicIds);
      }
      const { legal, illegal } = partitionByLegality(request.partitionStates, (s) => ({ topic: s.topicName, partition: s.partitionIndex }));
      if (illegal.length > 0) deps.logger.warn(`Ignoring LeaderAndIsr partitions with illegal names: ${describe(illegal)}`);
      const response = await deps.replicaManager.becomeLeaderOrFollower({ ...request, partitionStates: legal }, (leaders, followers) => {
        deps.groupCoordinator.onLeadershipChange(leaders, followers);
        if ([...leaders, ...followers].some((p) => p.topic === TRANSACTION_STATE_TOPIC_NAME))
          deps.transactionCoordinator.onLeadershipChange(leaders, followers);
      });
      return buildLeaderAndIsrResponse(
        ctx.header.apiVersion,
        { ...response, partitionErrors: [...response.partitionErrors, ...illegal] },
        request.topicIds,
      );
    },
  };
}

/**
 * StopReplica also ends coordination: a stopped __consumer_offsets or __transaction_state partition is unloaded (Kafka
 * does it for deleted ones; here the ReplicaManager forgets every stopped partition, so every one).
 * A refused request answers its error at the top only, as Kafka's handler does.
 */
export function stopReplicaHandler(deps: BrokerDeps, fence: ControlRequestFence): ApiHandlerEntry<typeof ApiKey.StopReplica> {
  return {
    apiKey: ApiKey.StopReplica,
    maxVersion: 3,
    async handle(_ctx, body) {
      const request = readStopReplicaRequest(body);
      const fenced = await fence.check({ ...request, apiName: 'StopReplica' });
      if (fenced !== ErrorCode.NONE) return buildStopReplicaResponse({ errorCode: fenced, partitionErrors: [] });
      const { legal, illegal } = partitionByLegality(request.partitions, (p) => p);
      if (illegal.length > 0) deps.logger.warn(`Ignoring StopReplica partitions with illegal names: ${describe(illegal)}`);
      const response = await deps.replicaManager.stopReplicas({ ...request, partitions: legal });
      for (const p of response.partitionErrors) {
        if (p.topic === GROUP_METADATA_TOPIC_NAME && p.errorCode === ErrorCode.NONE) {
          deps.groupCoordinator.onResignation(p.partition, null);
        }
        if (p.topic === TRANSACTION_STATE_TOPIC_NAME && p.errorCode === ErrorCode.NONE) {
          deps.transactionCoordinator.onResignation(p.partition, null);
        }
      }
      // a topic this broker no longer hosts loses its BrokerTopicMetrics (Kafka's maybeRemoveTopicMetrics)
      deps.brokerTopicStats?.retainTopics(new Set(deps.replicaManager.allPartitions().map((p) => p.topic)));
      return buildStopReplicaResponse({ ...response, partitionErrors: [...response.partitionErrors, ...illegal] });
    },
  };
}

/**
 * UpdateMetadata has no per-partition errors: partitions with illegal names are left out of the
 * metadata cache (and logged), the rest applies.
 */
export function updateMetadataHandler(deps: BrokerDeps, fence: ControlRequestFence): ApiHandlerEntry<typeof ApiKey.UpdateMetadata> {
  return {
    apiKey: ApiKey.UpdateMetadata,
    maxVersion: 7,
    async handle(_ctx, body) {
      const rm = deps.replicaManager;
      const request = readUpdateMetadataRequest(body);
      const fenced = await fence.check({ ...request, apiName: 'UpdateMetadata' });
      if (fenced !== ErrorCode.NONE) return { errorCode: fenced };
      if (request.controllerEpoch < rm.controllerEpoch) {
        deps.logger.warn(
          `Ignoring UpdateMetadata from controller ${request.controllerId} with epoch ${request.controllerEpoch} < ${rm.controllerEpoch}`,
        );
        return { errorCode: ErrorCode.STALE_CONTROLLER_EPOCH };
      }
      rm.controllerEpoch = request.controllerEpoch;
      const { legal, illegal } = partitionByLegality(request.partitionStates, (s) => ({ topic: s.topicName, partition: s.partitionIndex }));
      if (illegal.length > 0) deps.logger.warn(`Ignoring UpdateMetadata partitions with illegal names: ${describe(illegal)}`);
      const { deleted } = deps.metadataCache.updateMetadata({ ...request, partitionStates: legal });
      // offsets of deleted topics' partitions go with them (Kafka's handleDeletedPartitions)
      deps.groupCoordinator.handleDeletedPartitions(deleted);
      rm.onPartitionsChanged(rm.allPartitions());
      return { errorCode: ErrorCode.NONE };
    },
  };
}

/** Names as they came, quoted (JSON), so a name built to confuse a log line cannot. */
function describe(illegal: readonly { topic: string; partition: number }[]): string {
  return illegal.map((p) => `${JSON.stringify(p.topic)} partition ${p.partition}`).join(', ');
}
