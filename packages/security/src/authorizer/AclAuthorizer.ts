/**
 * Kafka 2.8's kafka.security.authorizer.AclAuthorizer: decides whether a principal from a host may
 * perform an operation on a resource, from the ACLs of an AclStore that it caches and keeps current
 * through the store's change notifications.
 *
 * The rule, as Kafka's: super users may do everything; otherwise the ACLs that match the resource
 * (its literal name, the literal `*`, and every prefixed pattern the name starts with) are read; none
 * at all → allow.everyone.if.no.acl.found decides; a matching DENY (principal or User:*, host or *,
 * the operation or All) denies; else a matching ALLOW allows, where Describe is implied by Read,
 * Write, Delete and Alter, and DescribeConfigs by AlterConfigs. Every denial is logged on
 * kafka.authorizer.logger as Kafka writes it.
 */
import type { Logger } from '@samsa/common';
import type { KafkaPrincipal } from '../auth/KafkaPrincipal';
import { principalToString } from '../auth/KafkaPrincipal';
import {
  type AccessControlEntry,
  type AclBinding,
  type AclBindingFilter,
  type ResourcePattern,
  aclFilterMatches,
  entryFilterMatches,
  invalidBindingReason,
  patternFilterMatches,
  resourcePatternKey,
  resourcePatternToString,
  sameEntry,
} from './AclBinding';
import type { AclStore, ResourceAcls } from './AclStore';
import {
  AclOperation,
  AclPermissionType,
  PatternType,
  ResourceType,
  WILDCARD_HOST,
  WILDCARD_PRINCIPAL,
  WILDCARD_RESOURCE,
  operationName,
  resourceTypeName,
} from './aclTypes';

/** Who asks (Kafka's AuthorizableRequestContext, the part the decision needs). */
export interface AuthorizableRequestContext {
  readonly principal: KafkaPrincipal;
  /** The client's IP address. */
  readonly clientHost: string;
  /** The request's API name as ApiKeys writes it (PRODUCE, METADATA, …), for the audit log. */
  readonly requestName: string;
}

/** Kafka's Action: an operation on a resource, and whether to log the decision. */
export interface Action {
  readonly operation: AclOperation;
  readonly resourceType: ResourceType;
  readonly resourceName: string;
  /** How many times the request names the resource (the audit log's resourceRefCount). */
  readonly resourceReferenceCount?: number;
  /** Log an allowed decision (DEBUG); default true. */
  readonly logIfAllowed?: boolean;
  /** Log a denied decision (INFO); default true. Metadata without topics filters silently. */
  readonly logIfDenied?: boolean;
}

/** The authorizer the broker calls (Kafka's org.apache.kafka.server.authorizer.Authorizer). */
export interface Authorizer {
  authorize(ctx: AuthorizableRequestContext, actions: readonly Action[]): boolean[];
  /** Kafka's authorizeByResourceType (KIP-679): may the principal `op` some resource of the type. */
  authorizeByResourceType(ctx: AuthorizableRequestContext, op: AclOperation, resourceType: ResourceType): boolean;
  createAcls(bindings: readonly AclBinding[]): Promise<AclCreateResult[]>;
  deleteAcls(filters: readonly AclBindingFilter[]): Promise<AclDeleteResult[]>;
  acls(filter: AclBindingFilter): AclBinding[];
}

export interface AclCreateResult {
  /** Undefined when created. */
  readonly error?: { readonly code: 'INVALID_REQUEST' | 'UNKNOWN_SERVER_ERROR'; readonly message: string };
}

export interface AclDeleteResult {
  readonly deleted: readonly { readonly binding: AclBinding; readonly error?: string }[];
}

export interface AclAuthorizerOptions {
  readonly store: AclStore;
  /** Principals (`User:admin`) that may do everything (super.users). */
  readonly superUsers?: readonly string[];
  /** allow.everyone.if.no.acl.found (default false). */
  readonly allowEveryoneIfNoAclFound?: boolean;
  /** kafka.authorizer.logger. */
  readonly logger?: Logger;
}

