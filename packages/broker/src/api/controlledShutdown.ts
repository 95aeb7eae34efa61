import { topicPartitionKey, type Logger } from '@samsa/common';
import { NetworkClient, type ClientSecurity } from '@samsa/client';
import { type ControlledShutdownResult } from '@samsa/controller';
import {
  ApiKey,
  ErrorCode,
  errorInfo,
  type ControlledShutdownRequestInput,
  type ControlledShutdownResponse,
  type ControlledShutdownResponseInput,
} from '@samsa/protocol';
import type { MetadataCache } from '../metadata/MetadataCache';
import type { ApiHandlerEntry } from './types';

/**
 * ControlledShutdown (7), both ends: the handler on the controller's broker (Kafka
 * KafkaApis.handleControlledShutdownRequest) and the request a broker sends on SIGTERM before it
 * stops (Kafka KafkaServer.controlledShutdown).
 */

/** The highest version served and sent (v3: flexible, with the broker epoch since v2). */
export const CONTROLLED_SHUTDOWN_VERSION = 3;

/** The embedded controller as this API needs it. */
export interface ControlledShutdownController {
  readonly isActive: boolean;
  controlledShutdown(
    brokerId: number,
    brokerEpoch: number,
    options?: { deadlineMs?: number },
  ): Promise<ControlledShutdownResult>;
}

export interface ControlledShutdownHandlerDeps {
  /** Null until the broker's controller has started. */
  readonly controller: () => ControlledShutdownController | null;
  /** How long a request may wait on the controller's queue before it answers REQUEST_TIMED_OUT. */
  readonly requestTimeoutMs: number;
}

function response(
  errorCode: number,
  remaining: ControlledShutdownResult['remainingPartitions'] = [],
): ControlledShutdownResponseInput {
  return {
    errorCode,
    remainingPartitions: remaining.map((tp) => ({ topicName: tp.topic, partitionIndex: tp.partition })),
  };
}

/**
 * ControlledShutdown v0–3: hands the request to the embedded controller's event queue and answers
 * with the partitions the broker still leads. NOT_CONTROLLER when this broker's controller is not
 * the active one (the sender looks the controller up again and retries). v0–1 carry no broker
 * epoch: it is then unknown (-1), which the controller accepts, as Kafka does.
 */
export function controlledShutdownHandler(
  deps: ControlledShutdownHandlerDeps,
): ApiHandlerEntry<typeof ApiKey.ControlledShutdown> {
  return {
    apiKey: ApiKey.ControlledShutdown,
    maxVersion: CONTROLLED_SHUTDOWN_VERSION,
    async handle(ctx, body) {
      const controller = deps.controller();
      if (controller === null || !controller.isActive) return response(ErrorCode.NOT_CONTROLLER);
      const result = await controller.controlledShutdown(
        body.brokerId,
        Number(body.brokerEpoch ?? -1),
        {
          deadlineMs: ctx.receivedAtMs + deps.requestTimeoutMs,
        },
      );
      return response(result.errorCode, result.remainingPartitions);
    },
  };
}

// ---- the sending side ----------------------------------------------------------------------------

/** What the sender reads of a ControlledShutdown response. */
export type ControlledShutdownAnswer = Pick<ControlledShutdownResponse, 'errorCode' | 'remainingPartitions'>;

