/**
 * Where the AclAuthorizer keeps ACLs: an interface so the model stays free of I/O. The broker and
 * kafka-acls use ZkAclStore (@samsa/zk, Kafka's /kafka-acl znodes); the unit tests an in-memory store.
 */
import type { AccessControlEntry, ResourcePattern } from './AclBinding';
import { resourcePatternKey } from './AclBinding';

export interface ResourceAcls {
  readonly pattern: ResourcePattern;
  readonly entries: readonly AccessControlEntry[];
}

export type AclChangeListener = (pattern: ResourcePattern) => void | Promise<void>;

export interface AclStore {
  /** Every resource with its ACLs (resources without ACLs may be omitted). */
  loadAll(): Promise<ResourceAcls[]>;
  /** One resource's ACLs (empty when it has none). */
  getAcls(pattern: ResourcePattern): Promise<AccessControlEntry[]>;
  /**
   * Replaces a resource's ACLs by `update(current)`, conditionally on what was read (Kafka's
   * updateResourceAcls loop), and announces the change to every broker; returns what is stored
   * afterwards. No write and no notification when the update changes nothing.
   */
  updateAcls(
    pattern: ResourcePattern,
    update: (current: readonly AccessControlEntry[]) => AccessControlEntry[],
  ): Promise<AccessControlEntry[]>;
  /**
   * Calls `listener` with each resource whose ACLs some writer (any process) changed, one change
   * at a time in notification order (a listener's promise is awaited before the next change).
   */
  watchChanges(listener: AclChangeListener): Promise<void>;
  close(): Promise<void>;
}

/** An AclStore in memory (tests; a single process). */
export class InMemoryAclStore implements AclStore {
  private readonly acls = new Map<string, ResourceAcls>();
  private readonly listeners: AclChangeListener[] = [];

  loadAll(): Promise<ResourceAcls[]> {
    return Promise.resolve([...this.acls.values()]);
  }

  getAcls(pattern: ResourcePattern): Promise<AccessControlEntry[]> {
    return Promise.resolve([...(this.acls.get(resourcePatternKey(pattern))?.entries ?? [])]);
  }

  async updateAcls(
    pattern: ResourcePattern,
    update: (current: readonly AccessControlEntry[]) => AccessControlEntry[],
  ): Promise<AccessControlEntry[]> {
    const current = await this.getAcls(pattern);
    const next = update(current);
    if (next.length === 0) this.acls.delete(resourcePatternKey(pattern));
    else this.acls.set(resourcePatternKey(pattern), { pattern, entries: next });
    for (const l of this.listeners) await l(pattern);
    return next;
  }

  watchChanges(listener: AclChangeListener): Promise<void> {
    this.listeners.push(listener);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
