/**
 * kafka-configs --zookeeper for topics, brokers and clients (Kafka 2.8's ConfigCommand
 * describeConfigWithZk / alterConfigWithZk): the overrides in /config/<type>/<name> read, or
 * replaced and announced under /config/changes so every broker applies them.
 *
 *   - topics: the topic must exist; its overrides checked as LogConfig takes them.
 *   - brokers: only while the broker(s) concerned are down, as Kafka 2.8 allows (a running broker
 *     is changed through --bootstrap-server, which checks the change as the broker applies it).
 *   - clients: quota configs (producer_byte_rate, consumer_byte_rate, request_percentage).
 */
import { desanitize, sanitize } from '@samsa/security';
import { ConfigEntityDefault, ConfigType, type KafkaZkClient } from '@samsa/zk';
import { AdminZkClient } from '@samsa/admin-zk';
import { UsageError } from '../cli/OptionParser';

/** One entity as Kafka's ConfigCommand.Entity names it; `sanitizedName` undefined: all of the type. */
export interface ZkEntity {
  readonly entityType: string;
  readonly sanitizedName: string | undefined;
}

/** Kafka's Entity.toString: "topic 'orders'", "brokers '0'", "default brokers", "client-id 'c1'". */
export function zkEntityToString(entityType: string, sanitizedName: string): string {
  const typeName =
    entityType === ConfigType.User ? 'user-principal' : entityType === ConfigType.Client ? 'client-id' : entityType === ConfigType.Topic ? 'topic' : entityType;
  if (sanitizedName === ConfigEntityDefault) return `default ${typeName}`;
  const shown = entityType === ConfigType.User || entityType === ConfigType.Client ? desanitize(sanitizedName) : sanitizedName;
  return `${typeName} '${shown}'`;
}

/** The sanitized name an --entity-name (or "" for --entity-default) is stored under. */
export function sanitizedEntityName(entityType: string, name: string): string {
  if (name === '') return ConfigEntityDefault;
  return entityType === ConfigType.User || entityType === ConfigType.Client ? sanitize(name) : name;
}

/** Kafka's DynamicConfig.Client (and the quota part of DynamicConfig.User). */
export const QUOTA_CONFIGS: Readonly<Record<string, 'long' | 'double'>> = {
  producer_byte_rate: 'long',
  consumer_byte_rate: 'long',
  request_percentage: 'double',
};

function validateQuotaConfigs(configs: ReadonlyMap<string, string>): void {
  for (const [k, v] of configs) {
    const type = QUOTA_CONFIGS[k];
    if (type === undefined) throw new UsageError(`Unknown Dynamic Configuration '${k}'.`);
    const ok = type === 'long' ? /^-?\d+$/.test(v.trim()) : v.trim() !== '' && !Number.isNaN(Number(v));
    if (!ok) throw new UsageError(`Invalid value ${v} for configuration ${k}: Not a number of type ${type.toUpperCase()}`);
  }
}

export async function describeWithZk(zk: KafkaZkClient, entity: ZkEntity, out: (line: string) => void): Promise<void> {
  const admin = new AdminZkClient(zk);
  const names =
    entity.sanitizedName === undefined ? (await zk.getAllEntitiesWithConfig(entity.entityType)).sort() : [entity.sanitizedName];
  for (const name of names) {
    const configs = await admin.fetchEntityConfig(entity.entityType, name);
    out(`Configs for ${zkEntityToString(entity.entityType, name)} are ${[...configs].map(([k, v]) => `${k}=${v}`).join(',')}`);
  }
}

/** Scala's toString of what Kafka's message shows: the Properties added and the Buffer deleted. */
function changesText(entityType: string, add: ReadonlyMap<string, string>, del: readonly string[]): string {
  const added = `{${[...add].map(([k, v]) => `${k}=${v}`).join(', ')}}`;
  const deleted = del.length === 0 ? 'List()' : `Buffer(${del.join(', ')})`;
  return `--bootstrap-server option must be specified to update ${entityType} configs: {add: ${added}, delete: ${deleted}}`;
}

/** Kafka's validateBrokersNotRunning. */
async function requireBrokersDown(zk: KafkaZkClient, sanitizedName: string, errorMessage: string): Promise<void> {
  const info = 'Broker configuration operations using ZooKeeper are only supported if the affected broker(s) are not running.';
  if (sanitizedName === ConfigEntityDefault) {
    const running = (await zk.getAllBrokersInCluster()).length;
    if (running !== 0) throw new UsageError(`${errorMessage} - ${running} brokers are running. ${info}`);
    return;
  }
  if ((await zk.getBroker(Number(sanitizedName))) !== null)
    throw new UsageError(`${errorMessage} - broker ${sanitizedName} is running. ${info}`);
}

export async function alterWithZk(
  zk: KafkaZkClient,
  entity: ZkEntity & { readonly sanitizedName: string },
  add: ReadonlyMap<string, string>,
  del: readonly string[],
  out: (line: string) => void,
): Promise<void> {
  const { entityType, sanitizedName } = entity;
  if (entityType === ConfigType.Broker && (add.size > 0 || del.length > 0))
    await requireBrokersDown(zk, sanitizedName, changesText(entityType, add, del));
  const admin = new AdminZkClient(zk);
  const configs = await admin.fetchEntityConfig(entityType, sanitizedName);
  const invalid = del.filter((k) => !configs.has(k));
  if (invalid.length > 0) throw new UsageError(`Invalid config(s): ${invalid.join(',')}`);
  for (const [k, v] of add) configs.set(k, v);
  for (const k of del) configs.delete(k);
  if (entityType === ConfigType.Topic) {
    await admin.changeTopicConfig(sanitizedName, configs);
  } else {
    if (entityType === ConfigType.Client) validateQuotaConfigs(configs);
    await zk.setOrCreateEntityConfigs(entityType, sanitizedName, configs);
    await zk.createConfigChangeNotification(`${entityType}/${sanitizedName}`);
  }
  out(`Completed updating config for entity: ${zkEntityToString(entityType, sanitizedName)}.`);
}