/** Kafka's super.users value: principals separated by `;`. */
export function parseSuperUsers(value: string): string[] {
  return value
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export class AclAuthorizer implements Authorizer {
  private readonly store: AclStore;
  private readonly superUsers: ReadonlySet<string>;
  private readonly allowEveryoneIfNoAclFound: boolean;
  private readonly logger: Logger | undefined;
  /** Every resource's ACLs, by resourcePatternKey. */
  private readonly cache = new Map<string, ResourceAcls>();
  /**
   * The same ACLs indexed for authorize, which runs on every request: per resource type, literal
   * names and prefixes each to their entries (a name's prefixed patterns are found by its prefixes).
   */
  private readonly index = new Map<ResourceType, { literal: Map<string, readonly AccessControlEntry[]>; prefixed: Map<string, readonly AccessControlEntry[]> }>();

  constructor(options: AclAuthorizerOptions) {
    this.store = options.store;
    this.superUsers = new Set(options.superUsers ?? []);
    this.allowEveryoneIfNoAclFound = options.allowEveryoneIfNoAclFound ?? false;
    this.logger = options.logger;
  }

  /** Loads every ACL and follows the change notifications (Kafka's configure + start). */
  async start(): Promise<void> {
    // Notifications that arrive while every ACL is being loaded name resources whose newer state
    // the load may or may not have read: each is read again once the load is in, so the cache
    // never ends on the load's older copy. After that, one resource re-read at a time, in
    // notification order, so an older read never lands last.
    let serial: Promise<void> = Promise.resolve();
    const reread = (pattern: ResourcePattern): Promise<void> => (serial = serial.then(() => this.refresh(pattern)));
    let changedDuringLoad: ResourcePattern[] | undefined = [];
    await this.store.watchChanges((pattern) => {
      if (changedDuringLoad === undefined) return reread(pattern);
      changedDuringLoad.push(pattern);
      return Promise.resolve();
    });
    await this.load();
    const pending = changedDuringLoad;
    changedDuringLoad = undefined;
    for (const pattern of pending) void reread(pattern);
    await serial;
  }

  /** Loads every ACL once, without following changes (the kafka-acls tool). */
  async load(): Promise<void> {
    for (const r of await this.store.loadAll()) this.put(r.pattern, r.entries);
  }

  close(): Promise<void> {
    return this.store.close();
  }

  /** Re-reads one resource after a change notification. */
  async refresh(pattern: ResourcePattern): Promise<void> {
    try {
      this.put(pattern, await this.store.getAcls(pattern));
    } catch (err) {
      this.logger?.warn(`Failed to reload ACLs of ${resourcePatternToString(pattern)}`, err);
    }
  }

  private put(pattern: ResourcePattern, entries: readonly AccessControlEntry[]): void {
    if (entries.length === 0) this.cache.delete(resourcePatternKey(pattern));
    else this.cache.set(resourcePatternKey(pattern), { pattern, entries });
    let byType = this.index.get(pattern.resourceType);
    if (byType === undefined) {
      byType = { literal: new Map(), prefixed: new Map() };
      this.index.set(pattern.resourceType, byType);
    }
    const names = pattern.patternType === PatternType.PREFIXED ? byType.prefixed : byType.literal;
    if (entries.length === 0) names.delete(pattern.name);
    else names.set(pattern.name, entries);
  }

  isSuperUser(principal: KafkaPrincipal): boolean {
    return this.superUsers.has(principalToString(principal));
  }

  authorize(ctx: AuthorizableRequestContext, actions: readonly Action[]): boolean[] {
    return actions.map((action) => {
      const allowed = this.authorizeAction(ctx, action);
      this.logAudit(ctx, action, allowed);
      return allowed;
    });
  }

  /** The ACLs that apply to a resource: its literal name, the literal `*`, and the prefixes of its name. */
  matchingAcls(resourceType: ResourceType, name: string): AccessControlEntry[] {
    const byType = this.index.get(resourceType);
    if (byType === undefined) return [];
    const out: AccessControlEntry[] = [...(byType.literal.get(name) ?? [])];
    if (name !== WILDCARD_RESOURCE) out.push(...(byType.literal.get(WILDCARD_RESOURCE) ?? []));
    if (byType.prefixed.size > 0) {
      for (let end = 1; end <= name.length; end++) out.push(...(byType.prefixed.get(name.slice(0, end)) ?? []));
    }
    return out;
  }

  private authorizeAction(ctx: AuthorizableRequestContext, action: Action): boolean {
    if (this.isSuperUser(ctx.principal)) return true;
    const acls = this.matchingAcls(action.resourceType, action.resourceName);
    if (acls.length === 0) return this.allowEveryoneIfNoAclFound;
    const principal = principalToString(ctx.principal);
    if (matchingAclExists(acls, action.operation, principal, ctx.clientHost, AclPermissionType.DENY)) return false;
    return impliedBy(action.operation).some((op) =>
      matchingAclExists(acls, op, principal, ctx.clientHost, AclPermissionType.ALLOW),
    );
  }

  authorizeByResourceType(ctx: AuthorizableRequestContext, op: AclOperation, resourceType: ResourceType): boolean {
    const allowed = this.authorizeByResourceTypeDecision(ctx, op, resourceType);
    const action: Action = { operation: op, resourceType, resourceName: 'NONE' };
    this.logAudit(ctx, action, allowed, PatternType.UNKNOWN);
    return allowed;
  }

  /**
   * Kafka 2.8's rule: a DENY on the literal `*` denies; with allow.everyone.if.no.acl.found allow;
   * else allow when some literal or prefixed ALLOW is not covered by a DENY (a deny literal of the
   * same name, or a deny prefix it starts with).
   */
  private authorizeByResourceTypeDecision(ctx: AuthorizableRequestContext, op: AclOperation, resourceType: ResourceType): boolean {
    if (this.isSuperUser(ctx.principal)) return true;
    const principal = principalToString(ctx.principal);
    const names = (permission: AclPermissionType, patternType: PatternType): string[] => {
      const out: string[] = [];
      for (const { pattern, entries } of this.cache.values()) {
        if (pattern.resourceType !== resourceType || pattern.patternType !== patternType) continue;
        if (matchingAclExists(entries, op, principal, ctx.clientHost, permission)) out.push(pattern.name);
      }
      return out;
    };
    const denyLiterals = names(AclPermissionType.DENY, PatternType.LITERAL);
    if (denyLiterals.includes(WILDCARD_RESOURCE)) return false;
    if (this.allowEveryoneIfNoAclFound) return true;
    const denyPrefixes = names(AclPermissionType.DENY, PatternType.PREFIXED);
    const deniedByPrefix = (name: string): boolean => denyPrefixes.some((p) => name.startsWith(p));
    const allowLiterals = names(AclPermissionType.ALLOW, PatternType.LITERAL);
    const allowPrefixes = names(AclPermissionType.ALLOW, PatternType.PREFIXED);
    return (
      allowLiterals.some((n) => n === WILDCARD_RESOURCE || (!denyLiterals.includes(n) && !deniedByPrefix(n))) ||
      allowPrefixes.some((p) => !deniedByPrefix(p))
    );
  }

  /** Kafka's logAuditMessage, on kafka.authorizer.logger: denials at INFO, allowed at DEBUG. */
  private logAudit(ctx: AuthorizableRequestContext, action: Action, allowed: boolean, patternType: PatternType = PatternType.LITERAL): void {
    if (this.logger === undefined) return;
    if (allowed ? action.logIfAllowed === false : action.logIfDenied === false) return;
    const resource = `${resourceTypeName(action.resourceType)}:${patternType === PatternType.LITERAL ? 'LITERAL' : 'UNKNOWN'}:${action.resourceName}`;
    const line =
      `Principal = ${principalToString(ctx.principal)} is ${allowed ? 'Allowed' : 'Denied'} ` +
      `Operation = ${operationName(action.operation)} from host = ${ctx.clientHost} on resource = ${resource} ` +
      `for request = ${ctx.requestName} with resourceRefCount = ${action.resourceReferenceCount ?? 1}`;
    if (allowed) this.logger.debug(line);
    else this.logger.info(line);
  }

  /**
   * Kafka's createAcls: invalid bindings fail alone; the valid ones are added to their resource's
   * ACLs (entries already there are not repeated), one conditional update per resource.
   */
  async createAcls(bindings: readonly AclBinding[]): Promise<AclCreateResult[]> {
    const results: AclCreateResult[] = bindings.map((b) => {
      const reason = invalidBindingReason(b);
      return reason === undefined ? {} : { error: { code: 'INVALID_REQUEST', message: reason } };
    });
    const byResource = new Map<string, { pattern: ResourcePattern; items: { index: number; entry: AccessControlEntry }[] }>();
    bindings.forEach((b, index) => {
      if (results[index]?.error !== undefined) return;
      const key = resourcePatternKey(b.pattern);
      let group = byResource.get(key);
      if (group === undefined) {
        group = { pattern: b.pattern, items: [] };
        byResource.set(key, group);
      }
      group.items.push({ index, entry: b.entry });
    });
    for (const { pattern, items } of byResource.values()) {
      try {
        const stored = await this.store.updateAcls(pattern, (current) => {
          const next = [...current];
          for (const { entry } of items) if (!next.some((e) => sameEntry(e, entry))) next.push(entry);
          return next;
        });
        this.put(pattern, stored);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        for (const { index } of items) results[index] = { error: { code: 'UNKNOWN_SERVER_ERROR', message } };
      }
    }
    return results;
  }

  /**
   * Kafka's deleteAcls: each filter removes every cached binding it matches; a binding matched by
   * several filters is reported by the first. Resources are updated conditionally, one at a time.
   */
  async deleteAcls(filters: readonly AclBindingFilter[]): Promise<AclDeleteResult[]> {
    const results: { binding: AclBinding; error?: string }[][] = filters.map(() => []);
    for (const { pattern } of [...this.cache.values()]) {
      const matching = filters.map((f, i) => ({ f, i })).filter(({ f }) => patternFilterMatches(f.patternFilter, pattern));
      if (matching.length === 0) continue;
      const removed: { binding: AclBinding; index: number }[] = [];
      try {
        const stored = await this.store.updateAcls(pattern, (current) => {
          removed.length = 0;
          return current.filter((entry) => {
            const hit = matching.find(({ f }) => entryFilterMatches(f.entryFilter, entry));
            if (hit === undefined) return true;
            removed.push({ binding: { pattern, entry }, index: hit.i });
            return false;
          });
        });
        this.put(pattern, stored);
        for (const r of removed) results[r.index]?.push({ binding: r.binding });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        for (const r of removed) results[r.index]?.push({ binding: r.binding, error: message });
      }
    }
    return results.map((deleted) => ({ deleted }));
  }

  acls(filter: AclBindingFilter): AclBinding[] {
    const out: AclBinding[] = [];
    for (const { pattern, entries } of this.cache.values()) {
      for (const entry of entries) {
        const binding = { pattern, entry };
        if (aclFilterMatches(filter, binding)) out.push(binding);
      }
    }
    return out;
  }
}

/** The operations whose ALLOW grants `op` (Kafka's implied operations). */
function impliedBy(op: AclOperation): AclOperation[] {
  switch (op) {
    case AclOperation.DESCRIBE:
      return [AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER];
    case AclOperation.DESCRIBE_CONFIGS:
      return [AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS];
    default:
      return [op];
  }
}

function matchingAclExists(
  acls: readonly AccessControlEntry[],
  op: AclOperation,
  principal: string,
  host: string,
  permission: AclPermissionType,
): boolean {
  return acls.some(
    (a) =>
      a.permissionType === permission &&
      (a.operation === op || a.operation === AclOperation.ALL) &&
      (a.principal === principal || a.principal === WILDCARD_PRINCIPAL) &&
      (a.host === host || a.host === WILDCARD_HOST),
  );
}
