import { topicPartitionKey, type Logger, type TopicPartition } from '@samsa/common';
import { ClusterClient, parseHostPort, silentLogger, type BrokerAddress, type ClientSecurity } from '@samsa/client';
import { ErrorCode, errorInfo } from '@samsa/protocol';
import { UsageError } from '../cli/OptionParser';
import { TIMEOUT_ENV } from '../topics/TopicCommandOptions';

/** The tools print their own lines; the wire client's log lines would only get in the way. */
export const quietLogger: Logger = silentLogger;

export interface ToolClientOptions {
  /** bootstrap.servers: "host:port,host:port". */
  readonly bootstrapServers: string;
  readonly clientId: string;
  /** request.timeout.ms of every request (and the deadline to reach a bootstrap server). */
  readonly requestTimeoutMs: number;
  readonly security?: ClientSecurity;
}

/**
 * The cluster client (@samsa/client's ClusterClient: bootstrap servers, metadata, one pipelined
 * connection per broker, requests by node id) as the data tools use it: bootstrap servers parsed
 * as Kafka's ClientUtils does (a UsageError otherwise), and partition leaders waited for. The
 * console producer and consumer, the perf tests, kafka-get-offsets, kafka-log-dirs,
 * kafka-broker-api-versions, kafka-replica-verification, kafka-topics and kafka-consumer-groups
 * talk to brokers through it, so they all accept the same --command-config security.
 */
export class ToolClient extends ClusterClient {
  constructor(options: ToolClientOptions) {
    super({
      bootstrap: parseBootstrapServers(options.bootstrapServers),
      clientId: options.clientId,
      requestTimeoutMs: options.requestTimeoutMs,
      security: options.security,
      logger: quietLogger,
    });
  }

  /**
   * The leader of every partition of `topics` (as the last metadata says), waiting out
   * LEADER_NOT_AVAILABLE (a topic just auto-created, an election) until `deadlineMs`. A topic
   * the cluster does not have is an UnknownTopicError.
   */
  async leaders(topics: readonly string[], deadlineMs: number, allowAutoTopicCreation = false): Promise<Map<string, number[]>> {
    const started = Date.now();
    for (;;) {
      const md = await this.metadata(topics, allowAutoTopicCreation);
      const out = new Map<string, number[]>();
      let retry = false;
      for (const t of md.topics) {
        if (t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && !allowAutoTopicCreation) throw new UnknownTopicError(t.name);
        if (t.errorCode === ErrorCode.TOPIC_AUTHORIZATION_FAILED)
          throw new Error(`org.apache.kafka.common.errors.TopicAuthorizationException: Not authorized to access topics: [${t.name}]`);
        if (t.errorCode === ErrorCode.INVALID_TOPIC_EXCEPTION)
          throw new Error(`org.apache.kafka.common.errors.InvalidTopicException: Invalid topics: [${t.name}]`);
        if (t.errorCode !== ErrorCode.NONE || t.partitions.length === 0) {
          retry = true;
          continue;
        }
        const byPartition: number[] = [];
        for (const p of [...t.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex)) {
          byPartition[p.partitionIndex] = p.leaderId;
          if (p.leaderId < 0) retry = true;
        }
        out.set(t.name, byPartition);
      }
      if (!retry) return out;
      if (Date.now() >= deadlineMs)
        throw new Error(`org.apache.kafka.common.errors.TimeoutException: Topic ${topics.join(',')} not present in metadata after ${Math.max(0, deadlineMs - started)} ms.`);
      await sleep(100);
    }
  }
}

export class UnknownTopicError extends Error {
  constructor(readonly topic: string) {
    super(`Topic ${topic} does not exist`);
  }
}

/** bootstrap.servers as Kafka's ClientUtils.parseAndValidateAddresses checks it; a UsageError otherwise. */
export function parseBootstrapServers(list: string): BrokerAddress[] {
  const entries = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (entries.length === 0) throw new UsageError('No resolvable bootstrap urls given in bootstrap.servers');
  return entries.map((e) => {
    try {
      return parseHostPort(e);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  });
}

/** A Kafka error code as the Java client names it: `org.apache.kafka.common.errors.XxxException: message`. */
export function javaException(code: number, message?: string | null): string {
  return `org.apache.kafka.common.errors.${javaExceptionClass(code)}: ${message ?? errorInfo(code).message}`;
}

/** The simple class name of the exception Kafka's Errors enum gives this code. */
export function javaExceptionClass(code: number): string {
  const special: Record<number, string> = {
    [ErrorCode.UNKNOWN_SERVER_ERROR]: 'UnknownServerException',
    [ErrorCode.KAFKA_STORAGE_ERROR]: 'KafkaStorageException',
    [ErrorCode.REQUEST_TIMED_OUT]: 'TimeoutException',
    [ErrorCode.CORRUPT_MESSAGE]: 'CorruptRecordException',
    [ErrorCode.INVALID_TOPIC_EXCEPTION]: 'InvalidTopicException',
  };
  const known = special[code];
  if (known !== undefined) return known;
  const camel = errorInfo(code)
    .name.toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
  return camel.endsWith('Exception') ? camel : `${camel}Exception`;
}

/** `topic-partition`, Kafka's TopicPartition.toString. */
export function tpString(tp: TopicPartition): string {
  return topicPartitionKey(tp);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Kafka's Utils.murmur2 over the key bytes (the DefaultPartitioner's hash). */
export function murmur2(data: Buffer): number {
  const length = data.length;
  const seed = 0x9747b28c;
  const m = 0x5bd1e995;
  const r = 24;
  let h = (seed ^ length) | 0;
  const length4 = length >> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4]! & 0xff) + ((data[i4 + 1]! & 0xff) << 8) + ((data[i4 + 2]! & 0xff) << 16) + ((data[i4 + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = length4 * 4;
  const rest = length % 4;
  if (rest >= 3) h ^= (data[tail + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The DefaultPartitioner's partition of a keyed record: toPositive(murmur2(key)) % numPartitions. */
export function partitionForKey(key: Buffer, numPartitions: number): number {
  return (murmur2(key) & 0x7fffffff) % numPartitions;
}

/** The deadline of an admin tool's requests: SAMSA_ADMIN_TIMEOUT_MS, else Kafka's 30 s. */
export function adminTimeoutMs(): number {
  const v = Number(process.env[TIMEOUT_ENV]);
  return Number.isInteger(v) && v > 0 ? v : 30_000;
}
