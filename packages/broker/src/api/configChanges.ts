import { AdminZkClient } from '@samsa/admin-zk';
import { ErrorCode, KafkaError } from '@samsa/protocol';
import { ConfigEntityDefault, ConfigType, validateTopic } from '@samsa/zk';
import type { ApiError } from './adminErrors';
import {
  brokerResourceId,
  ConfigResourceType,
  decodeDynamicPasswords,
  dynamicBrokerOverrides,
  encodeDynamicPasswords,
  loggableBrokerConfigs,
  validateDynamicBrokerConfigs,
  validateTopicOverrides,
} from './configs';
import type { BrokerDeps } from './deps';
import { passwordEncodersOf } from '../config/PasswordEncoder';

/**
 * Writes a resource's complete new set of overrides, shared by AlterConfigs and
 * IncrementalAlterConfigs (Kafka's ZkAdminManager.alterTopicConfigs / alterBrokerConfigs):
 *   - TOPIC: the topic must be in the MetadataCache (UNKNOWN_TOPIC_OR_PARTITION); names and values
 *     checked as LogConfig takes them; then /config/topics/T and a /config/changes notification
 *     (AdminZkClient.changeTopicConfig), which every broker's DynamicConfigManager applies live.
 *   - BROKER "" (cluster-wide) or "<this id>": Kafka 2.8's dynamic broker configs
 *     (config/dynamicBrokerConfigs.ts) and custom names (stored unchecked for plugins, as Kafka
 *     does), checked as validateDynamicBrokerConfigs says; a refusal is INVALID_REQUEST for that
 *     resource alone; for this broker's id, the TLS material the configs give its listeners must
 *     load and keep its certificate's subject and names (ListenerTlsReloader.validate). Then
 *     /config/brokers/<default|id> and a notification.
 * validateOnly stops after the checks.
 */
export class ConfigAlterer {
  private readonly admin: AdminZkClient;

  /** password.encoder.secret (and .old.secret): how dynamic passwords are stored. */
  private readonly encoders: ReturnType<typeof passwordEncodersOf>;

  constructor(private readonly deps: BrokerDeps) {
    this.admin = new AdminZkClient(deps.zkClient);
    this.encoders = passwordEncodersOf((key) => deps.config.get(key));
  }

  /**
   * Current overrides of a resource (the base IncrementalAlterConfigs applies its operations to); for
   * a broker without the known non-dynamic ones, as Kafka's fromPersistentProps drops them.
   */
  async currentOverrides(resourceType: number, resourceName: string): Promise<Map<string, string>> {
    if (resourceType === ConfigResourceType.TOPIC)
      return this.admin.fetchEntityConfig(ConfigType.Topic, resourceName);
    const entity = this.brokerEntity(resourceName);
    const persistent = await this.admin.fetchEntityConfig(ConfigType.Broker, entity);
    const decoded = decodeDynamicPasswords(persistent, this.encoders, (name, e) =>
      this.deps.logger.error(`Dynamic password config ${name} of broker ${entity} could not be decoded, ignored`, e),
    );
    return dynamicBrokerOverrides(decoded, entity !== ConfigEntityDefault);
  }

  async alter(
    resourceType: number,
    resourceName: string,
    configs: ReadonlyMap<string, string>,
    validateOnly: boolean,
  ): Promise<void> {
    if (resourceType === ConfigResourceType.TOPIC)
      return this.alterTopic(resourceName, configs, validateOnly);
    if (resourceType === ConfigResourceType.BROKER)
      return this.alterBroker(resourceName, configs, validateOnly);
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      `AlterConfigs is only supported for topics and brokers, but resource type is ${resourceType}`,
    );
  }

  private async alterTopic(
    topic: string,
    configs: ReadonlyMap<string, string>,
    validateOnly: boolean,
  ): Promise<void> {
    if (!this.deps.metadataCache.contains(topic)) {
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${topic}' does not exist.`);
    }
    validateTopic(topic);
    validateTopicOverrides(topic, configs);
    if (validateOnly) return;
    this.deps.logger.info(`Updating topic ${topic} with new configuration : ${formatProps(configs)}`);
    await this.admin.changeTopicConfig(topic, configs);
  }

  private async alterBroker(
    resourceName: string,
    configs: ReadonlyMap<string, string>,
    validateOnly: boolean,
  ): Promise<void> {
    const entity = this.brokerEntity(resourceName);
    validateDynamicBrokerConfigs(resourceName, configs, { passwordEncoderConfigured: this.encoders.current !== null });
    if (entity !== ConfigEntityDefault) this.validateListenerSsl(resourceName, configs);
    if (validateOnly) return;
    const whom = entity === ConfigEntityDefault ? 'brokers' : `broker ${entity}`;
    this.deps.logger.info(`Updating ${whom} with new configuration : ${formatProps(loggableBrokerConfigs(configs))}`);
    // AdminZkClient has no changeBrokerConfig yet: the same two writes it does for topics.
    const persistent = this.encoders.current === null ? configs : encodeDynamicPasswords(configs, this.encoders.current);
    await this.deps.zkClient.setOrCreateEntityConfigs(ConfigType.Broker, entity, persistent);
    await this.deps.zkClient.createConfigChangeNotification(`${ConfigType.Broker}/${entity}`);
  }

  /**
   * This broker's listeners with the TLS material `configs` gives them must still work, as Kafka's
   * DynamicBrokerConfig.validate asks each listener's SslFactory: else INVALID_REQUEST with its
   * message, and nothing is written.
   */
  private validateListenerSsl(resourceName: string, configs: ReadonlyMap<string, string>): void {
    try {
      this.deps.validateListenerSsl?.(configs);
    } catch (e) {
      const message = `Invalid config value for resource ConfigResource(type=BROKER, name='${resourceName}'): ${(e as Error).message}`;
      this.deps.logger.info(message);
      throw new KafkaError(ErrorCode.INVALID_REQUEST, message);
    }
  }

  private brokerEntity(resourceName: string): string {
    const id = brokerResourceId(resourceName, this.deps.brokerId, false);
    return id === null ? ConfigEntityDefault : String(id);
  }
}

function formatProps(configs: ReadonlyMap<string, string>): string {
  return [...configs].map(([k, v]) => `${k} -> ${v}`).join(',');
}

/** The resource a config change names (AlterConfigs and IncrementalAlterConfigs resources). */
export interface ConfigResource {
  readonly resourceType: number;
  readonly resourceName: string;
}

/** One AlterConfigsResourceResponse / IncrementalAlterConfigs response element. */
export interface AlterResult extends ConfigResource {
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

/** One AlterConfigsResourceResponse / IncrementalAlterConfigs response element. */
export function alterResult(resource: ConfigResource, error: ApiError): AlterResult {
  return {
    errorCode: error.code,
    errorMessage: error.message,
    resourceType: resource.resourceType,
    resourceName: resource.resourceName,
  };
}
