import { ApiKey } from '@samsa/protocol';
import { AclOperation, ResourceType } from '@samsa/security';
import { authorize, authorizeCluster } from './authorization';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/** ListGroups v0–2 (Kafka's handleListGroupsRequest): the groups this broker coordinates. */
export function listGroupsHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.ListGroups> {
  return {
    apiKey: ApiKey.ListGroups,
    maxVersion: 2,
    handle(ctx, body) {
      const { error, groups } = deps.groupCoordinator.handleListGroups(
        body.statesFilter ?? [],
      );
      return {
        throttleTimeMs: 0,
        errorCode: error,
        // Kafka 2.8: every group with DESCRIBE on the cluster, else those with DESCRIBE on the group
        groups: (authorizeCluster(deps, ctx, AclOperation.DESCRIBE, { logIfDenied: false })
          ? groups
          : groups.filter((g) => authorize(deps, ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId, { logIfDenied: false }))
        ).map((g) => ({
          groupId: g.groupId,
          protocolType: g.protocolType,
          groupState: g.state,
        })),
      };
    },
  };
}
