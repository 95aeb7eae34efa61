import { AdminZkClient } from '@samsa/admin-zk';
import { ApiKey, ErrorCode, KafkaError, type DescribeConfigsResponseResultsInput } from '@samsa/protocol';
import { LogConfig } from '@samsa/storage';
import { ConfigEntityDefault, ConfigType, validateTopic } from '@samsa/zk';
import { toApiError } from './adminErrors';
import { describeBrokerLoggers, requireThisBroker } from './brokerLoggers';
import { inKafkaConfigEntryOrder } from './configEntryOrder';
import {
  brokerConfigLayers,
  brokerResourceId,
  ConfigResourceType,
  describeBrokerConfigs,
  describeResult,
  describeTopicConfigs,
  selectConfigs,
  type ConfigEntry,
} from './configs';
import { AclOperation } from '@samsa/security';
import { requireConfigResourceAuthorized } from './authorization';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

const KNOWN_RESOURCE_TYPES: ReadonlySet<number> = new Set(Object.values(ConfigResourceType));

/**
 * DescribeConfigs v0–2, on any broker (Kafka's ConfigHelper.describeConfigs):
 *   - TOPIC: every topic config with its effective value, TOPIC_CONFIG for /config/topics/T overrides,
 *     else where the broker default comes from; UNKNOWN_TOPIC_OR_PARTITION for a topic the
 *     MetadataCache does not hold.
 *   - BROKER "<this id>": the broker's effective configuration with /config/brokers/<id> and
 *     /config/brokers/<default> applied; BROKER "": the cluster-wide dynamic defaults; another id →
 *     INVALID_REQUEST.
 *   - BROKER_LOGGER "<this id>": its loggers and levels (brokerLoggers.ts); any other type fails the whole
 *     request with INVALID_REQUEST, as Kafka's authorization step throws.
 * v1+ carries synonyms only when include_synonyms is set, and only those with a value, in precedence
 * order (configs.ts configSynonyms); v0 carries isDefault instead of a source. Entries come in Kafka
 * 2.8's order, which is its HashMap's over the names answered (configEntryOrder.ts), not sorted.
 */
export function describeConfigsHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.DescribeConfigs> {
  const admin = new AdminZkClient(deps.zkClient);
  return {
    apiKey: ApiKey.DescribeConfigs,
    maxVersion: 2,
    async handle(ctx, body) {
      const resources = body.resources;
      for (const r of resources) {
        if (!KNOWN_RESOURCE_TYPES.has(r.resourceType)) {
          throw new KafkaError(
            ErrorCode.INVALID_REQUEST,
            `Unexpected resource type ${r.resourceType} for resource ${r.resourceName}`,
          );
        }
      }
      const includeSynonyms = !!body.includeSynonyms;
      const layers = async () =>
        brokerConfigLayers(
          deps.config,
          await admin.fetchEntityConfig(ConfigType.Broker, String(deps.brokerId)),
          await admin.fetchEntityConfig(ConfigType.Broker, ConfigEntityDefault),
        );
      const results: DescribeConfigsResponseResultsInput[] = [];
      for (const r of resources) {
        try {
          requireConfigResourceAuthorized(deps, ctx, AclOperation.DESCRIBE_CONFIGS, r.resourceType, r.resourceName);
          let configs: ConfigEntry[];
          switch (r.resourceType) {
            case ConfigResourceType.TOPIC: {
              const topic = r.resourceName;
              validateTopic(topic);
              if (!deps.metadataCache.contains(topic)) {
                results.push(describeResult(r, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null, []));
                continue;
              }
              const overrides = await admin.fetchEntityConfig(ConfigType.Topic, topic);
              const logConfig = LogConfig.fromProps(
                deps.logManager.currentDefaultConfig,
                Object.fromEntries(overrides),
              );
              configs = describeTopicConfigs(logConfig, overrides, await layers(), includeSynonyms);
              break;
            }
            case ConfigResourceType.BROKER: {
              const perBroker = brokerResourceId(r.resourceName, deps.brokerId, true) !== null;
              configs = describeBrokerConfigs(deps.config, await layers(), perBroker, includeSynonyms);
              break;
            }
            default:
              if (deps.log4jController === undefined)
                throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Describing broker loggers is not supported');
              requireThisBroker(r.resourceName, deps.brokerId);
              configs = describeBrokerLoggers(deps.log4jController);
          }
          const selected = selectConfigs(configs, r.configurationKeys ?? null);
          results.push(describeResult(r, ErrorCode.NONE, null, inKafkaConfigEntryOrder(selected)));
        } catch (e) {
          const err = toApiError(e, deps.logger, `describe configs request for resource ${r.resourceName}`);
          results.push(describeResult(r, err.code, err.message, []));
        }
      }
      return { throttleTimeMs: 0, results };
    },
  };
}
