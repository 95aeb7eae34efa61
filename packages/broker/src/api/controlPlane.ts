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
    handle: (_ctx, body) => deps.replicaManager.stopReplicas(body),
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
      rm.onPartitionsChanged(rm.allPartitions());
      return { errorCode: ErrorCode.NONE };
    },
  };
}
