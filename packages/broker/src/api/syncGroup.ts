import { ApiKey, ErrorCode, type SyncGroupResponseInput } from '@samsa/protocol';
import { syncError, type SyncGroupResult } from '@samsa/coordinator';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/**
 * SyncGroup v0–3 (Kafka's handleSyncGroupRequest): the leader brings the assignment, every member
 * waits for its own. (From v5 protocol type and name would be mandatory: INCONSISTENT_GROUP_PROTOCOL
 * without them.)
 */
export function syncGroupHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.SyncGroup> {
  return {
    apiKey: ApiKey.SyncGroup,
    maxVersion: 3,
    handle(ctx, body) {
      const protocolType = body.protocolType ?? null;
      const protocolName = body.protocolName ?? null;
      if (ctx.header.apiVersion >= 5 && (protocolType === null || protocolName === null)) {
        return syncGroupResponse(syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
      }
      const assignments = new Map<string, Buffer>();
      for (const a of body.assignments) assignments.set(a.memberId, a.assignment);
      return new Promise<SyncGroupResponseInput>((resolve) =>
        deps.groupCoordinator.handleSyncGroup(
          {
            groupId: body.groupId,
            generationId: body.generationId,
            memberId: body.memberId,
            protocolType,
            protocolName,
            groupInstanceId: body.groupInstanceId ?? null,
            assignments,
          },
          (r) => resolve(syncGroupResponse(r)),
        ),
      );
    },
  };
}

function syncGroupResponse(r: SyncGroupResult): SyncGroupResponseInput {
  return {
    throttleTimeMs: 0,
    errorCode: r.error,
    protocolType: r.protocolType,
    protocolName: r.protocolName,
    assignment: r.memberAssignment,
  };
}
