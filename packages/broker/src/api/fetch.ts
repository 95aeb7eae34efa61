import {
  ApiKey,
  Attribute,
  BatchField,
  CompressionType,
  ErrorCode,
  forEachBatch,
  type FetchResponseResponsesPartitionResponsesInput,
} from '@samsa/protocol';
import { SystemTime, topicPartitionKey } from '@samsa/common';
import type { FetchBufferPool } from '../replica/FetchBufferPool';
import { FetchManager } from '../replica/FetchContext';
import {
  FetchSessionCache,
  FINAL_EPOCH,
  INVALID_SESSION_ID,
  MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS,
  type PartitionResponseSummary,
} from '../replica/FetchSession';
import type { FetchPartitionResult } from '../replica/ReplicaManager';
import { AclOperation, ResourceType } from '@samsa/security';
import { authorizeCluster, filterByAuthorized } from './authorization';
import type { BrokerDeps } from './deps';
import { downConvertRecords } from './fetchDownConversion';
import type { ApiHandlerEntry } from './types';

/**
 * Fetch v0–11 for consumers (up to the high watermark; read_committed, v4+, up to the last stable
 * offset with the aborted transactions of what was read) and followers (replicaId ≥ 0, up to the log
 * end). Record bytes go from the segment to the response without decoding, except for clients that
 * asked for v0–3, which get legacy message sets (magic 0 for v0–1, magic 1 for v2–3), and ZSTD
 * batches before v10, which are UNSUPPORTED_COMPRESSION_TYPE as in Kafka; that conversion is bounded
 * and yields to other work (fetchDownConversion.ts). Fetch sessions (KIP-227, replica/FetchContext.ts):
 * v7+ fetchers may register their partitions once and then send only what changed; the broker then
 * reads all of the session's partitions and answers only those with something new.
 *
 * The response holds at most `fetch.max.bytes` (KIP-541: the broker's cap on the request's
 * max_bytes, which v0–2 do not carry), besides the first batch of the first partition with data
 * (Kafka's "at least one batch even if larger" rule); min_bytes is capped by the same, as Kafka's
 * KafkaApis caps it.
 */
