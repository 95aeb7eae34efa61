import { type Logger } from '@samsa/common';
import { AdminZkClient } from '@samsa/admin-zk';
import type { LogManager } from '@samsa/storage';
import { desanitize, type CredentialCache } from '@samsa/security';
import {
  ConfigEntityChangeNotificationSequenceZNode,
  ConfigEntityChangeNotificationZNode,
  ConfigEntityDefault,
  ConfigType,
  type KafkaZkClient,
} from '@samsa/zk';
import { dynamicLogDefaults } from '../api/configs';

export interface DynamicConfigManagerOptions {
  readonly zkClient: KafkaZkClient;
  readonly logManager: LogManager;
  readonly brokerId: number;
  /** The broker's static log.* settings (server.properties names), under the dynamic ones. */
  readonly staticLogProps: Readonly<Record<string, string>>;
  readonly logger: Logger;
  /** Notifications older than this are deleted once processed (Kafka: 15 minutes). */
  readonly changeExpirationMs?: number;
  readonly now?: () => number;
  /** SCRAM credentials of /config/users/<user>, loaded at start and on users/<user> changes. */
  readonly credentialCache?: CredentialCache;
  /**
   * Hears this broker's dynamic configs at startup and on each change of either znode:
   * /config/brokers/<id> and /config/brokers/<default> (DynamicBrokerConfig.update).
   */
  readonly onBrokerConfig?: (perBroker: ReadonlyMap<string, string>, clusterDefault: ReadonlyMap<string, string>) => void;
  /**
   * Hears the config of each quota entity at startup and on each change (Kafka's UserConfigHandler
   * and ClientIdConfigHandler quota part): `entityPath` as notifications name it, "clients/<c>",
   * "users/<u>", "users/<u>/clients/<c>" (sanitized, or `<default>`).
   */
  readonly onQuotaEntityChange?: (entityPath: string, config: ReadonlyMap<string, string>) => void;
}

/**
 * Applies config changes made in ZooKeeper to this broker while it runs (Kafka's
 * DynamicConfigManager with ZkNodeChangeNotificationListener, and the TopicConfigHandler and
 * BrokerConfigHandler it feeds):
 *
 *   1. a writer changes /config/<type>/<name>, then creates /config/changes/config_change_<seq>
 *      naming "<type>/<name>";
 *   2. the child watch on /config/changes fires (or a new ZooKeeper session starts): the
 *      notifications are listed, and each with a sequence number above the last one processed is
 *      read; the config it names is read again from /config/<type>/<name> (the notification is only a
 *      trigger, so two quick changes may be applied once — harmless);
 *   3. topics/<t>: LogManager.updateConfig(t, overrides), so retention, segment size, … change on
 *      the live logs; brokers/<default> or brokers/<this id>: the broker's topic defaults are rebuilt
 *      from the static settings and both dynamic layers (LogManager.reconfigureDefaultLogConfig);
 *   4. notifications older than changeExpirationMs are deleted.
 *
 * At startup every existing topic and broker override is applied once, then every notification is
 * processed (usually wasted work, but no change can slip between the load and the watch).
 * Processing is one pass at a time; a watch firing during a pass queues at most one more.
 */
export class DynamicConfigManager {
  private readonly admin: AdminZkClient;
  private readonly changeExpirationMs: number;
  private readonly now: () => number;
  private lastExecutedChange = -1;
  private chain: Promise<void> = Promise.resolve();
  private queued = false;
  private closed = false;

  constructor(private readonly o: DynamicConfigManagerOptions) {
    this.admin = new AdminZkClient(o.zkClient);
    this.changeExpirationMs = o.changeExpirationMs ?? 15 * 60 * 1000;
    this.now = o.now ?? Date.now;
  }

