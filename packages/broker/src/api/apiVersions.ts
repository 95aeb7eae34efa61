import { ApiKey, ErrorCode, KafkaError, type ApiVersionsResponseInput } from '@samsa/protocol';
import type { ApiRegistry } from './registry';
import type { ApiHandlerEntry } from './types';

/** ApiVersions v0–v3. v3's request is flexible; its response keeps header v0 (the codec does that). */
export const API_VERSIONS_MAX_VERSION = 3;

/** Kafka's ApiVersionsRequest.SOFTWARE_NAME_VERSION_PATTERN (KIP-511). */
const SOFTWARE_NAME_VERSION = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

/** Kafka's ApiVersionsRequest.isValid (v3+): both KIP-511 fields match the pattern. */
export function validClientSoftware(name: string, version: string): boolean {
  return SOFTWARE_NAME_VERSION.test(name) && SOFTWARE_NAME_VERSION.test(version);
}

/**
 * The ApiVersions body for any version, listing everything the registry serves. Read at answer
 * time, so handlers registered after this one are listed too. The v0 layout is a prefix of every
 * later one, which is why the unsupported-version answer can always be encoded as v0.
 */
export function apiVersionsBody(registry: ApiRegistry, errorCode: number = ErrorCode.NONE): ApiVersionsResponseInput {
  return { errorCode, apiKeys: registry.served(), throttleTimeMs: 0 };
}

/**
 * The ApiVersions handler. Register it in the registry it describes:
 *   registry.register(apiVersionsEntry(registry))
 * A v3 request whose client software name or version breaks KIP-511's pattern gets INVALID_REQUEST,
 * as Kafka answers.
 */
export function apiVersionsEntry(registry: ApiRegistry): ApiHandlerEntry<typeof ApiKey.ApiVersions> {
  return {
    apiKey: ApiKey.ApiVersions,
    maxVersion: API_VERSIONS_MAX_VERSION,
    handle(ctx, body) {
      if (ctx.header.apiVersion >= 3) {
        const name = body.clientSoftwareName;
        const version = body.clientSoftwareVersion;
        if (!validClientSoftware(name, version)) {
          throw new KafkaError(
            ErrorCode.INVALID_REQUEST,
            `invalid client software name '${name}' or version '${version}'`,
          );
        }
      }
      return apiVersionsBody(registry);
    },
  };
}
