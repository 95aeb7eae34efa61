import { TopicPartitionMap } from '@samsa/common';
import {
  ApiKey,
  Attribute,
  BatchField,
  CompressionType,
  convertMessageSetToBatch,
  ErrorCode,
  errorInfo,
  inflateLegacyWrappers,
  KafkaError,
  LOG_OVERHEAD,
  magicAt,
  produceInflationLimitBytes,
  type ProducePartitionResult,
} from '@samsa/protocol';
import { isInternalTopic } from '@samsa/zk';
import { isValidRequiredAcks } from '../replica/ReplicaManager';
import { AclOperation, ResourceType } from '@samsa/security';
import { filterByAuthorized, producesTransactionalRecords } from './authorization';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/** The client id Kafka's own admin tools use; only they may write to internal topics. */
export const ADMIN_CLIENT_ID = '__admin_client';

/**
 * Produce v0–8. v3+ must carry exactly one record batch of magic 2 (ZSTD only from v7); v0–2 carry
 * legacy message sets, which are converted to one v2 batch (the log stores only v2). acks=0 gets
 * no response; an error on any of its partitions closes the connection instead (Kafka 2.8). Internal topics (__consumer_offsets) refuse client writes: INVALID_TOPIC_EXCEPTION.
 * acks outside {-1, 0, 1}: INVALID_REQUIRED_ACKS, nothing appended (ReplicaManager.appendRecords).
 */
