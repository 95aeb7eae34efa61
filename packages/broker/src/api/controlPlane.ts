import { ApiKey, ErrorCode } from '@samsa/protocol';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/**
 * The controller's requests: LeaderAndIsr, UpdateMetadata, StopReplica (every version our
 * controller or Kafka's may send). Each carries the controller epoch; older ones are refused with
 * STALE_CONTROLLER_EPOCH.
 */
export function leaderAndIsrHandler(deps: BrokerDeps): ApiHandlerEntry {
  return {
    apiKey: ApiKey.LeaderAndIsr,
    maxVersion: 5,
    handle: (_ctx, body) => deps.replicaManager.becomeLeaderOrFollower(body),
  };
}

export function stopReplicaHandler(deps: BrokerDeps): ApiHandlerEntry {
  return {
    apiKey: ApiKey.StopReplica,
    maxVersion: 3,
    async handle(_ctx, body) {
      const response = await deps.replicaManager.stopReplicas(body);
      // a topic this broker no longer hosts loses its BrokerTopicMetrics (Kafka's maybeRemoveTopicMetrics)
      deps.brokerTopicStats?.retainTopics(new Set(deps.replicaManager.allPartitions().map((p) => p.topic)));
      return response;
    },
  };
}

export function updateMetadataHandler(deps: BrokerDeps): ApiHandlerEntry {
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
      deps.metadataCache.updateMetadata(body);
      for (const p of rm.allPartitions()) rm.onPartitionChanged(p);
      return { errorCode: ErrorCode.NONE };
    },
  };
}
