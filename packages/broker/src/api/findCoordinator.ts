import { ApiKey, ErrorCode } from '@samsa/protocol';
import type { ApiHandlerEntry } from './types';

/**
 * FindCoordinator v0–2. The group and transaction coordinators do not exist yet (they arrive with
 * the consumer-group issue), so every key is answered COORDINATOR_NOT_AVAILABLE, which clients
 * treat as retriable. The API is advertised all the same because librdkafka switches LZ4 off
 * unless a broker lists FindCoordinator (its feature gate in rdkafka_feature.c).
 */
export function findCoordinatorHandler(): ApiHandlerEntry {
  return {
    apiKey: ApiKey.FindCoordinator,
    maxVersion: 2,
    handle: () => ({
      throttleTimeMs: 0,
      errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
      errorMessage: 'the group coordinator is not available on this broker yet',
      nodeId: -1,
      host: '',
      port: -1,
    }),
  };
}
