/**
 * Kafka's ACL znodes (ZkData.scala: ZkAclStore, ZkAclChangeStore): literal ACLs under /kafka-acl,
 * prefixed ones under /kafka-acl-extended/prefixed, each resource one znode
 * `<root>/<ResourceType>/<name>`; change notifications as PERSISTENT_SEQUENTIAL
 * `acl_changes_<seq>` under /kafka-acl-changes (literal, data `Topic:t1`) and
 * /kafka-acl-extended-changes (prefixed, JSON).
 */
import {
  CONCRETE_RESOURCE_TYPES,
  PatternType,
  type ResourcePattern,
  extendedChangeData,
  literalChangeData,
  resourceTypeName,
} from '@samsa/security';

export const AclChangeNotificationSequencePrefix = 'acl_changes_';

/** One of Kafka's two ACL stores (LiteralAclStore, ExtendedAclStore for PREFIXED). */
export interface ZkAclStorePaths {
  readonly patternType: PatternType;
  /** /kafka-acl or /kafka-acl-extended/prefixed. */
  readonly aclPath: string;
  /** /kafka-acl-changes or /kafka-acl-extended-changes. */
  readonly changePath: string;
  encodeChange(p: ResourcePattern): Buffer;
}

export const LiteralAclStorePaths: ZkAclStorePaths = {
  patternType: PatternType.LITERAL,
  aclPath: '/kafka-acl',
  changePath: '/kafka-acl-changes',
  encodeChange: (p) => Buffer.from(literalChangeData(p)),
};

export const PrefixedAclStorePaths: ZkAclStorePaths = {
  patternType: PatternType.PREFIXED,
  aclPath: '/kafka-acl-extended/prefixed',
  changePath: '/kafka-acl-extended-changes',
  encodeChange: (p) => Buffer.from(extendedChangeData(p)),
};

export const ACL_STORES: readonly ZkAclStorePaths[] = [LiteralAclStorePaths, PrefixedAclStorePaths];

export function aclStorePathsFor(patternType: PatternType): ZkAclStorePaths {
  if (patternType === PatternType.LITERAL) return LiteralAclStorePaths;
  if (patternType === PatternType.PREFIXED) return PrefixedAclStorePaths;
  throw new Error(`ACLs of pattern type ${patternType} are not stored`);
}

/** `/kafka-acl/Topic/t1` (ResourceZNode.path). */
export function resourceZNodePath(p: ResourcePattern): string {
  return `${aclStorePathsFor(p.patternType).aclPath}/${resourceTypeName(p.resourceType)}/${p.name}`;
}

/** Every path Kafka's AclAuthorizer creates at start (the type folders and the change roots). */
export function aclContainerPaths(): string[] {
  const out: string[] = [];
  for (const s of ACL_STORES) {
    for (const t of CONCRETE_RESOURCE_TYPES) out.push(`${s.aclPath}/${resourceTypeName(t)}`);
    out.push(s.changePath);
  }
  return out;
}