  async startup(): Promise<void> {
    const zk = this.o.zkClient;
    zk.registerStateChangeHandler({
      name: this.handlerName,
      afterInitializingSession: () => this.maybeScheduleProcessing(),
    });
    zk.registerZNodeChildChangeHandler(ConfigEntityChangeNotificationZNode.path(), {
      handleChildChange: () => this.maybeScheduleProcessing(),
    });
    for (const [topic, overrides] of await this.admin.getAllTopicConfigs()) {
      if (overrides.size > 0) this.applyTopicConfig(topic, overrides);
    }
    await this.applyBrokerConfig();
    if (this.o.credentialCache) {
      for (const user of await zk.getAllEntitiesWithConfig(ConfigType.User)) await this.applyUserConfig(user);
    }
    if (this.o.onQuotaEntityChange) {
      for (const client of await zk.getAllEntitiesWithConfig(ConfigType.Client)) await this.applyQuotaConfig(`${ConfigType.Client}/${client}`);
      for (const user of await zk.getAllEntitiesWithConfig(ConfigType.User)) {
        await this.applyQuotaConfig(`${ConfigType.User}/${user}`);
        const clients = `${user}/${ConfigType.Client}`;
        for (const client of await zk.getAllEntitiesWithConfig(`${ConfigType.User}/${clients}`)) {
          await this.applyQuotaConfig(`${ConfigType.User}/${clients}/${client}`);
        }
      }
    }
    this.maybeScheduleProcessing();
    await this.chain;
  }

  /** Stops watching; a pass under way finishes. */
  async shutdown(): Promise<void> {
    this.closed = true;
    this.o.zkClient.unregisterZNodeChildChangeHandler(ConfigEntityChangeNotificationZNode.path());
    this.o.zkClient.unregisterStateChangeHandler(this.handlerName);
    await this.chain;
  }

  /** Resolves when every pass scheduled so far has finished (tests). */
  idle(): Promise<void> {
    return this.chain;
  }

  private get handlerName(): string {
    return `change-notification-${ConfigEntityChangeNotificationZNode.path()}`;
  }

  private maybeScheduleProcessing(): void {
    if (this.closed || this.queued) return;
    this.queued = true;
    this.chain = this.chain.then(async () => {
      this.queued = false;
      if (this.closed) return;
      try {
        await this.processNotifications();
      } catch (e) {
        this.o.logger.error(
          `Error while processing notification change for path = ${ConfigEntityChangeNotificationZNode.path()}`,
          e,
        );
      }
    });
  }

  private async processNotifications(): Promise<void> {
    const zk = this.o.zkClient;
    const root = ConfigEntityChangeNotificationZNode.path();
    // getChildren re-arms the child watch
    const notifications = (await zk.getChildren(root)).sort();
    if (notifications.length === 0) return;
    const now = this.now();
    for (const n of notifications) {
      const changeId = changeNumber(n);
      if (changeId <= this.lastExecutedChange) continue;
      await this.processNotification(`${root}/${n}`);
      this.lastExecutedChange = changeId;
    }
    for (const n of notifications) {
      const path = `${root}/${n}`;
      const { stat } = await zk.getDataAndStat(path);
      if (stat !== null && now - stat.ctime > this.changeExpirationMs) await zk.deleteRecursive(path);
    }
  }

