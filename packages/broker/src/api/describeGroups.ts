import { ApiKey, ErrorCode } from '@samsa/protocol';
import type { GroupSummary } from '@samsa/coordinator';
import { AclOperation, ResourceType } from '@samsa/security';
import { authorize, authorizedOperations } from './authorization';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/** Kafka's "not requested" value of authorizedOperations (Integer.MIN_VALUE). */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

/** A group the request may not describe: empty fields, as Kafka's DescribeGroupsResponse.forError. */
const UNAUTHORIZED_GROUP: GroupSummary = { state: '', protocolType: '', protocol: '', members: [] };

/** With no authorizer, every operation that applies to a group: READ 3, DELETE 6, DESCRIBE 8. */
export const GROUP_OPERATIONS = [3, 6, 8].reduce((bits, op) => bits | (1 << op), 0);

/**
 * DescribeGroups v0–4 (Kafka's handleDescribeGroupRequest): per group its state, protocol and
 * members (metadata and assignment only when Stable); a group this coordinator does not have is
 * Dead; a group it does not coordinate answers NOT_COORDINATOR.
 */
export function describeGroupsHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.DescribeGroups> {
  return {
    apiKey: ApiKey.DescribeGroups,
    maxVersion: 4,
    handle(ctx, body) {
      return {
        throttleTimeMs: 0,
        groups: body.groups.map((groupId) => {
          // Kafka 2.8: DESCRIBE on each group
          const { error, summary } = authorize(deps, ctx, AclOperation.DESCRIBE, ResourceType.GROUP, groupId)
            ? deps.groupCoordinator.handleDescribeGroup(groupId)
            : { error: ErrorCode.GROUP_AUTHORIZATION_FAILED, summary: UNAUTHORIZED_GROUP };
          return {
            errorCode: error,
            groupId,
            groupState: summary.state,
            protocolType: summary.protocolType,
            protocolData: summary.protocol,
            members: summary.members.map((m) => ({
              memberId: m.memberId,
              groupInstanceId: m.groupInstanceId,
              clientId: m.clientId,
              clientHost: m.clientHost,
              memberMetadata: m.metadata,
              memberAssignment: m.assignment,
            })),
            authorizedOperations:
              body.includeAuthorizedOperations && error === 0
                ? authorizedOperations(deps, ctx, ResourceType.GROUP, groupId)
                : AUTHORIZED_OPERATIONS_OMITTED,
          };
        }),
      };
    },
  };
}
