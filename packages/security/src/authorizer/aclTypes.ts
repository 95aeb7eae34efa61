/**
 * Kafka's ACL enums with their wire codes (org.apache.kafka.common.resource.ResourceType,
 * PatternType, org.apache.kafka.common.acl.AclOperation, AclPermissionType). CreateAcls,
 * DescribeAcls and DeleteAcls carry the codes; the ACL znodes and the CLI carry the names.
 */

/** ResourceType: the code on the wire, the CamelCase name in znode paths and CLI output. */
export const ResourceType = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
} as const;
export type ResourceType = (typeof ResourceType)[keyof typeof ResourceType];

export const PatternType = {
  UNKNOWN: 0,
  ANY: 1,
  MATCH: 2,
  LITERAL: 3,
  PREFIXED: 4,
} as const;
export type PatternType = (typeof PatternType)[keyof typeof PatternType];

export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
} as const;
export type AclOperation = (typeof AclOperation)[keyof typeof AclOperation];

export const AclPermissionType = {
  UNKNOWN: 0,
  ANY: 1,
  DENY: 2,
  ALLOW: 3,
} as const;
export type AclPermissionType = (typeof AclPermissionType)[keyof typeof AclPermissionType];

/** Kafka's Resource.CLUSTER_NAME: the one cluster resource. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';
/** Kafka's ResourcePattern.WILDCARD_RESOURCE: a literal `*` matches every name. */
export const WILDCARD_RESOURCE = '*';
/** Kafka's AclEntry.WildcardPrincipalString and WildcardHost. */
export const WILDCARD_PRINCIPAL = 'User:*';
export const WILDCARD_HOST = '*';

const RESOURCE_TYPE_NAMES: Record<ResourceType, string> = {
  0: 'Unknown',
  1: 'Any',
  2: 'Topic',
  3: 'Group',
  4: 'Cluster',
  5: 'TransactionalId',
  6: 'DelegationToken',
};

const OPERATION_NAMES: Record<AclOperation, string> = {
  0: 'Unknown',
  1: 'Any',
  2: 'All',
  3: 'Read',
  4: 'Write',
  5: 'Create',
  6: 'Delete',
  7: 'Alter',
  8: 'Describe',
  9: 'ClusterAction',
  10: 'DescribeConfigs',
  11: 'AlterConfigs',
  12: 'IdempotentWrite',
};

const PERMISSION_NAMES: Record<AclPermissionType, string> = { 0: 'Unknown', 1: 'Any', 2: 'Deny', 3: 'Allow' };

const PATTERN_NAMES: Record<PatternType, string> = { 0: 'UNKNOWN', 1: 'ANY', 2: 'MATCH', 3: 'LITERAL', 4: 'PREFIXED' };

/** Kafka's SecurityUtils.resourceTypeName: `Topic`, `TransactionalId`, … */
export function resourceTypeName(t: ResourceType): string {
  return RESOURCE_TYPE_NAMES[t];
}
/** Kafka's SecurityUtils.operationName: `Read`, `ClusterAction`, … */
export function operationName(op: AclOperation): string {
  return OPERATION_NAMES[op];
}
/** Kafka's SecurityUtils.permissionTypeName: `Allow`, `Deny`. */
export function permissionTypeName(p: AclPermissionType): string {
  return PERMISSION_NAMES[p];
}
/** PatternType.toString: `LITERAL`, `PREFIXED`. */
export function patternTypeName(p: PatternType): string {
  return PATTERN_NAMES[p];
}

/** Names compare as Kafka's SecurityUtils does: CamelCase, UPPER_SNAKE or any case, underscores ignored. */
function normalize(s: string): string {
  return s.replace(/_/g, '').toLowerCase();
}

function parseByName<T extends number>(names: Record<T, string>, s: string): T | undefined {
  const want = normalize(s);
  for (const [code, name] of Object.entries(names) as [string, string][]) {
    if (normalize(name) === want) return Number(code) as T;
  }
  return undefined;
}

export function parseResourceType(s: string): ResourceType | undefined {
  return parseByName(RESOURCE_TYPE_NAMES, s);
}
export function parseOperation(s: string): AclOperation | undefined {
  return parseByName(OPERATION_NAMES, s);
}
export function parsePermissionType(s: string): AclPermissionType | undefined {
  return parseByName(PERMISSION_NAMES, s);
}
export function parsePatternType(s: string): PatternType | undefined {
  return parseByName(PATTERN_NAMES, s);
}

function isCode<T extends number>(names: Record<T, string>, code: number): code is T {
  return Object.prototype.hasOwnProperty.call(names, code);
}
/** A wire code as the enum, or UNKNOWN for a code Kafka 2.8 does not know (fromCode's rule). */
export function resourceTypeFromCode(code: number): ResourceType {
  return isCode(RESOURCE_TYPE_NAMES, code) ? code : ResourceType.UNKNOWN;
}
export function operationFromCode(code: number): AclOperation {
  return isCode(OPERATION_NAMES, code) ? code : AclOperation.UNKNOWN;
}
export function permissionTypeFromCode(code: number): AclPermissionType {
  return isCode(PERMISSION_NAMES, code) ? code : AclPermissionType.UNKNOWN;
}
export function patternTypeFromCode(code: number): PatternType {
  return isCode(PATTERN_NAMES, code) ? code : PatternType.UNKNOWN;
}

/** The resource types that hold ACLs (the znode folders), in Kafka's order. */
export const CONCRETE_RESOURCE_TYPES: readonly ResourceType[] = [
  ResourceType.CLUSTER,
  ResourceType.DELEGATION_TOKEN,
  ResourceType.GROUP,
  ResourceType.TOPIC,
  ResourceType.TRANSACTIONAL_ID,
];