export function produceHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.Produce> {
  return {
    apiKey: ApiKey.Produce,
    maxVersion: 8,
    async handle(ctx, body) {
      const version = ctx.header.apiVersion;
      // Kafka 2.8: transactional records without a transactional id are refused whole, authorizer
      // or not; such a producer's transaction would be known to no coordinator, never be ended,
      // and hold every read_committed consumer of the partition at its first offset.
      if (body.transactionalId === null && producesTransactionalRecords(body)) {
        throw new KafkaError(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'Transactional records need a transactional id');
      }
      const entries: { topic: string; partition: number; records: Buffer | null }[] = [];
      const early = new TopicPartitionMap<number>();
      // Kafka's order with acks outside {-1, 0, 1}: partitions it does not know keep
      // UNKNOWN_TOPIC_OR_PARTITION, bad records keep their error, and every other partition
      // (internal topics included) answers INVALID_REQUIRED_ACKS from appendRecords.
      const validAcks = isValidRequiredAcks(body.acks);
      // Kafka 2.8: WRITE on each topic first; the unauthorized ones answer TOPIC_AUTHORIZATION_FAILED
      const writable = filterByAuthorized(deps, ctx, AclOperation.WRITE, ResourceType.TOPIC, body.topicData.map((t) => t.name));
      for (const t of body.topicData) {
        for (const p of t.partitionData) {
          const k = { topic: t.name, partition: p.index };
          if (!writable.has(t.name)) {
            early.set(k, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
            continue;
          }
          if (!validAcks && !deps.metadataCache.partitionState(t.name, p.index)) {
            early.set(k, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            continue;
          }
          // __consumer_offsets is written by the group coordinator only (Kafka's internalTopicsAllowed)
          if (validAcks && isInternalTopic(t.name) && ctx.header.clientId !== ADMIN_CLIENT_ID) {
            early.set(k, ErrorCode.INVALID_TOPIC_EXCEPTION);
            continue;
          }
          try {
            const maxInflatedBytes = () => produceInflationLimitBytes(maxMessageBytesFor(deps, t.name, p.index));
            const converted = recordsForLog(p.records, version, { maxInflatedBytes });
            const records = converted instanceof Promise ? await converted : converted;
            entries.push({ topic: t.name, partition: p.index, records });
          } catch (e) {
            if (!(e instanceof KafkaError)) throw e;
            early.set(k, e.code);
          }
        }
      }
      const toAppend = entries.filter((e) => !early.has(e));
      const results = await deps.replicaManager.appendRecords(body.timeoutMs, body.acks, toAppend, ctx.onApiLocalComplete);
      deps.brokerTopicStats?.recordProduce(toAppend, results);
      const byKey = new TopicPartitionMap(results.map((r) => [r, r] as const));
      const responses = body.topicData.map((t) => ({
        name: t.name,
        partitionResponses: t.partitionData.map((p) => {
          const k = { topic: t.name, partition: p.index };
          const r = byKey.get(k);
          const code = early.get(k) ?? r?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
          return {
            index: p.index,
            errorCode: code,
            baseOffset: r?.baseOffset ?? -1,
            logAppendTimeMs: r?.logAppendTimeMs ?? -1,
            logStartOffset: r?.logStartOffset ?? -1,
            recordErrors: code === ErrorCode.NONE ? [] : recordErrorsOf(r),
            errorMessage: code === ErrorCode.NONE ? null : (r?.errorMessage ?? null),
          };
        }),
      }));
      if (body.acks === 0) {
        maybeCloseForAcksZero(responses);
        return null;
      }
      return {
        responses,
        throttleTimeMs: 0,
      };
    },
  };
}

/** Produce v8+ record_errors: the records the leader named when it refused the batch. */
function recordErrorsOf(r: ProducePartitionResult | undefined): { batchIndex: number; batchIndexErrorMessage: string | null }[] {
  return (r?.recordErrors ?? []).map((e) => ({ batchIndex: e.batchIndex, batchIndexErrorMessage: e.message }));
}

/**
 * acks=0 gets no response, so an error on any partition cannot be answered: as Kafka's
 * handleProduceRequest, the connection is closed instead (the producer notices, refreshes its
 * metadata and reconnects). Thrown as a KafkaError, which the dispatcher turns into a close for
 * acks=0 (RequestDispatcher.onHandlerError), naming each partition's error.
 */
function maybeCloseForAcksZero(
  responses: readonly { name: string; partitionResponses: readonly { index: number; errorCode: number }[] }[],
): void {
  const failed = responses.flatMap((t) =>
    t.partitionResponses
      .filter((p) => p.errorCode !== ErrorCode.NONE)
      .map((p) => ({ code: p.errorCode, what: `topic ${t.name} partition ${p.index}: ${errorInfo(p.errorCode).name}` })),
  );
  if (failed.length === 0) return;
  throw new KafkaError(
    failed[0].code,
    `error during produce request with acks=0; topic and partition to exceptions: ${failed.map((f) => f.what).join(', ')}`,
  );
}

/**
 * The larger of the broker's message.max.bytes and the topic's max.message.bytes (when this broker
 * holds the partition): what bounds a legacy set's inflated bytes (compression/limits.ts).
 */
function maxMessageBytesFor(deps: BrokerDeps, topic: string, partition: number): number {
  const broker = deps.config.int('message.max.bytes');
  const topicMax = deps.replicaManager.getPartition(topic, partition)?.log.config.maxMessageBytes ?? 0;
  return Math.max(broker, topicMax);
}

/**
 * Checks Kafka's per-version rules and turns legacy message sets into one v2 batch. A legacy set's
 * compressed wrappers are inflated first, gzip on the thread pool (the event loop stays free for
 * other connections while a hostile wrapper inflates), all of them together bounded by
 * `maxInflatedBytes()` (RECORD_LIST_TOO_LARGE past it); then the records are converted without an
 * object per record.
 */
export function recordsForLog(
  records: Buffer | null,
  version: number,
  { maxInflatedBytes }: { readonly maxInflatedBytes: () => number },
): Buffer | Promise<Buffer> {
  if (!records || records.length < LOG_OVERHEAD + 5) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'empty or truncated record set');
  const magic = magicAt(records, 0);
  if (version >= 3) {
    if (magic !== 2) throw new KafkaError(ErrorCode.INVALID_RECORD, `Produce v${version} requires record batch v2, got magic ${magic}`);
    const size = LOG_OVERHEAD + records.readInt32BE(BatchField.BATCH_LENGTH);
    if (size !== records.length) {
      throw new KafkaError(ErrorCode.INVALID_RECORD, `Produce v${version} must carry exactly one record batch`);
    }
    const codec = records.readInt16BE(BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK;
    if (codec === CompressionType.Zstd && version < 7) {
      throw new KafkaError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, 'ZSTD needs Produce v7 or later');
    }
    return records;
  }
  if (magic === 2) return records;
  if (magic !== 0 && magic !== 1) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `unknown magic ${magic}`);
  const legacy = records;
  const limit = maxInflatedBytes();
  return inflateLegacyWrappers(legacy, { maxInflatedBytes: limit }).then((inflated) =>
    convertMessageSetToBatch(legacy, { maxInflatedBytes: limit, inflated }),
  );
}