export interface ControlledShutdownOptions {
  readonly brokerId: number;
  /** This broker's epoch (the czxid of its registration), so the controller can refuse a stale request. */
  readonly brokerEpoch: () => number;
  readonly metadataCache: MetadataCache;
  /** The controller's id as ZooKeeper holds it, when the MetadataCache does not know it. */
  readonly controllerIdFromZk: () => Promise<number | null>;
  readonly interBrokerListenerName: string;
  /** controlled.shutdown.max.retries: attempts in all. */
  readonly maxRetries: number;
  /** controlled.shutdown.retry.backoff.ms */
  readonly retryBackoffMs: number;
  /** Connect and request timeout of one attempt (Kafka request.timeout.ms). */
  readonly requestTimeoutMs: number;
  /** How the connection to the controller's inter-broker listener is secured; PLAINTEXT when absent. */
  readonly security?: ClientSecurity;
  readonly logger: Logger;
  /** For tests: how the request reaches a controller. */
  readonly send?: (
    host: string,
    port: number,
    body: ControlledShutdownRequestInput,
  ) => Promise<ControlledShutdownAnswer>;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Asks the active controller to move this broker's leaderships away before it stops (Kafka
 * KafkaServer.controlledShutdown). Each attempt:
 *   1. looks the controller up again (MetadataCache, else /controller): it may have moved, or be
 *      this broker itself — then the request goes through our own socket, as in Kafka;
 *   2. sends ControlledShutdown v3 with the broker epoch on a fresh connection;
 *   3. succeeds on NONE with no remaining partitions; otherwise (error, remaining partitions, no
 *      controller, I/O failure) waits retryBackoffMs and tries again, up to maxRetries attempts.
 * Resolves true on success; false means the caller shuts down anyway (an unclean leader move).
 */
export async function controlledShutdown(options: ControlledShutdownOptions): Promise<boolean> {
  const { logger } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const send = options.send ?? ((host, port, body) => sendOnce(options, host, port, body));
  for (let attempt = 1; attempt <= options.maxRetries; attempt++) {
    const target = await findController(options);
    if (target !== null) {
      try {
        const answer = await send(target.host, target.port, {
          brokerId: options.brokerId,
          brokerEpoch: options.brokerEpoch(),
        });
        const remaining = answer.remainingPartitions ?? [];
        if (answer.errorCode === ErrorCode.NONE && remaining.length === 0) {
          logger.info('Controlled shutdown succeeded');
          return true;
        }
        logger.info(
          `Remaining partitions to move: ${remaining
            .map((p) => topicPartitionKey({ topic: p.topicName, partition: p.partitionIndex }))
            .join(',')}`,
        );
        logger.info(`Error from controller: ${errorInfo(answer.errorCode).name}`);
      } catch (e) {
        logger.warn(
          'Error during controlled shutdown, possibly because leader movement took longer than the ' +
            `configured controller.socket.timeout.ms and/or request.timeout.ms: ${(e as Error).message}`,
        );
      }
    }
    if (attempt < options.maxRetries) {
      await sleep(options.retryBackoffMs);
      logger.warn('Retrying controlled shutdown after the previous attempt failed...');
    }
  }
  return false;
}

async function findController(
  options: ControlledShutdownOptions,
): Promise<{ id: number; host: string; port: number } | null> {
  const { metadataCache, logger } = options;
  let id = metadataCache.controllerId;
  if (id < 0 || metadataCache.aliveBroker(id) === undefined) {
    try {
      id = (await options.controllerIdFromZk()) ?? -1;
    } catch (e) {
      logger.info(`Could not read the controller from ZooKeeper: ${(e as Error).message}`);
      id = -1;
    }
  }
  if (id < 0) {
    logger.info('No controller registered in ZooKeeper');
    return null;
  }
  const endpoint = metadataCache.aliveBroker(id)?.endpoints.get(options.interBrokerListenerName);
  if (endpoint === undefined) {
    logger.info(`Broker registration for controller ${id} is not available`);
    return null;
  }
  return { id, host: endpoint.host, port: endpoint.port };
}

/** One request on a connection of its own, closed afterwards. */
async function sendOnce(
  options: ControlledShutdownOptions,
  host: string,
  port: number,
  body: ControlledShutdownRequestInput,
): Promise<ControlledShutdownAnswer> {
  const client = new NetworkClient({
    host,
    port,
    clientId: String(options.brokerId),
    requestTimeoutMs: options.requestTimeoutMs,
    security: options.security,
    logger: options.logger,
  });
  try {
    await client.ready();
    return await client.send(ApiKey.ControlledShutdown, CONTROLLED_SHUTDOWN_VERSION, body);
  } finally {
    client.shutdown();
  }
}
