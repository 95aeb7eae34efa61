import { ApiKey, type JoinGroupRequestProtocols, type JoinGroupResponseInput } from '@samsa/protocol';
import type { JoinGroupResult, Protocol } from '@samsa/coordinator';
import type { BrokerDeps } from './deps';
import { clientHost } from './groupRequests';
import type { ApiHandlerEntry } from './types';

/**
 * JoinGroup v0–5 (Kafka's handleJoinGroupRequest). The answer may wait for the whole group to
 * (re)join. From v4 a dynamic member without id is answered MEMBER_ID_REQUIRED with an id to come
 * back with (KIP-394); v5 brings group.instance.id (static membership, KIP-345). v0 has no
 * rebalance timeout: it is the session timeout.
 */
export function joinGroupHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.JoinGroup> {
  return {
    apiKey: ApiKey.JoinGroup,
    maxVersion: 5,
    handle(ctx, body) {
      const version = ctx.header.apiVersion;
      const groupInstanceId = body.groupInstanceId ?? null;
      return new Promise<JoinGroupResponseInput>((resolve) =>
        deps.groupCoordinator.handleJoinGroup(
          {
            groupId: body.groupId,
            memberId: body.memberId,
            groupInstanceId,
            requireKnownMemberId: version >= 4 && groupInstanceId === null,
            clientId: ctx.header.clientId ?? '',
            clientHost: clientHost(ctx),
            rebalanceTimeoutMs: version === 0 ? body.sessionTimeoutMs : body.rebalanceTimeoutMs,
            sessionTimeoutMs: body.sessionTimeoutMs,
            protocolType: body.protocolType,
            protocols: uniqueProtocols(body.protocols),
          },
          (r) => resolve(joinGroupResponse(r, version)),
        ),
      );
    },
  };
}

/** The protocols in the member's order of preference, each name once (its first entry counts). */
function uniqueProtocols(protocols: readonly JoinGroupRequestProtocols[]): Protocol[] {
  const seen = new Set<string>();
  const out: Protocol[] = [];
  for (const p of protocols) {
    if (seen.has(p.name)) continue;
    seen.add(p.name);
    out.push({ name: p.name, metadata: p.metadata });
  }
  return out;
}

function joinGroupResponse(r: JoinGroupResult, version: number): JoinGroupResponseInput {
  return {
    throttleTimeMs: 0,
    errorCode: r.error,
    generationId: r.generationId,
    protocolType: r.protocolType,
    // nullable only from v7
    protocolName: version >= 7 ? r.protocolName : (r.protocolName ?? ''),
    leader: r.leaderId,
    memberId: r.memberId,
    members: r.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadata,
    })),
  };
}
