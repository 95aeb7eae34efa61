import { ApiKey, ErrorCode, KafkaError } from '@samsa/protocol';
import { toApiError } from './adminErrors';
import { alterBrokerLoggers, requireThisBroker } from './brokerLoggers';
import { alterResult, ConfigAlterer, type AlterResult } from './configChanges';
import {
  applyIncrementalOps,
  brokerConfigKind,
  ConfigResourceType,
  topicConfigKind,
} from './configs';
import { AclOperation } from '@samsa/security';
import { requireConfigResourceAuthorized } from './authorization';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

const KNOWN_RESOURCE_TYPES: ReadonlySet<number> = new Set(Object.values(ConfigResourceType));

/**
 * IncrementalAlterConfigs v0–1, on any broker (Kafka's ZkAdminManager.incrementalAlterConfigs): each
 * resource's current overrides from ZooKeeper, changed by SET / DELETE / APPEND / SUBTRACT, then
 * checked and written as AlterConfigs does. BROKER_LOGGER: this broker's log levels, changed live
 * (brokerLoggers.ts); an unknown resource type fails the whole request with INVALID_REQUEST.
 */
export function incrementalAlterConfigsHandler(
  deps: BrokerDeps,
): ApiHandlerEntry<typeof ApiKey.IncrementalAlterConfigs> {
  const alterer = new ConfigAlterer(deps);
  return {
    apiKey: ApiKey.IncrementalAlterConfigs,
    maxVersion: 1,
    async handle(ctx, body) {
      const resources = body.resources;
      for (const r of resources) {
        if (!KNOWN_RESOURCE_TYPES.has(r.resourceType)) {
          throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unexpected resource type ${r.resourceType}`);
        }
      }
      const responses: AlterResult[] = [];
      for (const r of resources) {
        try {
          requireConfigResourceAuthorized(deps, ctx, AclOperation.ALTER_CONFIGS, r.resourceType, r.resourceName);
          if (r.resourceType === ConfigResourceType.BROKER_LOGGER) {
            if (deps.log4jController === undefined)
              throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Changing broker log levels is not supported');
            requireThisBroker(r.resourceName, deps.brokerId);
            alterBrokerLoggers(deps.log4jController, r.resourceName, r.configs, !!body.validateOnly);
            responses.push(alterResult(r, { code: ErrorCode.NONE, message: null }));
            continue;
          }
          const isTopic = r.resourceType === ConfigResourceType.TOPIC;
          const current = await alterer.currentOverrides(r.resourceType, r.resourceName);
          const next = applyIncrementalOps(
            current,
            r.configs,
            isTopic ? topicConfigKind : brokerConfigKind,
            isTopic ? 'topic' : 'broker',
          );
          await alterer.alter(r.resourceType, r.resourceName, next, !!body.validateOnly);
          responses.push(alterResult(r, { code: ErrorCode.NONE, message: null }));
        } catch (e) {
          responses.push(
            alterResult(
              r,
              toApiError(e, deps.logger, `incremental alter configs request for resource ${r.resourceName}`),
            ),
          );
        }
      }
      return { throttleTimeMs: 0, responses };
    },
  };
}