export function fetchHandler(deps: BrokerDeps, fetchManager = fetchManagerOf(deps)): ApiHandlerEntry<typeof ApiKey.Fetch> {
  return {
    apiKey: ApiKey.Fetch,
    maxVersion: 11,
    async handle(ctx, body) {
      const version = ctx.header.apiVersion;
      const context = fetchManager.newContext(
        version >= 7 ? { sessionId: body.sessionId, epoch: body.sessionEpoch } : { sessionId: INVALID_SESSION_ID, epoch: FINAL_EPOCH },
        body.topics.flatMap((t) =>
          t.partitions.map((p) => ({
            topic: t.topic,
            partition: p.partition,
            fetchOffset: p.fetchOffset,
            logStartOffset: version >= 5 ? p.logStartOffset : -1,
            maxBytes: p.partitionMaxBytes,
            currentLeaderEpoch: version >= 9 ? p.currentLeaderEpoch : -1,
            lastFetchedEpoch: version >= 12 ? p.lastFetchedEpoch : -1,
          })),
        ),
        version >= 7 ? body.forgottenTopicsData.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))) : [],
        body.replicaId >= 0,
      );
      if (context.kind === 'error') {
        const { errorCode } = context.updateAndGenerateResponse([]);
        return { throttleTimeMs: ctx.fetchThrottleOwedMs ?? 0, errorCode, sessionId: INVALID_SESSION_ID, responses: [] };
      }
      if (ctx.fetchThrottleOwedMs !== undefined && ctx.fetchThrottleOwedMs > 0) {
        // Kafka's getThrottledResponse: nothing read; an incremental session keeps its id (its
        // epoch already moved), a full or sessionless fetch gets no session
        const sessionId = context.kind === 'incremental' ? body.sessionId : INVALID_SESSION_ID;
        return { throttleTimeMs: ctx.fetchThrottleOwedMs, errorCode: ErrorCode.NONE, sessionId, responses: [] };
      }
      const partitions = context.partitions();
      const topics = [...new Set(partitions.map((p) => p.topic))];
      // Kafka 2.8: a follower needs CLUSTER_ACTION, a consumer READ on each topic; the partitions of
      // the others answer TOPIC_AUTHORIZATION_FAILED
      const readable =
        body.replicaId >= 0
          ? authorizeCluster(deps, ctx, AclOperation.CLUSTER_ACTION)
            ? new Set(topics)
            : new Set<string>()
          : filterByAuthorized(deps, ctx, AclOperation.READ, ResourceType.TOPIC, topics);
      const requests = partitions
        .filter((p) => readable.has(p.topic))
        .map((p) => ({ topic: p.topic, partition: p.partition, fetchOffset: p.fetchOffset, maxBytes: p.maxBytes }));
      const fetchMaxBytes = Math.min(version >= 3 ? body.maxBytes : 0x7fffffff, deps.config.int('fetch.max.bytes'));
      const results = await deps.replicaManager.fetchMessages({
        replicaId: body.replicaId,
        maxWaitMs: body.maxWaitMs,
        minBytes: Math.min(body.minBytes, fetchMaxBytes),
        maxBytes: fetchMaxBytes,
        partitions: requests,
        isolationLevel: version >= 4 ? body.isolationLevel : 0,
        onLocalComplete: ctx.onApiLocalComplete,
        clientMetadata: version >= 11 && body.replicaId < 0 ? { rackId: body.rackId } : undefined,
      });
      const pool = ctx.onResponseSent ? deps.fetchBufferPool : undefined;
      const hardMaxBytes = deps.config.int('fetch.max.bytes');
      // Partitions with nothing read (most of them, for an idle follower's session) skip the
      // asynchronous read: no promise per partition.
      const withBytes = await Promise.all(
        results.map((r, i) =>
          r.errorCode !== ErrorCode.NONE || !r.records || r.records.sizeInBytes === 0
            ? { r, bytes: { errorCode: r.errorCode, records: EMPTY } }
            : recordBytes(r, { version, fetchOffset: requests[i].fetchOffset, hardMaxBytes }, pool, ctx.onResponseSent).then((bytes) => ({ r, bytes })),
        ),
      );
      const stats = deps.brokerTopicStats;
      if (stats) for (const { r, bytes } of withBytes) stats.recordFetch(r.topic, r.errorCode, bytes.records.length, body.replicaId >= 0);
      const answered = new Map(
        withBytes.map(({ r, bytes }) => [
          topicPartitionKey(r),
          {
            partition: r.partition,
            errorCode: bytes.errorCode,
            highWatermark: r.highWatermark,
            lastStableOffset: r.lastStableOffset,
            logStartOffset: r.logStartOffset,
            abortedTransactions: version >= 4 ? abortedTransactions(r) : null,
            preferredReadReplica: r.preferredReadReplica ?? -1,
            recordSet: bytes.records,
          },
        ]),
      );
      const sizes = new Map(withBytes.map(({ r, bytes }) => [topicPartitionKey(r), bytes.records.length]));
      const updates = partitions.map((p) => {
        const data: FetchResponseResponsesPartitionResponsesInput = answered.get(topicPartitionKey(p)) ?? {
          partition: p.partition,
          errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
          abortedTransactions: null,
          preferredReadReplica: -1,
          recordSet: Buffer.alloc(0),
        };
        return { topic: p.topic, partition: p.partition, data, summary: summaryOf(data, sizes.get(topicPartitionKey(p)) ?? 0) };
      });
      const response = context.updateAndGenerateResponse(updates);
      const byTopic = new Map<string, FetchResponseResponsesPartitionResponsesInput[]>();
      for (const u of response.partitions) {
        let list = byTopic.get(u.topic);
        if (!list) byTopic.set(u.topic, (list = []));
        list.push(u.data);
      }
      return {
        throttleTimeMs: 0,
        errorCode: response.errorCode,
        sessionId: response.sessionId,
        responses: [...byTopic].map(([topic, partitionResponses]) => ({ topic, partitionResponses })),
      };
    },
  };
}

