/**
 * Authorization of requests as Kafka 2.8's KafkaApis does it (AuthHelper): the helpers the
 * handlers call (`authorize`, `filterByAuthorized`), and `withAuthorization`, which puts the
 * request-wide checks in front of a handler — those where Kafka answers the whole request with one
 * error: a group API without READ on its group, a transactional API without WRITE on its
 * transactional id, a control-plane request without CLUSTER_ACTION on the cluster, …. A thrown
 * KafkaError becomes the API's error response with every requested topic/partition carrying it.
 *
 * Per-topic checks (Produce WRITE, Fetch READ, Metadata DESCRIBE, …) stay in the handlers, where
 * the authorized topics are served and the others answered TOPIC_AUTHORIZATION_FAILED.
 *
 * Without an authorizer (`deps.authorizer` undefined) everything is allowed.
 */
import { ApiKey, type ApiKeyValue, ErrorCode, hasTransactionalBatch, KafkaError, type RequestOf } from '@samsa/protocol';
import {
  type Action,
  type AuthorizableRequestContext,
  AclOperation,
  CLUSTER_RESOURCE_NAME,
  ResourceType,
} from '@samsa/security';
import type { BrokerDeps } from './deps';
import type { AnyApiHandlerEntry, ApiHandlerEntry, RequestContext } from './types';

type AuthDeps = Pick<BrokerDeps, 'authorizer'>;

const API_NAMES = new Map<number, string>(
  Object.entries(ApiKey).map(([name, key]) => [key, name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()]),
);

/** The request as the authorizer sees it; the API named as Kafka's ApiKeys (PRODUCE, LEADER_AND_ISR). */
export function authorizableContext(ctx: RequestContext): AuthorizableRequestContext {
  return {
    principal: ctx.principal,
    clientHost: ctx.clientHost,
    requestName: API_NAMES.get(ctx.header.apiKey) ?? String(ctx.header.apiKey),
  };
}

export interface AuthorizeOptions {
  readonly logIfAllowed?: boolean;
  readonly logIfDenied?: boolean;
  readonly refCount?: number;
}

/** Kafka's AuthHelper.authorize: may this request perform `op` on the resource. */
export function authorize(
  deps: AuthDeps,
  ctx: RequestContext,
  op: AclOperation,
  resourceType: ResourceType,
  resourceName: string,
  options: AuthorizeOptions = {},
): boolean {
  const authorizer = deps.authorizer;
  if (authorizer === undefined) return true;
  const action: Action = {
    operation: op,
    resourceType,
    resourceName,
    resourceReferenceCount: options.refCount ?? 1,
    logIfAllowed: options.logIfAllowed ?? true,
    logIfDenied: options.logIfDenied ?? true,
  };
  return authorizer.authorize(authorizableContext(ctx), [action])[0] === true;
}

/** `op` on the cluster resource (kafka-cluster). */
export function authorizeCluster(deps: AuthDeps, ctx: RequestContext, op: AclOperation, options: AuthorizeOptions = {}): boolean {
  return authorize(deps, ctx, op, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME, options);
}

/**
 * Kafka's AuthHelper.filterByAuthorized: the names (each asked once, its reference count the
 * number of times the request names it) the request may `op`.
 */
export function filterByAuthorized(
  deps: AuthDeps,
  ctx: RequestContext,
  op: AclOperation,
  resourceType: ResourceType,
  names: Iterable<string>,
  options: Omit<AuthorizeOptions, 'refCount'> = {},
): Set<string> {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  const authorizer = deps.authorizer;
  if (authorizer === undefined) return new Set(counts.keys());
  const entries = [...counts];
  const results = authorizer.authorize(
    authorizableContext(ctx),
    entries.map(([name, count]) => ({
      operation: op,
      resourceType,
      resourceName: name,
      resourceReferenceCount: count,
      logIfAllowed: options.logIfAllowed ?? true,
      logIfDenied: options.logIfDenied ?? true,
    })),
  );
  return new Set(entries.filter((_, i) => results[i] === true).map(([name]) => name));
}

/** Throws the error (the API's whole response carries it) unless authorized. */
export function requireAuthorized(
  deps: AuthDeps,
  ctx: RequestContext,
  op: AclOperation,
  resourceType: ResourceType,
  resourceName: string,
  errorCode: number,
): void {
  if (!authorize(deps, ctx, op, resourceType, resourceName)) throw new KafkaError(errorCode);
}

