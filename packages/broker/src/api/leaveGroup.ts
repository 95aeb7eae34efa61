import { ApiKey, ErrorCode, type LeaveGroupResponseInput } from '@samsa/protocol';
import type { LeaveGroupResult } from '@samsa/coordinator';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/**
 * LeaveGroup v0–3 (Kafka's handleLeaveGroupRequest). v0–2 name one member and get one error code
 * (the top-level one, else the member's); v3 names a batch of members (KIP-345) and gets an error
 * per member.
 */
export function leaveGroupHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.LeaveGroup> {
  return {
    apiKey: ApiKey.LeaveGroup,
    maxVersion: 3,
    handle(ctx, body) {
      const version = ctx.header.apiVersion;
      const members: { memberId: string; groupInstanceId: string | null }[] =
        version >= 3
          ? body.members.map((m) => ({
              memberId: m.memberId,
              groupInstanceId: m.groupInstanceId ?? null,
            }))
          : [{ memberId: body.memberId, groupInstanceId: null }];
      return new Promise<LeaveGroupResponseInput>((resolve) =>
        deps.groupCoordinator.handleLeaveGroup(body.groupId, members, (r) =>
          resolve(leaveGroupResponse(r, version)),
        ),
      );
    },
  };
}

function leaveGroupResponse(r: LeaveGroupResult, version: number): LeaveGroupResponseInput {
  if (version <= 2) {
    const memberError = r.memberResponses.find((m) => m.error !== ErrorCode.NONE)?.error ?? ErrorCode.NONE;
    return {
      throttleTimeMs: 0,
      errorCode: r.topLevelError !== ErrorCode.NONE ? r.topLevelError : memberError,
    };
  }
  return {
    throttleTimeMs: 0,
    errorCode: r.topLevelError,
    members: r.memberResponses.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId ?? null,
      errorCode: m.error,
    })),
  };
}
