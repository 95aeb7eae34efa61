import { ApiKey, ErrorCode } from '@samsa/protocol';
import { clusterAuthorizedOperations } from './authorization';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/** Kafka's "not requested" value of clusterAuthorizedOperations (Integer.MIN_VALUE). */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

/**
 * The cluster operations a client may perform, as a bit per Kafka AclOperation id: with no authorizer
 * configured, all that apply to the cluster (CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9,
 * DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12).
 */
export const CLUSTER_OPERATIONS = [5, 7, 8, 9, 10, 11, 12].reduce((bits, op) => bits | (1 << op), 0);

/**
 * DescribeCluster v0 (Kafka's handleDescribeCluster): the live brokers from the MetadataCache as
 * the request's listener reaches them, the controller id (-1 when unknown) and the cluster id.
 */
export function describeClusterHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.DescribeCluster> {
  return {
    apiKey: ApiKey.DescribeCluster,
    maxVersion: 0,
    handle(ctx, body) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        clusterId: deps.clusterId,
        controllerId: deps.metadataCache.controllerId,
        brokers: deps.metadataCache
          .aliveEndpoints(ctx.listenerName)
          .map((b) => ({ brokerId: b.id, host: b.host, port: b.port, rack: b.rack })),
        clusterAuthorizedOperations: body.includeClusterAuthorizedOperations
          ? clusterAuthorizedOperations(deps, ctx)
          : AUTHORIZED_OPERATIONS_OMITTED,
      };
    },
  };
}
