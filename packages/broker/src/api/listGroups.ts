import { ApiKey } from '@samsa/protocol';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/** ListGroups v0–2 (Kafka's handleListGroupsRequest): the groups this broker coordinates. */
export function listGroupsHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.ListGroups> {
  return {
    apiKey: ApiKey.ListGroups,
    maxVersion: 2,
    handle(_ctx, body) {
      const { error, groups } = deps.groupCoordinator.handleListGroups(
        body.statesFilter ?? [],
      );
      return {
        throttleTimeMs: 0,
        errorCode: error,
        groups: groups.map((g) => ({
          groupId: g.groupId,
          protocolType: g.protocolType,
          groupState: g.state,
        })),
      };
    },
  };
}