function summaryOf(d: FetchResponseResponsesPartitionResponsesInput, recordsSize: number): PartitionResponseSummary {
  return {
    errorCode: d.errorCode,
    highWatermark: Number(d.highWatermark),
    logStartOffset: Number(d.logStartOffset ?? -1),
    preferredReadReplica: d.preferredReadReplica ?? -1,
    recordsSize,
  };
}

/** The empty record set of partitions with nothing read (never written to: shared). */
const EMPTY = Buffer.alloc(0);

/**
 * The broker's fetch sessions: max.incremental.fetch.session.cache.slots of them (0: none, every
 * fetch is full), evictable after Kafka's fixed 120 s.
 */
export function fetchManagerOf(deps: BrokerDeps): FetchManager {
  const cache = new FetchSessionCache({
    maxEntries: deps.config.int('max.incremental.fetch.session.cache.slots'),
    evictionMs: MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS,
    time: SystemTime,
  });
  return new FetchManager({ time: SystemTime, cache, logger: deps.logger });
}

/**
 * v4+: read_committed answers the aborted transactions overlapping the bytes read (producer id and
 * first offset: the consumer drops those producers' records up to their ABORT markers);
 * read_uncommitted answers null, as Kafka does.
 */
function abortedTransactions(r: FetchPartitionResult): { producerId: number; firstOffset: number }[] | null {
  const txns = r.abortedTransactions;
  if (txns === undefined) return null;
  return txns.map((t) => ({ producerId: t.producerId, firstOffset: t.firstOffset }));
}

/**
 * A partition with an error carries an empty record set, never a null one: Kafka sends
 * MemoryRecords.EMPTY, and librdkafka rejects a MessageSetSize of -1 as a parse failure (it then
 * backs off and never sees the error code, so e.g. OFFSET_OUT_OF_RANGE never triggers its reset).
 * With a pool, the bytes are read into one of its buffers, which goes back once the response is
 * sent — or at once when the response does not carry it (an error, a down-conversion).
 */
async function recordBytes(
  r: FetchPartitionResult,
  o: { readonly version: number; readonly fetchOffset: number; readonly hardMaxBytes: number },
  pool: FetchBufferPool | undefined,
  onResponseSent: ((fn: () => void) => void) | undefined,
): Promise<{ errorCode: number; records: Buffer }> {
  if (r.errorCode !== ErrorCode.NONE || !r.records) return { errorCode: r.errorCode, records: Buffer.alloc(0) };
  let lent: Buffer | undefined;
  const bytes = await r.records.read(pool && ((size) => (lent = pool.acquire(size))));
  const release = () => {
    if (lent) pool!.release(lent);
  };
  const version = o.version;
  if (version < 10 && hasZstd(bytes)) {
    release();
    return { errorCode: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, records: Buffer.alloc(0) };
  }
  if (version >= 4) {
    if (lent) onResponseSent!(release);
    return { errorCode: ErrorCode.NONE, records: bytes };
  }
  try {
    // As much converted as the stored bytes read took (Kafka's LazyDownConversionRecords size).
    const converted = await downConvertRecords(bytes, {
      magic: version <= 1 ? 0 : 1,
      fetchOffset: o.fetchOffset,
      maxBytes: bytes.length,
      hardMaxBytes: o.hardMaxBytes,
    });
    return { errorCode: ErrorCode.NONE, records: converted };
  } finally {
    release();
  }
}

function hasZstd(bytes: Buffer): boolean {
  let found = false;
  forEachBatch(bytes, (pos) => {
    if ((bytes.readInt16BE(pos + BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK) === CompressionType.Zstd) found = true;
    return !found;
  });
  return found;
}
