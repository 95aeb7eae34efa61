import { AdminZkClient } from '@samsa/admin-zk';
import { ApiKey, ErrorCode, KafkaError, type Struct } from '@samsa/protocol';
import { ConfigEntityDefault, ConfigType, validateTopic } from '@samsa/zk';
import { toApiError, type ApiError } from './adminErrors';
import {
  brokerResourceId,
  ConfigResourceType,
  validateDynamicBrokerConfigs,
  validateTopicOverrides,
} from './configs';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/**
 * Writes a resource's complete new set of overrides, shared by AlterConfigs and
 * IncrementalAlterConfigs (Kafka's ZkAdminManager.alterTopicConfigs / alterBrokerConfigs):
 *   - TOPIC: the topic must be in the MetadataCache (UNKNOWN_TOPIC_OR_PARTITION); names and values
 *     checked as LogConfig takes them; then /config/topics/T and a /config/changes notification
 *     (AdminZkClient.changeTopicConfig), which every broker's DynamicConfigManager applies live.
 *   - BROKER "" (cluster-wide) or "<this id>": only the topic defaults this broker reconfigures; then
 *     /config/brokers/<default|id> and a notification.
 * validateOnly stops after the checks.
 */
export class ConfigAlterer {
  private readonly admin: AdminZkClient;

  constructor(private readonly deps: BrokerDeps) {
    this.admin = new AdminZkClient(deps.zkClient);
  }

  /** Current overrides of a resource (the base IncrementalAlterConfigs applies its operations to). */
  async currentOverrides(resourceType: number, resourceName: string): Promise<Map<string, string>> {
    if (resourceType === ConfigResourceType.TOPIC)
      return this.admin.fetchEntityConfig(ConfigType.Topic, resourceName);
    return this.admin.fetchEntityConfig(ConfigType.Broker, this.brokerEntity(resourceName));
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
    validateDynamicBrokerConfigs(resourceName, configs);
    if (validateOnly) return;
    const whom = entity === ConfigEntityDefault ? 'brokers' : `broker ${entity}`;
    this.deps.logger.info(`Updating ${whom} with new configuration : ${formatProps(configs)}`);
    // AdminZkClient has no changeBrokerConfig yet: the same two writes it does for topics.
    await this.deps.zkClient.setOrCreateEntityConfigs(ConfigType.Broker, entity, configs);
    await this.deps.zkClient.createConfigChangeNotification(`${ConfigType.Broker}/${entity}`);
  }

  private brokerEntity(resourceName: string): string {
    const id = brokerResourceId(resourceName, this.deps.brokerId, false);
    return id === null ? ConfigEntityDefault : String(id);
  }
}

function formatProps(configs: ReadonlyMap<string, string>): string {
  return [...configs].map(([k, v]) => `${k} -> ${v}`).join(',');
}

/** One AlterConfigsResourceResponse / IncrementalAlterConfigs response element. */
export function alterResult(resource: Struct, error: ApiError): Struct {
  return {
    errorCode: error.code,
    errorMessage: error.message,
    resourceType: resource.resourceType,
    resourceName: resource.resourceName,
  };
}

/**
 * AlterConfigs v0–1, on any broker: each resource's overrides are REPLACED by the given set (names
 * left out return to their defaults). Null values are INVALID_REQUEST; resource types other than
 * TOPIC and BROKER fail the whole request with INVALID_REQUEST, as in Kafka.
 */
export function alterConfigsHandler(deps: BrokerDeps): ApiHandlerEntry {
  const alterer = new ConfigAlterer(deps);
  return {
    apiKey: ApiKey.AlterConfigs,
    maxVersion: 1,
    async handle(_ctx, body) {
      const resources = body.resources as Struct[];
      for (const r of resources) {
        if (r.resourceType !== ConfigResourceType.TOPIC && r.resourceType !== ConfigResourceType.BROKER) {
          throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unexpected resource type ${r.resourceType}`);
        }
      }
      const responses: Struct[] = [];
      for (const r of resources) {
        try {
          const entries = r.configs as Struct[];
          const nulls = entries.filter((c) => c.value === null).map((c) => c.name as string);
          if (nulls.length > 0) {
            throw new KafkaError(
              ErrorCode.INVALID_REQUEST,
              `Null value not supported for : ${nulls.join(',')}`,
            );
          }
          const configs = new Map(entries.map((c) => [c.name as string, c.value as string]));
          await alterer.alter(r.resourceType, r.resourceName, configs, !!body.validateOnly);
          responses.push(alterResult(r, { code: ErrorCode.NONE, message: null }));
        } catch (e) {
          responses.push(
            alterResult(
              r,
              toApiError(e, deps.logger, `alter configs request for resource ${r.resourceName}`),
            ),
          );
        }
      }
      return { throttleTimeMs: 0, responses };
    },
  };
}
