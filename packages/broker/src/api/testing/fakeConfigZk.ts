import type { KafkaZkClient } from '@samsa/zk';

/**
 * The config corner of KafkaZkClient, in memory: entity configs and change notifications, and the
 * topic znodes' existence. Enough for the config handlers and AdminZkClient.changeTopicConfig.
 * Test support only.
 */
export class FakeConfigZk {
  readonly configs = new Map<string, Map<string, string>>();
  readonly notifications: string[] = [];

  constructor(readonly topics: string[] = []) {}

  set(type: string, name: string, entries: Record<string, string>): this {
    this.configs.set(`${type}/${name}`, new Map(Object.entries(entries)));
    return this;
  }

  get(type: string, name: string): Record<string, string> | undefined {
    const c = this.configs.get(`${type}/${name}`);
    return c && Object.fromEntries(c);
  }

  client(): KafkaZkClient {
    return {
      getEntityConfigs: async (type: string, name: string) =>
        new Map(this.configs.get(`${type}/${name}`) ?? []),
      setOrCreateEntityConfigs: async (type: string, name: string, config: ReadonlyMap<string, string>) => {
        this.configs.set(`${type}/${name}`, new Map(config));
      },
      createConfigChangeNotification: async (entityPath: string) => {
        this.notifications.push(entityPath);
        return `/config/changes/config_change_${String(this.notifications.length - 1).padStart(10, '0')}`;
      },
      topicExists: async (t: string) => this.topics.includes(t),
    } as unknown as KafkaZkClient;
  }
}
