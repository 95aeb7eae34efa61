/**
 * CreateAcls, DescribeAcls and DeleteAcls v0–2 (Kafka 2.8's handleCreateAcls /
 * handleDescribeAcls / handleDeleteAcls): without an authorizer SECURITY_DISABLED; describing
 * needs DESCRIBE on the cluster, creating and deleting ALTER on the cluster
 * (CLUSTER_AUTHORIZATION_FAILED). Each creation and each filter is answered on its own: an invalid
 * one does not stop the others. v0 knows literal patterns only (its filters are LITERAL).
 */
import { ApiKey, ErrorCode, KafkaError, type DescribeAclsResponseResourcesInput } from '@samsa/protocol';
import {
  type AclBinding,
  type AclBindingFilter,
  AclOperation,
  type Authorizer,
  CLUSTER_RESOURCE_NAME,
  PatternType,
  ResourceType,
  invalidBindingReason,
  operationFromCode,
  patternTypeFromCode,
  permissionTypeFromCode,
  resourcePatternKey,
  resourceTypeFromCode,
} from '@samsa/security';
import { authorizeCluster } from './authorization';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry, RequestContext } from './types';

const NO_AUTHORIZER = 'No Authorizer is configured on the broker';

function authorizerOrThrow(deps: BrokerDeps, ctx: RequestContext, op: AclOperation): Authorizer {
  if (deps.authorizer === undefined) throw new KafkaError(ErrorCode.SECURITY_DISABLED, NO_AUTHORIZER);
  if (!authorizeCluster(deps, ctx, op)) throw new KafkaError(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  return deps.authorizer;
}

interface WireFilter {
  readonly resourceTypeFilter: number;
  readonly resourceNameFilter: string | null;
  readonly patternTypeFilter: number;
  readonly principalFilter: string | null;
  readonly hostFilter: string | null;
  readonly operation: number;
  readonly permissionType: number;
}

/** A request's filter; v0 carries no pattern type and means LITERAL. */
function filterOf(f: WireFilter, version: number): AclBindingFilter {
  return {
    patternFilter: {
      resourceType: resourceTypeFromCode(f.resourceTypeFilter),
      name: f.resourceNameFilter,
      patternType: version === 0 ? PatternType.LITERAL : patternTypeFromCode(f.patternTypeFilter),
    },
    entryFilter: {
      principal: f.principalFilter,
      host: f.hostFilter,
      operation: operationFromCode(f.operation),
      permissionType: permissionTypeFromCode(f.permissionType),
    },
  };
}

/** Kafka's AclBindingFilter.findIndefiniteField: why a filter cannot be used, or undefined. */
function unknownFilterField(f: AclBindingFilter): string | undefined {
  if (f.patternFilter.resourceType === ResourceType.UNKNOWN) return 'Resource type is UNKNOWN.';
  if (f.patternFilter.patternType === PatternType.UNKNOWN) return 'Resource pattern type is UNKNOWN.';
  if (f.entryFilter.operation === AclOperation.UNKNOWN) return 'Operation is UNKNOWN.';
  if (f.entryFilter.permissionType === 0) return 'Permission type is UNKNOWN.';
  return undefined;
}

export function describeAclsHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.DescribeAcls> {
  return {
    apiKey: ApiKey.DescribeAcls,
    maxVersion: 2,
    handle(ctx, body) {
      const authorizer = authorizerOrThrow(deps, ctx, AclOperation.DESCRIBE);
      const filter = filterOf(body, ctx.header.apiVersion);
      const unknown = unknownFilterField(filter);
      if (unknown !== undefined) throw new KafkaError(ErrorCode.INVALID_REQUEST, unknown);
      const byResource = new Map<string, DescribeAclsResponseResourcesInput & { acls: object[] }>();
      for (const { pattern, entry } of authorizer.acls(filter)) {
        if (ctx.header.apiVersion === 0 && pattern.patternType !== PatternType.LITERAL) continue;
        const key = resourcePatternKey(pattern);
        let r = byResource.get(key);
        if (r === undefined) {
          r = { resourceType: pattern.resourceType, resourceName: pattern.name, patternType: pattern.patternType, acls: [] };
          byResource.set(key, r);
        }
        r.acls.push({ principal: entry.principal, host: entry.host, operation: entry.operation, permissionType: entry.permissionType });
      }
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources: [...byResource.values()] };
    },
  };
}

export function createAclsHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.CreateAcls> {
  return {
    apiKey: ApiKey.CreateAcls,
    maxVersion: 2,
    async handle(ctx, body) {
      const authorizer = authorizerOrThrow(deps, ctx, AclOperation.ALTER);
      const version = ctx.header.apiVersion;
      const bindings: AclBinding[] = body.creations.map((c) => ({
        pattern: {
          resourceType: resourceTypeFromCode(c.resourceType),
          name: c.resourceName,
          patternType: version === 0 ? PatternType.LITERAL : patternTypeFromCode(c.resourcePatternType),
        },
        entry: {
          principal: c.principal,
          host: c.host,
          operation: operationFromCode(c.operation),
          permissionType: permissionTypeFromCode(c.permissionType),
        },
      }));
      // Kafka's checks before the authorizer sees them
      const refused = bindings.map((b): string | undefined =>
        b.pattern.resourceType === ResourceType.CLUSTER && b.pattern.name !== CLUSTER_RESOURCE_NAME
          ? `The only valid name for the CLUSTER resource is ${CLUSTER_RESOURCE_NAME}`
          : b.pattern.name.length === 0
            ? 'Invalid empty resource name specified'
            : invalidBindingReason(b),
      );
      const valid = bindings.filter((_, i) => refused[i] === undefined);
      const created = await authorizer.createAcls(valid);
      let next = 0;
      return {
        throttleTimeMs: 0,
        results: bindings.map((_, i) => {
          const reason = refused[i];
          if (reason !== undefined) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: reason };
          const r = created[next++];
          if (r?.error === undefined) return { errorCode: ErrorCode.NONE, errorMessage: null };
          return { errorCode: ErrorCode[r.error.code], errorMessage: r.error.message };
        }),
      };
    },
  };
}

export function deleteAclsHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.DeleteAcls> {
  return {
    apiKey: ApiKey.DeleteAcls,
    maxVersion: 2,
    async handle(ctx, body) {
      const authorizer = authorizerOrThrow(deps, ctx, AclOperation.ALTER);
      const filters = body.filters.map((f) => filterOf(f, ctx.header.apiVersion));
      const unknown = filters.map(unknownFilterField);
      const usable = filters.filter((_, i) => unknown[i] === undefined);
      const deleted = await authorizer.deleteAcls(usable);
      let next = 0;
      return {
        throttleTimeMs: 0,
        filterResults: filters.map((_, i) => {
          const reason = unknown[i];
          if (reason !== undefined) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: reason, matchingAcls: [] };
          const r = deleted[next++];
          return {
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            matchingAcls: (r?.deleted ?? []).map(({ binding, error }) => ({
              errorCode: error === undefined ? ErrorCode.NONE : ErrorCode.UNKNOWN_SERVER_ERROR,
              errorMessage: error ?? null,
              resourceType: binding.pattern.resourceType,
              resourceName: binding.pattern.name,
              patternType: binding.pattern.patternType,
              principal: binding.entry.principal,
              host: binding.entry.host,
              operation: binding.entry.operation,
              permissionType: binding.entry.permissionType,
            })),
          };
        }),
      };
    },
  };
}
