import { ApiKey, type HeartbeatResponseInput } from '@samsa/protocol';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/** Heartbeat v0–3 (Kafka's handleHeartbeatRequest): keeps the member's session; REBALANCE_IN_PROGRESS tells it to rejoin. */
export function heartbeatHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.Heartbeat> {
  return {
    apiKey: ApiKey.Heartbeat,
    maxVersion: 3,
    handle(_ctx, body) {
      return new Promise<HeartbeatResponseInput>((resolve) =>
        deps.groupCoordinator.handleHeartbeat(
          body.groupId,
          body.memberId,
          body.groupInstanceId ?? null,
          body.generationId,
          (errorCode) => resolve({ throttleTimeMs: 0, errorCode }),
        ),
      );
    },
  };
}