function requireClusterAction(deps: AuthDeps, ctx: RequestContext): void {
  requireAuthorized(deps, ctx, AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
}

function requireGroup(deps: AuthDeps, ctx: RequestContext, op: AclOperation, group: string): void {
  requireAuthorized(deps, ctx, op, ResourceType.GROUP, group, ErrorCode.GROUP_AUTHORIZATION_FAILED);
}

function requireTransactionalId(deps: AuthDeps, ctx: RequestContext, op: AclOperation, transactionalId: string): void {
  requireAuthorized(deps, ctx, op, ResourceType.TRANSACTIONAL_ID, transactionalId, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
}

/** True when any partition of a Produce request carries a transactional batch (RequestUtils.hasTransactionalRecords). */
export function producesTransactionalRecords(body: RequestOf<typeof ApiKey.Produce>): boolean {
  return body.topicData.some((t) => t.partitionData.some((p) => hasTransactionalBatch(p.records)));
}

type RequestCheck<K extends ApiKeyValue> = (deps: AuthDeps, ctx: RequestContext, body: RequestOf<K>) => void;
type RequestChecks = { [K in ApiKeyValue]?: RequestCheck<K> };

/** FindCoordinator's key types (0 group, 1 transaction). */
const COORDINATOR_TRANSACTION = 1;

/** The request-wide checks of Kafka 2.8's KafkaApis, by API. */
const REQUEST_CHECKS: RequestChecks = {
  [ApiKey.LeaderAndIsr]: requireClusterAction,
  [ApiKey.StopReplica]: requireClusterAction,
  [ApiKey.UpdateMetadata]: requireClusterAction,
  [ApiKey.ControlledShutdown]: requireClusterAction,
  [ApiKey.WriteTxnMarkers]: requireClusterAction,
  // KafkaApis.handleProduceRequest: transactional records need WRITE on their transactional id
  // (without one, produce.ts refuses them whatever the authorizer says); other records need none.
  [ApiKey.Produce]: (deps, ctx, body) => {
    if (body.transactionalId !== null && producesTransactionalRecords(body)) {
      requireTransactionalId(deps, ctx, AclOperation.WRITE, body.transactionalId);
    }
  },
  [ApiKey.FindCoordinator]: (deps, ctx, body) => {
    if (body.keyType === COORDINATOR_TRANSACTION) requireTransactionalId(deps, ctx, AclOperation.DESCRIBE, body.key);
    else requireGroup(deps, ctx, AclOperation.DESCRIBE, body.key);
  },
  [ApiKey.JoinGroup]: (deps, ctx, body) => requireGroup(deps, ctx, AclOperation.READ, body.groupId),
  [ApiKey.SyncGroup]: (deps, ctx, body) => requireGroup(deps, ctx, AclOperation.READ, body.groupId),
  [ApiKey.Heartbeat]: (deps, ctx, body) => requireGroup(deps, ctx, AclOperation.READ, body.groupId),
  [ApiKey.LeaveGroup]: (deps, ctx, body) => requireGroup(deps, ctx, AclOperation.READ, body.groupId),
  [ApiKey.OffsetCommit]: (deps, ctx, body) => requireGroup(deps, ctx, AclOperation.READ, body.groupId),
  [ApiKey.OffsetFetch]: (deps, ctx, body) => requireGroup(deps, ctx, AclOperation.DESCRIBE, body.groupId),
  [ApiKey.OffsetDelete]: (deps, ctx, body) => requireGroup(deps, ctx, AclOperation.DELETE, body.groupId),
  [ApiKey.InitProducerId]: (deps, ctx, body) => {
    if (body.transactionalId !== null) {
      requireTransactionalId(deps, ctx, AclOperation.WRITE, body.transactionalId);
    } else if (
      deps.authorizer !== undefined &&
      !authorizeCluster(deps, ctx, AclOperation.IDEMPOTENT_WRITE, { logIfDenied: false }) &&
      !deps.authorizer.authorizeByResourceType(authorizableContext(ctx), AclOperation.WRITE, ResourceType.TOPIC)
    ) {
      throw new KafkaError(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    }
  },
  [ApiKey.AddPartitionsToTxn]: (deps, ctx, body) =>
    requireTransactionalId(deps, ctx, AclOperation.WRITE, body.transactionalId),
  [ApiKey.AddOffsetsToTxn]: (deps, ctx, body) => {
    requireTransactionalId(deps, ctx, AclOperation.WRITE, body.transactionalId);
    requireGroup(deps, ctx, AclOperation.READ, body.groupId);
  },
  [ApiKey.EndTxn]: (deps, ctx, body) => requireTransactionalId(deps, ctx, AclOperation.WRITE, body.transactionalId),
  [ApiKey.TxnOffsetCommit]: (deps, ctx, body) => {
    requireTransactionalId(deps, ctx, AclOperation.WRITE, body.transactionalId);
    requireGroup(deps, ctx, AclOperation.READ, body.groupId);
  },
  [ApiKey.ElectLeaders]: (deps, ctx) =>
    requireAuthorized(deps, ctx, AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME, ErrorCode.CLUSTER_AUTHORIZATION_FAILED),
  [ApiKey.AlterPartitionReassignments]: (deps, ctx) =>
    requireAuthorized(deps, ctx, AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME, ErrorCode.CLUSTER_AUTHORIZATION_FAILED),
  [ApiKey.AlterReplicaLogDirs]: (deps, ctx) =>
    requireAuthorized(deps, ctx, AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME, ErrorCode.CLUSTER_AUTHORIZATION_FAILED),
  [ApiKey.ListPartitionReassignments]: (deps, ctx) =>
    requireAuthorized(deps, ctx, AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME, ErrorCode.CLUSTER_AUTHORIZATION_FAILED),
  // KIP-554: DESCRIBE / ALTER on the cluster, as KafkaApis 2.8 handles the SCRAM credential APIs.
  [ApiKey.DescribeUserScramCredentials]: (deps, ctx) =>
    requireAuthorized(deps, ctx, AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME, ErrorCode.CLUSTER_AUTHORIZATION_FAILED),
  [ApiKey.AlterUserScramCredentials]: (deps, ctx) =>
    requireAuthorized(deps, ctx, AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME, ErrorCode.CLUSTER_AUTHORIZATION_FAILED),
  // KIP-546: DESCRIBE_CONFIGS / ALTER_CONFIGS on the cluster (KafkaApis 2.8)
  [ApiKey.DescribeClientQuotas]: (deps, ctx) =>
    requireAuthorized(deps, ctx, AclOperation.DESCRIBE_CONFIGS, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME, ErrorCode.CLUSTER_AUTHORIZATION_FAILED),
  [ApiKey.AlterClientQuotas]: (deps, ctx) =>
    requireAuthorized(deps, ctx, AclOperation.ALTER_CONFIGS, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME, ErrorCode.CLUSTER_AUTHORIZATION_FAILED),
};

/** The handler behind its request-wide authorization (the entry itself when there is no authorizer or no check). */
export function withAuthorization(entry: AnyApiHandlerEntry, deps: AuthDeps): AnyApiHandlerEntry {
  if (deps.authorizer === undefined) return entry;
  return authorizing(entry as ApiHandlerEntry<typeof entry.apiKey>, deps) as AnyApiHandlerEntry;
}

function authorizing<K extends ApiKeyValue>(entry: ApiHandlerEntry<K>, deps: AuthDeps): ApiHandlerEntry<K> {
  const check = REQUEST_CHECKS[entry.apiKey] as RequestCheck<K> | undefined;
  if (check === undefined) return entry;
  return {
    apiKey: entry.apiKey,
    maxVersion: entry.maxVersion,
    handle(ctx, body) {
      check(deps, ctx, body);
      return entry.handle(ctx, body);
    },
  };
}

/** DescribeConfigs / AlterConfigs resource types (ConfigResource.Type). */
const CONFIG_RESOURCE_TOPIC = 2;

/**
 * Kafka's configs authorization: a topic needs `op` on the topic (TOPIC_AUTHORIZATION_FAILED), a
 * broker or broker logger `op` on the cluster (CLUSTER_AUTHORIZATION_FAILED). Thrown, so the
 * handler answers the resource with it.
 */
export function requireConfigResourceAuthorized(
  deps: AuthDeps,
  ctx: RequestContext,
  op: AclOperation,
  configResourceType: number,
  resourceName: string,
): void {
  if (configResourceType === CONFIG_RESOURCE_TOPIC) {
    requireAuthorized(deps, ctx, op, ResourceType.TOPIC, resourceName, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  } else {
    requireAuthorized(deps, ctx, op, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  }
}

/** Kafka's AclEntry.supportedOperations, per resource type, in its order. */
const SUPPORTED_OPERATIONS: Partial<Record<ResourceType, readonly AclOperation[]>> = {
  [ResourceType.TOPIC]: [
    AclOperation.READ,
    AclOperation.WRITE,
    AclOperation.CREATE,
    AclOperation.DESCRIBE,
    AclOperation.DELETE,
    AclOperation.ALTER,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS,
  ],
  [ResourceType.GROUP]: [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE],
  [ResourceType.CLUSTER]: [
    AclOperation.CREATE,
    AclOperation.CLUSTER_ACTION,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS,
    AclOperation.IDEMPOTENT_WRITE,
    AclOperation.ALTER,
    AclOperation.DESCRIBE,
  ],
  [ResourceType.TRANSACTIONAL_ID]: [AclOperation.DESCRIBE, AclOperation.WRITE],
};

/**
 * Kafka's AuthHelper.authorizedOperations (KIP-430): the operations the request may perform on the
 * resource, as a bit field of their codes, asked without audit lines; every supported operation
 * without an authorizer.
 */
export function authorizedOperations(deps: AuthDeps, ctx: RequestContext, resourceType: ResourceType, name: string): number {
  const supported = SUPPORTED_OPERATIONS[resourceType] ?? [];
  const authorizer = deps.authorizer;
  const allowed =
    authorizer === undefined
      ? supported
      : (() => {
          const results = authorizer.authorize(
            authorizableContext(ctx),
            supported.map((operation) => ({ operation, resourceType, resourceName: name, logIfAllowed: false, logIfDenied: false })),
          );
          return supported.filter((_, i) => results[i] === true);
        })();
  return allowed.reduce<number>((bits, op) => bits | (1 << op), 0);
}

/** Cluster operations as Kafka reports them: 0 without DESCRIBE on the cluster. */
export function clusterAuthorizedOperations(deps: AuthDeps, ctx: RequestContext): number {
  if (!authorizeCluster(deps, ctx, AclOperation.DESCRIBE)) return 0;
  return authorizedOperations(deps, ctx, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME);
}
