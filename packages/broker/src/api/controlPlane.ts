import {
  ApiKey,
  buildLeaderAndIsrResponse,
  buildStopReplicaResponse,
  ErrorCode,
  readLeaderAndIsrRequest,
  readStopReplicaRequest,
  readUpdateMetadataRequest,
} from '@samsa/protocol';
import { GROUP_METADATA_TOPIC_NAME } from '@samsa/zk';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/**
 * The controller's requests: LeaderAndIsr, UpdateMetadata, StopReplica (every version our
 * controller or Kafka's may send). Each carries the controller epoch; older ones are refused with
 * STALE_CONTROLLER_EPOCH.
 */
export function leaderAndIsrHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.LeaderAndIsr> {
  return {
    apiKey: ApiKey.LeaderAndIsr,
    maxVersion: 5,
    async handle(ctx, body) {
      const request = readLeaderAndIsrRequest(body);
      const response = await deps.replicaManager.becomeLeaderOrFollower(request, (leaders, followers) =>
        deps.groupCoordinator.onLeadershipChange(leaders, followers),
      );
      return buildLeaderAndIsrResponse(ctx.header.apiVersion, response, request.topicIds);
    },
  };
}

/**
 * StopReplica also ends coordination: a stopped __consumer_offsets partition is unloaded (Kafka
 * does it for deleted ones; here the ReplicaManager forgets every stopped partition, so every one).
 */
export function stopReplicaHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.StopReplica> {
  return {
    apiKey: ApiKey.StopReplica,
    maxVersion: 3,
    async handle(_ctx, body) {
      const response = await deps.replicaManager.stopReplicas(readStopReplicaRequest(body));
      for (const p of response.partitionErrors) {
        if (p.topic === GROUP_METADATA_TOPIC_NAME && p.errorCode === ErrorCode.NONE) {
          deps.groupCoordinator.onResignation(p.partition, null);
        }
      }
      // a topic this broker no longer hosts loses its BrokerTopicMetrics (Kafka's maybeRemoveTopicMetrics)
      deps.brokerTopicStats?.retainTopics(new Set(deps.replicaManager.allPartitions().map((p) => p.topic)));
      return buildStopReplicaResponse(response);
    },
  };
}

export function updateMetadataHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.UpdateMetadata> {
  return {
    apiKey: ApiKey.UpdateMetadata,
    maxVersion: 7,
    handle(_ctx, body) {
      const rm = deps.replicaManager;
      if (body.controllerEpoch < rm.controllerEpoch) {
        deps.logger.warn(
          `Ignoring UpdateMetadata from controller ${body.controllerId} with epoch ${body.controllerEpoch} < ${rm.controllerEpoch}`,
        );
        return { errorCode: ErrorCode.STALE_CONTROLLER_EPOCH };
      }
      rm.controllerEpoch = body.controllerEpoch;
      const { deleted } = deps.metadataCache.updateMetadata(readUpdateMetadataRequest(body));
      // offsets of deleted topics' partitions go with them (Kafka's handleDeletedPartitions)
      deps.groupCoordinator.handleDeletedPartitions(deleted);
      rm.onPartitionsChanged(rm.allPartitions());
      return { errorCode: ErrorCode.NONE };
    },
  };
}
