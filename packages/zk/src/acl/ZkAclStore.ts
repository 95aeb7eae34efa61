/**
 * The AclStore over ZooKeeper, as Kafka 2.8's AclAuthorizer keeps ACLs: one znode per resource
 * (AclZNodes.ts), updated conditionally on its version (updateResourceAcls: read, compute, write
 * if nobody wrote in between, else read again), each change announced by a sequential znode that
 * every broker watches (ZkNodeChangeNotificationListener), and old notifications purged.
 */
import type { Logger } from '@samsa/common';
import { consoleLogger } from '@samsa/common';
import {
  type AccessControlEntry,
  type AclChangeListener,
  type AclStore,
  type ResourceAcls,
  type ResourcePattern,
  aclsFromJson,
  aclsToJson,
  parseResourceType,
  patternFromChangeData,
  sameEntry,
} from '@samsa/security';
import type { KafkaZkClient } from '../KafkaZkClient';
import { type ZkCode, ZkError } from '../ZkErrors';
import {
  ACL_STORES,
  AclChangeNotificationSequencePrefix,
  type ZkAclStorePaths,
  aclContainerPaths,
  aclStorePathsFor,
  resourceZNodePath,
} from './AclZNodes';

export interface ZkAclStoreOptions {
  readonly logger?: Logger;
  /** Notifications older than this are deleted once processed (Kafka: 15 minutes). */
  readonly changeExpirationMs?: number;
  /** Conditional update attempts before giving up (Kafka's maxUpdateRetries: 10). */
  readonly maxUpdateRetries?: number;
  readonly now?: () => number;
}

/** ZooKeeper's `<prefix><10 digits>` → the number. */
function sequenceNumber(child: string): number {
  return Number(child.slice(AclChangeNotificationSequencePrefix.length));
}

export class ZkAclStore implements AclStore {
  private readonly logger: Logger;
  private readonly changeExpirationMs: number;
  private readonly maxUpdateRetries: number;
  private readonly now: () => number;
  private readonly listeners: AclChangeListener[] = [];
  /** Per change path, the last notification processed, and the pass chain. */
  private readonly lastExecuted = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();
  private readonly queued = new Set<string>();
  private watching = false;
  private closed = false;

  constructor(
    private readonly zk: KafkaZkClient,
    options: ZkAclStoreOptions = {},
  ) {
    this.logger = options.logger ?? consoleLogger('acl');
    this.changeExpirationMs = options.changeExpirationMs ?? 15 * 60 * 1000;
    this.maxUpdateRetries = options.maxUpdateRetries ?? 10;
    this.now = options.now ?? Date.now;
  }

  /** Creates the ACL folders and change roots, as Kafka's AclAuthorizer.configure does. */
  async createPaths(): Promise<void> {
    for (const path of aclContainerPaths()) await this.zk.makeSurePersistentPathExists(path);
  }

  async loadAll(): Promise<ResourceAcls[]> {
    const out: ResourceAcls[] = [];
    for (const store of ACL_STORES) {
      for (const typeName of await this.zk.getChildren(store.aclPath)) {
        const resourceType = parseResourceType(typeName);
        if (resourceType === undefined) continue;
        for (const name of await this.zk.getChildren(`${store.aclPath}/${typeName}`)) {
          const pattern: ResourcePattern = { resourceType, name, patternType: store.patternType };
          const entries = await this.getAcls(pattern);
          if (entries.length > 0) out.push({ pattern, entries });
        }
      }
    }
    return out;
  }

  async getAcls(pattern: ResourcePattern): Promise<AccessControlEntry[]> {
    return (await this.getAclsAndVersion(pattern)).entries;
  }

  private async getAclsAndVersion(pattern: ResourcePattern): Promise<{ entries: AccessControlEntry[]; version: number }> {
    const { data, stat } = await this.zk.getDataAndStat(resourceZNodePath(pattern));
    if (stat === null) return { entries: [], version: -1 };
    return { entries: aclsFromJson(data), version: stat.version };
  }

