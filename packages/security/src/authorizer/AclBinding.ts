/**
 * Kafka's ResourcePattern, AccessControlEntry, AclBinding and their filters
 * (org.apache.kafka.common.acl / resource): what CreateAcls creates, what DescribeAcls and
 * DeleteAcls select with, and what the AclAuthorizer matches requests against.
 */
import {
  AclOperation,
  AclPermissionType,
  PatternType,
  ResourceType,
  WILDCARD_RESOURCE,
  operationName,
  patternTypeName,
  permissionTypeName,
  resourceTypeName,
} from './aclTypes';

export interface ResourcePattern {
  readonly resourceType: ResourceType;
  readonly name: string;
  /** LITERAL or PREFIXED for a stored pattern. */
  readonly patternType: PatternType;
}

/** One ACL entry on a resource; `principal` as `User:alice`, `host` an IP or `*`. */
export interface AccessControlEntry {
  readonly principal: string;
  readonly host: string;
  readonly operation: AclOperation;
  readonly permissionType: AclPermissionType;
}

export interface AclBinding {
  readonly pattern: ResourcePattern;
  readonly entry: AccessControlEntry;
}

/** A ResourcePatternFilter: `name` null matches any name; ANY / MATCH pattern types as Kafka. */
export interface ResourcePatternFilter {
  readonly resourceType: ResourceType;
  readonly name: string | null;
  readonly patternType: PatternType;
}

/** An AccessControlEntryFilter: null principal/host match any; ANY operation/permission match any. */
export interface AccessControlEntryFilter {
  readonly principal: string | null;
  readonly host: string | null;
  readonly operation: AclOperation;
  readonly permissionType: AclPermissionType;
}

export interface AclBindingFilter {
  readonly patternFilter: ResourcePatternFilter;
  readonly entryFilter: AccessControlEntryFilter;
}

export const ANY_RESOURCE_FILTER: ResourcePatternFilter = {
  resourceType: ResourceType.ANY,
  name: null,
  patternType: PatternType.ANY,
};
export const ANY_ENTRY_FILTER: AccessControlEntryFilter = {
  principal: null,
  host: null,
  operation: AclOperation.ANY,
  permissionType: AclPermissionType.ANY,
};
export const ANY_ACL_FILTER: AclBindingFilter = { patternFilter: ANY_RESOURCE_FILTER, entryFilter: ANY_ENTRY_FILTER };

/** Kafka's ResourcePatternFilter.matches (MATCH: the literal name, the `*` pattern, and prefixes of it). */
export function patternFilterMatches(filter: ResourcePatternFilter, pattern: ResourcePattern): boolean {
  if (filter.resourceType !== ResourceType.ANY && filter.resourceType !== pattern.resourceType) return false;
  if (
    filter.patternType !== PatternType.ANY &&
    filter.patternType !== PatternType.MATCH &&
    filter.patternType !== pattern.patternType
  ) {
    return false;
  }
  if (filter.name === null) return true;
  if (filter.patternType === PatternType.ANY || filter.patternType === pattern.patternType) {
    return filter.name === pattern.name;
  }
  switch (pattern.patternType) {
    case PatternType.LITERAL:
      return filter.name === pattern.name || pattern.name === WILDCARD_RESOURCE;
    case PatternType.PREFIXED:
      return filter.name.startsWith(pattern.name);
    default:
      return false;
  }
}

export function entryFilterMatches(filter: AccessControlEntryFilter, entry: AccessControlEntry): boolean {
  if (filter.principal !== null && filter.principal !== entry.principal) return false;
  if (filter.host !== null && filter.host !== entry.host) return false;
  if (filter.operation !== AclOperation.ANY && filter.operation !== entry.operation) return false;
  return filter.permissionType === AclPermissionType.ANY || filter.permissionType === entry.permissionType;
}

export function aclFilterMatches(filter: AclBindingFilter, binding: AclBinding): boolean {
  return patternFilterMatches(filter.patternFilter, binding.pattern) && entryFilterMatches(filter.entryFilter, binding.entry);
}

/**
 * Why a binding cannot be created (Kafka's AclBinding/CreateAcls checks), or undefined when it can:
 * no UNKNOWN/ANY/MATCH fields, a cluster resource named kafka-cluster, a principal Type:name.
 */
export function invalidBindingReason(b: AclBinding): string | undefined {
  const p = b.pattern;
  const e = b.entry;
  if (p.resourceType === ResourceType.UNKNOWN || p.resourceType === ResourceType.ANY) return 'Invalid resource type';
  if (p.patternType !== PatternType.LITERAL && p.patternType !== PatternType.PREFIXED) {
    return `Invalid pattern type: ${patternTypeName(p.patternType)}`;
  }
  if (p.name.length === 0) return 'Resource name must not be empty';
  if (e.operation === AclOperation.UNKNOWN || e.operation === AclOperation.ANY) return 'Invalid operation';
  if (e.permissionType === AclPermissionType.UNKNOWN || e.permissionType === AclPermissionType.ANY) {
    return 'Invalid permission type';
  }
  if (!/^[^:]+:/.test(e.principal)) return `Could not parse principal from \`${e.principal}\``;
  return undefined;
}

/** `Topic:LITERAL:t1`, as the CLI and the audit log write a pattern. */
export function resourcePatternToString(p: ResourcePattern): string {
  return `${resourceTypeName(p.resourceType)}:${patternTypeName(p.patternType)}:${p.name}`;
}

/** Kafka's AclEntry.toString: `User:alice has Allow permission for operations: Read from hosts: *`. */
export function entryToString(e: AccessControlEntry): string {
  return `${e.principal} has ${permissionTypeName(e.permissionType)} permission for operations: ${operationName(
    e.operation,
  )} from hosts: ${e.host}`;
}

export function samePattern(a: ResourcePattern, b: ResourcePattern): boolean {
  return a.resourceType === b.resourceType && a.patternType === b.patternType && a.name === b.name;
}

export function sameEntry(a: AccessControlEntry, b: AccessControlEntry): boolean {
  return (
    a.principal === b.principal &&
    a.host === b.host &&
    a.operation === b.operation &&
    a.permissionType === b.permissionType
  );
}

/** A stable key of a pattern, for maps (type, pattern type, name). */
export function resourcePatternKey(p: ResourcePattern): string {
  return `${p.resourceType}\u0000${p.patternType}\u0000${p.name}`;
}
