import { ApiKey, ErrorCode, KafkaError } from '@samsa/protocol';
import { toApiError } from './adminErrors';
import { alterResult, ConfigAlterer, type AlterResult } from './configChanges';
import { ConfigResourceType } from './configs';
import { AclOperation } from '@samsa/security';
import { requireConfigResourceAuthorized } from './authorization';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/**
 * AlterConfigs v0–1, on any broker: each resource's overrides are REPLACED by the given set (names
 * left out return to their defaults). Null values are INVALID_REQUEST; resource types other than
 * TOPIC and BROKER fail the whole request with INVALID_REQUEST, as in Kafka.
 */
export function alterConfigsHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.AlterConfigs> {
  const alterer = new ConfigAlterer(deps);
  return {
    apiKey: ApiKey.AlterConfigs,
    maxVersion: 1,
    async handle(ctx, body) {
      const resources = body.resources;
      for (const r of resources) {
        if (r.resourceType !== ConfigResourceType.TOPIC && r.resourceType !== ConfigResourceType.BROKER) {
          throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unexpected resource type ${r.resourceType}`);
        }
      }
      const responses: AlterResult[] = [];
      for (const r of resources) {
        try {
          requireConfigResourceAuthorized(deps, ctx, AclOperation.ALTER_CONFIGS, r.resourceType, r.resourceName);
          const entries = r.configs;
          const nulls = entries.filter((c) => c.value === null).map((c) => c.name);
          if (nulls.length > 0) {
            throw new KafkaError(
              ErrorCode.INVALID_REQUEST,
              `Null value not supported for : ${nulls.join(',')}`,
            );
          }
          // null values were refused above
          const configs = new Map(entries.map((c) => [c.name, c.value ?? '']));
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