  async updateAcls(
    pattern: ResourcePattern,
    update: (current: readonly AccessControlEntry[]) => AccessControlEntry[],
  ): Promise<AccessControlEntry[]> {
    const path = resourceZNodePath(pattern);
    const client = this.zk.zooKeeperClient;
    for (let attempt = 0; attempt < this.maxUpdateRetries; attempt++) {
      const { entries: current, version } = await this.getAclsAndVersion(pattern);
      const next = update(current);
      if (next.length === current.length && next.every((e, i) => sameEntry(e, current[i]!))) return next;
      let code: ZkCode;
      if (next.length === 0) {
        code = (await client.delete(path, version)).code;
        if (code === 'NONODE') code = 'OK';
      } else if (version >= 0) {
        code = (await client.setData(path, Buffer.from(aclsToJson(next)), version)).code;
      } else {
        code = (await client.create(path, Buffer.from(aclsToJson(next)))).code;
        if (code === 'NONODE') {
          await this.createPaths();
          code = (await client.create(path, Buffer.from(aclsToJson(next)))).code;
        }
      }
      if (code === 'OK') {
        await this.notifyChange(pattern);
        return next;
      }
      if (code === 'CONNECTIONLOSS') await client.waitUntilConnected();
      else if (code !== 'BADVERSION' && code !== 'NODEEXISTS' && code !== 'NONODE') throw new ZkError(code, path);
      // someone wrote in between (or the node moved): back off a little and read again
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 50)));
    }
    throw new Error(`Failed to update ACLs for ${path} after trying a maximum of ${this.maxUpdateRetries} times`);
  }

  private async notifyChange(pattern: ResourcePattern): Promise<void> {
    const store = aclStorePathsFor(pattern.patternType);
    await this.zk.createSequentialPersistentPath(
      `${store.changePath}/${AclChangeNotificationSequencePrefix}`,
      store.encodeChange(pattern),
    );
  }

  /**
   * Watches both change roots; every notification newer than the last processed names a resource
   * whose ACLs the listener re-reads. Existing notifications are processed once at start, and
   * again after a new ZooKeeper session (a watch may have been missed meanwhile).
   */
  async watchChanges(listener: AclChangeListener): Promise<void> {
    this.listeners.push(listener);
    if (this.watching) return;
    this.watching = true;
    await this.createPaths();
    this.zk.registerStateChangeHandler({
      name: 'acl-change-notifications',
      afterInitializingSession: () => {
        for (const s of ACL_STORES) this.schedule(s);
      },
    });
    for (const s of ACL_STORES) {
      this.zk.registerZNodeChildChangeHandler(s.changePath, { handleChildChange: () => this.schedule(s) });
      this.schedule(s);
    }
    await this.chain;
  }

  private schedule(store: ZkAclStorePaths): void {
    if (this.closed || this.queued.has(store.changePath)) return;
    this.queued.add(store.changePath);
    this.chain = this.chain.then(async () => {
      this.queued.delete(store.changePath);
      if (this.closed) return;
      try {
        await this.processNotifications(store);
      } catch (err) {
        this.logger.error(`Error processing ACL change notifications under ${store.changePath}`, err);
      }
    });
  }

  private async processNotifications(store: ZkAclStorePaths): Promise<void> {
    // getChildren re-arms the child watch
    const children = (await this.zk.getChildren(store.changePath))
      .filter((c) => c.startsWith(AclChangeNotificationSequencePrefix))
      .sort();
    const last = this.lastExecuted.get(store.changePath) ?? -1;
    const now = this.now();
    for (const child of children) {
      const seq = sequenceNumber(child);
      const path = `${store.changePath}/${child}`;
      const { data, stat } = await this.zk.getDataAndStat(path);
      if (seq > last) {
        const pattern = data === null ? undefined : patternFromChangeData(data.toString());
        if (pattern === undefined) this.logger.warn(`Unreadable ACL change notification at ${path}`);
        else for (const l of this.listeners) await l(pattern);
        this.lastExecuted.set(store.changePath, seq);
      }
      // Kafka's purgeObsoleteNotifications
      if (stat !== null && now - stat.ctime > this.changeExpirationMs) {
        await this.zk.zooKeeperClient.delete(path, -1);
      }
    }
  }

  /** Stops watching (the ZooKeeper client belongs to the caller). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.watching) {
      for (const s of ACL_STORES) this.zk.unregisterZNodeChildChangeHandler(s.changePath);
      this.zk.unregisterStateChangeHandler('acl-change-notifications');
    }
    await this.chain;
  }
}
