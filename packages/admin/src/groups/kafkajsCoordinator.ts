import {
  ApiKey,
  ErrorCode,
  Reader,
  requestCodec,
  responseCodec,
  Writer,
  type OffsetDeleteRequestInput,
  type OffsetDeleteResponse,
} from '@samsa/protocol';
import { KafkaApiError } from './GroupErrors';
import type { KafkaJsSecurityOptions } from '../cli/CommandConfig';

/**
 * The three group-coordinator calls kafka-consumer-groups needs that kafkajs 2.2.4's Admin does
 * not offer, made through kafkajs's own (unmodified) cluster and broker objects, which its Admin,
 * Producer and Consumer are built on:
 * - FindCoordinator (the COORDINATOR (ID) of --describe --state): Cluster.findGroupCoordinatorMetadata;
 * - OffsetCommit with generation -1 and no member id, which is how Kafka's Admin
 *   alterConsumerGroupOffsets commits for an inactive group (Admin.setOffsets would instead join
 *   the group as a consumer): Broker.offsetCommit;
 * - OffsetDelete (API 47), which kafkajs has no request for at all: the request and response bodies
 *   are written and read by @samsa/protocol's codec, and sent on the coordinator's kafkajs
 *   connection (kafkajs frames it, numbers it and matches the answer).
 * These modules are kafkajs internals (no typings, not in its public API); the shapes used are
 * declared here. kafkajs 2.2.4 is pinned by package-lock.json.
 */

interface KafkaJsLogger {
  namespace(name: string): KafkaJsLogger;
}

/** A request as kafkajs's connection sends it: `send` resolves with what `parse` makes of `decode`'s result. */
interface ProtocolRequest<Decoded, Parsed> {
  readonly request: {
    readonly apiKey: number;
    readonly apiVersion: number;
    readonly apiName: string;
    encode(): Promise<unknown>;
  };
  readonly response: {
    decode(payload: Buffer): Promise<Decoded>;
    parse(decoded: Decoded): Promise<Parsed>;
  };
  readonly requestTimeout?: number;
}

export interface KafkaJsBroker {
  readonly versions: Record<number, { minVersion: number; maxVersion: number }> | null;
  readonly connectionPool: {
    send<Decoded, Parsed>(request: ProtocolRequest<Decoded, Parsed>): Promise<Parsed>;
  };
  offsetCommit(request: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    topics: Array<{
      topic: string;
      partitions: Array<{ partition: number; offset: string; metadata: string }>;
    }>;
  }): Promise<unknown>;
}

export interface KafkaJsCluster {
  connect(): Promise<void>;
  /** Fills the broker pool; the coordinator lookups need it (connect alone knows only the seed). */
  refreshMetadata(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinatorMetadata(request: { groupId: string }): Promise<{
    coordinator: { nodeId: number; host: string; port: number };
  }>;
  findGroupCoordinator(request: { groupId: string }): Promise<KafkaJsBroker>;
}

interface ClusterOptions {
  logger: KafkaJsLogger;
  socketFactory: unknown;
  brokers: string[];
  clientId: string;
  connectionTimeout: number;
  requestTimeout: number;
  enforceRequestTimeout: boolean;
  metadataMaxAge: number;
  retry: { retries: number; initialRetryTime: number; maxRetryTime: number };
  allowAutoTopicCreation: boolean;
  maxInFlightRequests: number | null;
  isolationLevel: number | undefined;
  ssl?: KafkaJsSecurityOptions['ssl'];
  sasl?: KafkaJsSecurityOptions['sasl'];
}

type ClusterConstructor = new (options: ClusterOptions) => KafkaJsCluster;

interface KafkaJsInternals {
  readonly Cluster: ClusterConstructor;
  readonly createLogger: (options: { level: number; logCreator: () => () => void }) => KafkaJsLogger;
  readonly LEVELS: { NOTHING: number };
  readonly defaultSocketFactory: () => unknown;
  readonly Encoder: new () => { writeBuffer(value: Buffer): unknown };
}

let internals: KafkaJsInternals | undefined;

/** Loaded on first use, so importing this package does not load kafkajs's internals. */
function kafkaJsInternals(): KafkaJsInternals {
  internals ??= {
    Cluster: require('kafkajs/src/cluster'),
    ...(require('kafkajs/src/loggers') as Pick<KafkaJsInternals, 'createLogger' | 'LEVELS'>),
    defaultSocketFactory: require('kafkajs/src/network/socketFactory'),
    Encoder: require('kafkajs/src/protocol/encoder'),
  };
  return internals;
}

export interface ClusterConfig {
  readonly brokers: string[];
  readonly clientId: string;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly retry: { retries: number; initialRetryTime: number; maxRetryTime: number };
  /** kafkajs' ssl / sasl options, from --command-config (cli/CommandConfig.ts). */
  readonly security?: KafkaJsSecurityOptions;
}

/** A kafkajs cluster configured as the tool's Admin is, logging nothing. */
export function createKafkaJsCluster(config: ClusterConfig): KafkaJsCluster {
  const { Cluster, createLogger, LEVELS, defaultSocketFactory } = kafkaJsInternals();
  return new Cluster({
    logger: createLogger({ level: LEVELS.NOTHING, logCreator: () => () => {} }),
    socketFactory: defaultSocketFactory(),
    brokers: config.brokers,
    clientId: config.clientId,
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    enforceRequestTimeout: true,
    metadataMaxAge: 300_000,
    retry: config.retry,
    allowAutoTopicCreation: false,
    maxInFlightRequests: null,
    isolationLevel: undefined,
    ...(config.security ?? {}),
  });
}

const OFFSET_DELETE_VERSION = 0;

/**
 * OffsetDelete v0 to the group's coordinator: the response body as @samsa/protocol decodes it
 * (`errorCode`, `topics[].partitions[].{partitionIndex, errorCode}`).
 */
export async function sendOffsetDelete(
  broker: KafkaJsBroker,
  body: OffsetDeleteRequestInput,
  requestTimeoutMs: number,
): Promise<OffsetDeleteResponse> {
  const supported = broker.versions?.[ApiKey.OffsetDelete];
  if (supported === undefined || supported.minVersion > OFFSET_DELETE_VERSION) {
    // Kafka's NodeApiVersions words it so (the API key's name).
    throw new KafkaApiError(ErrorCode.UNSUPPORTED_VERSION, 'The broker does not support OFFSET_DELETE');
  }
  const w = new Writer();
  requestCodec(ApiKey.OffsetDelete, OFFSET_DELETE_VERSION).encode(w, body);
  const bytes = w.toBuffer();
  const response = await broker.connectionPool.send({
    request: {
      apiKey: ApiKey.OffsetDelete,
      apiVersion: OFFSET_DELETE_VERSION,
      apiName: 'OffsetDelete',
      encode: async () => {
        const encoder = new (kafkaJsInternals().Encoder)();
        encoder.writeBuffer(bytes);
        return encoder;
      },
    },
    response: {
      decode: async (payload: Buffer) =>
        responseCodec(ApiKey.OffsetDelete, OFFSET_DELETE_VERSION).decode(new Reader(payload)),
      parse: async (decoded: OffsetDeleteResponse) => decoded,
    },
    requestTimeout: requestTimeoutMs,
  });
  return response;
}
