import { ApiKey, ErrorCode } from '@samsa/protocol';
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
    handle(_ctx, body) {
      const groupIds = [...new Set(body.groupsNames)];
      const errors = deps.groupCoordinator.handleDeleteGroups(groupIds);
      return {
        throttleTimeMs: 0,
        results: groupIds.map((groupId) => ({ groupId, errorCode: errors.get(groupId) ?? ErrorCode.NONE })),
      };
    },
  };
}
