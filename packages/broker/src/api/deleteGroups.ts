import { ApiKey, ErrorCode } from '@samsa/protocol';
import { AclOperation, ResourceType } from '@samsa/security';
import { filterByAuthorized } from './authorization';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/**
 * DeleteGroups v0–1 (Kafka's handleDeleteGroupsRequest): an Empty group is deleted with its offsets
 * (tombstones written); one with members is NON_EMPTY_GROUP, an unknown one GROUP_ID_NOT_FOUND.
 */
export function deleteGroupsHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.DeleteGroups> {
  return {
    apiKey: ApiKey.DeleteGroups,
    maxVersion: 1,
    handle(ctx, body) {
      const groupIds = [...new Set(body.groupsNames)];
      // Kafka 2.8: DELETE on each group
      const deletable = filterByAuthorized(deps, ctx, AclOperation.DELETE, ResourceType.GROUP, groupIds);
      const errors = deps.groupCoordinator.handleDeleteGroups(groupIds.filter((g) => deletable.has(g)));
      for (const g of groupIds) if (!deletable.has(g)) errors.set(g, ErrorCode.GROUP_AUTHORIZATION_FAILED);
      return {
        throttleTimeMs: 0,
        results: groupIds.map((groupId) => ({ groupId, errorCode: errors.get(groupId) ?? ErrorCode.NONE })),
      };
    },
  };
}
