/**
 * The JSON of one resource's ACL znode, exactly as Kafka writes it (AclEntry.toJsonCompatibleMap):
 * `{"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"}]}`,
 * compact, keys in that order, names CamelCase. And the extended change notification's JSON
 * (`{"version":1,"resourceType":"Topic","name":"pre-","patternType":"PREFIXED"}`).
 */
import type { AccessControlEntry, ResourcePattern } from './AclBinding';
import {
  AclOperation,
  AclPermissionType,
  PatternType,
  ResourceType,
  operationName,
  parseOperation,
  parsePatternType,
  parsePermissionType,
  parseResourceType,
  patternTypeName,
  permissionTypeName,
  resourceTypeName,
} from './aclTypes';

export function aclsToJson(entries: readonly AccessControlEntry[]): string {
  const acls = entries.map((e) => ({
    principal: e.principal,
    permissionType: permissionTypeName(e.permissionType),
    operation: operationName(e.operation),
    host: e.host,
  }));
  return JSON.stringify({ version: 1, acls });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a resource znode's ACLs; empty data (a container znode) holds none. Throws on malformed JSON. */
export function aclsFromJson(data: Buffer | string | null): AccessControlEntry[] {
  if (data === null || data.length === 0) return [];
  const parsed: unknown = JSON.parse(data.toString());
  if (!isRecord(parsed) || !Array.isArray(parsed.acls)) throw new Error('ACL znode without an acls array');
  return parsed.acls.map((raw: unknown): AccessControlEntry => {
    if (!isRecord(raw)) throw new Error('ACL entry is not an object');
    const { principal, permissionType, operation, host } = raw;
    if (typeof principal !== 'string' || typeof host !== 'string') throw new Error('ACL entry without principal/host');
    const op = typeof operation === 'string' ? parseOperation(operation) : undefined;
    const perm = typeof permissionType === 'string' ? parsePermissionType(permissionType) : undefined;
    if (op === undefined || op === AclOperation.UNKNOWN || op === AclOperation.ANY) {
      throw new Error(`Unknown ACL operation ${String(operation)}`);
    }
    if (perm === undefined || perm === AclPermissionType.UNKNOWN || perm === AclPermissionType.ANY) {
      throw new Error(`Unknown ACL permission type ${String(permissionType)}`);
    }
    return { principal, host, operation: op, permissionType: perm };
  });
}

/** The literal change notification's data: `Topic:t1` (plain text). */
export function literalChangeData(p: ResourcePattern): string {
  return `${resourceTypeName(p.resourceType)}:${p.name}`;
}

/** The extended (prefixed) change notification's data. */
export function extendedChangeData(p: ResourcePattern): string {
  return JSON.stringify({
    version: 1,
    resourceType: resourceTypeName(p.resourceType),
    name: p.name,
    patternType: patternTypeName(p.patternType),
  });
}

/** Reads either notification form back to the pattern it names (undefined when unreadable). */
export function patternFromChangeData(data: string): ResourcePattern | undefined {
  if (data.startsWith('{')) {
    try {
      const v: unknown = JSON.parse(data);
      if (!isRecord(v) || typeof v.resourceType !== 'string' || typeof v.name !== 'string') return undefined;
      const resourceType = parseResourceType(v.resourceType);
      const patternType = typeof v.patternType === 'string' ? parsePatternType(v.patternType) : undefined;
      if (resourceType === undefined || patternType === undefined) return undefined;
      return { resourceType, name: v.name, patternType };
    } catch {
      return undefined;
    }
  }
  const colon = data.indexOf(':');
  if (colon <= 0) return undefined;
  const resourceType = parseResourceType(data.slice(0, colon));
  if (resourceType === undefined || resourceType === ResourceType.ANY || resourceType === ResourceType.UNKNOWN) {
    return undefined;
  }
  return { resourceType, name: data.slice(colon + 1), patternType: PatternType.LITERAL };
}