  private async processNotification(path: string): Promise<void> {
    const { data } = await this.o.zkClient.getDataAndStat(path);
    if (data === null) {
      this.o.logger.warn(`read null data from ${path}`);
      return;
    }
    let entityPath: string;
    try {
      entityPath = ConfigEntityChangeNotificationSequenceZNode.decode(data);
    } catch (e) {
      this.o.logger.error(`error processing change notification ${data.toString()} from ${path}`, e);
      return;
    }
    const slash = entityPath.indexOf('/');
    const type = entityPath.slice(0, slash);
    const name = entityPath.slice(slash + 1);
    if (slash < 0) {
      this.o.logger.error(`config change notification ${path} names no entity type: ${entityPath}`);
    } else if (type === ConfigType.Topic) {
      const overrides = await this.admin.fetchEntityConfig(ConfigType.Topic, name);
      this.o.logger.info(
        `Processing override for entityPath: ${entityPath} with config: ${formatProps(overrides)}`,
      );
      this.applyTopicConfig(name, overrides);
    } else if (type === ConfigType.Broker) {
      if (name === ConfigEntityDefault || name === String(this.o.brokerId)) {
        this.o.logger.info(`Processing override for entityPath: ${entityPath}`);
        await this.applyBrokerConfig();
      }
    } else if ((type === ConfigType.User || type === ConfigType.Client) && (this.o.credentialCache || this.o.onQuotaEntityChange)) {
      this.o.logger.info(`Processing override for entityPath: ${entityPath}`);
      if (type === ConfigType.User && this.o.credentialCache) await this.applyUserConfig(name);
      if (this.o.onQuotaEntityChange) await this.applyQuotaConfig(entityPath);
    } else {
      // client and user quotas are not enforced by this broker
      this.o.logger.debug(`Ignoring config change of ${entityPath}`);
    }
  }

  /**
   * Kafka's UserConfigHandler for SCRAM: the user's credentials replaced by those in its config
   * (`<user>` and `<user>/clients/<id>` quota paths carry none; only a plain user name does).
   */
  private async applyUserConfig(sanitizedUser: string): Promise<void> {
    if (sanitizedUser.includes('/') || sanitizedUser === ConfigEntityDefault) return;
    const config = await this.admin.fetchEntityConfig(ConfigType.User, sanitizedUser);
    const bad = this.o.credentialCache!.updateCredentials(desanitize(sanitizedUser), config);
    for (const mechanism of bad) {
      this.o.logger.error(`Invalid ${mechanism} credential of user ${sanitizedUser} in ZooKeeper, not applied`);
    }
  }

  /** The quotas of one users/… or clients/… entity, read again from its znode. */
  private async applyQuotaConfig(entityPath: string): Promise<void> {
    const slash = entityPath.indexOf('/');
    const config = await this.admin.fetchEntityConfig(entityPath.slice(0, slash), entityPath.slice(slash + 1));
    try {
      this.o.onQuotaEntityChange!(entityPath, config);
    } catch (e) {
      this.o.logger.error(`Invalid quota config of ${entityPath} in ZooKeeper, not applied: ${formatProps(config)}`, e);
    }
  }

  /** Kafka's TopicConfigHandler: the topic's overrides over the current defaults, on its live logs. */
  private applyTopicConfig(topic: string, overrides: ReadonlyMap<string, string>): void {
    try {
      this.o.logManager.updateConfig(topic, Object.fromEntries(overrides));
    } catch (e) {
      this.o.logger.error(
        `Invalid config of topic ${topic} in ZooKeeper, not applied: ${formatProps(overrides)}`,
        e,
      );
    }
  }

  /** The broker's topic defaults rebuilt from its static settings and both dynamic layers. */
  private async applyBrokerConfig(): Promise<void> {
    const [perBroker, clusterDefault] = await Promise.all([
      this.admin.fetchEntityConfig(ConfigType.Broker, String(this.o.brokerId)),
      this.admin.fetchEntityConfig(ConfigType.Broker, ConfigEntityDefault),
    ]);
    this.o.onBrokerConfig?.(perBroker, clusterDefault);
    try {
      const config = dynamicLogDefaults(this.o.staticLogProps, clusterDefault, perBroker);
      this.o.logManager.reconfigureDefaultLogConfig(config);
    } catch (e) {
      this.o.logger.error(
        `Invalid dynamic broker config in ZooKeeper, not applied: <default> {${formatProps(clusterDefault)}}, ` +
          `${this.o.brokerId} {${formatProps(perBroker)}}`,
        e,
      );
    }
  }
}

function changeNumber(name: string): number {
  return Number(name.slice(ConfigEntityChangeNotificationSequenceZNode.SequenceNumberPrefix.length));
}

function formatProps(configs: ReadonlyMap<string, string>): string {
  return [...configs].map(([k, v]) => `${k}=${v}`).join(', ');
}
