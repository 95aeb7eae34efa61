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
  type FetchRequestPartition,
  type PartitionResponseSummary,
} from '../replica/FetchSession';
import type { FetchPartitionRequest, FetchPartitionResult } from '../replica/ReplicaManager';
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
 * reads only the session's partitions that were named or changed since it last found them at their
 * end (FetchSession's unsettled partitions) and answers only those with something new. Kafka reads
 * every partition of the session; the answers are the same, since a partition neither named nor
 * changed reads as it did. One difference: a settled partition is not authorized again until it
 * changes (a consumer's READ removed meanwhile shows at the partition's next change, or at the next
 * full fetch; a follower's CLUSTER_ACTION is checked on every fetch).
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
      // Kafka 2.8: a follower needs CLUSTER_ACTION, a consumer READ on each topic; the partitions of
      // the others answer TOPIC_AUTHORIZATION_FAILED. Asked once per topic, when first read.
      const isFollower = body.replicaId >= 0;
      const followerAllowed = isFollower && authorizeCluster(deps, ctx, AclOperation.CLUSTER_ACTION);
      const readableTopics = new Map<string, boolean>();
      const isReadable = (topic: string): boolean => {
        if (isFollower) return followerAllowed;
        let ok = readableTopics.get(topic);
        if (ok === undefined) {
          ok = filterByAuthorized(deps, ctx, AclOperation.READ, ResourceType.TOPIC, [topic]).has(topic);
          readableTopics.set(topic, ok);
        }
        return ok;
      };
      // Every partition asked, in order; the fetch offsets read (an incremental fetch asks its
      // session again on each attempt of a parked fetch: partitions changed meanwhile are read too).
      const asked = new Map<string, FetchRequestPartition>();
      const denied: FetchRequestPartition[] = [];
      const requestsOf = (partitions: readonly FetchRequestPartition[]): FetchPartitionRequest[] => {
        if (!isFollower && readableTopics.size === 0 && partitions.length > 0) {
          // one authorizer call for the topics of the first read
          const topics = [...new Set(partitions.map((p) => p.topic))];
          const readable = filterByAuthorized(deps, ctx, AclOperation.READ, ResourceType.TOPIC, topics);
          for (const t of topics) readableTopics.set(t, readable.has(t));
        }
        const out: FetchPartitionRequest[] = [];
        for (const p of partitions) {
          const k = topicPartitionKey(p);
          const known = asked.has(k);
          asked.set(k, p);
          if (!isReadable(p.topic)) {
            if (!known) denied.push(p);
            continue;
          }
          out.push({ topic: p.topic, partition: p.partition, fetchOffset: p.fetchOffset, maxBytes: p.maxBytes });
        }
        return out;
      };
      const session = context.session;
      let toRead: readonly FetchPartitionRequest[] | (() => readonly FetchPartitionRequest[]);
      if (session) {
        // a follower refused CLUSTER_ACTION is refused every partition of its session
        if (isFollower && !followerAllowed) for (const k of session.partitionMap.keys()) session.markUnsettled(k);
        toRead = () => requestsOf(context.partitions());
        if (isFollower && body.forgottenTopicsData.length > 0) {
          // those partitions are no longer fetched through this session (Partition's SessionFetchTime)
          for (const t of body.forgottenTopicsData) {
            for (const partition of t.partitions) deps.replicaManager.getPartition(t.topic, partition)?.detachFollowerSession(body.replicaId);
          }
        }
      } else {
        toRead = requestsOf(context.partitions());
      }
      const fetchMaxBytes = Math.min(version >= 3 ? body.maxBytes : 0x7fffffff, deps.config.int('fetch.max.bytes'));
      const results = await deps.replicaManager.fetchMessages({
        replicaId: body.replicaId,
        maxWaitMs: body.maxWaitMs,
        minBytes: Math.min(body.minBytes, fetchMaxBytes),
        maxBytes: fetchMaxBytes,
        partitions: toRead,
        session: session && { watchKey: session.watchKey, fetchTime: isFollower ? session.fetchTime : undefined },
        isolationLevel: version >= 4 ? body.isolationLevel : 0,
        onLocalComplete: ctx.onApiLocalComplete,
        clientMetadata: version >= 11 && body.replicaId < 0 ? { rackId: body.rackId } : undefined,
      });
      const pool = ctx.onResponseSent ? deps.fetchBufferPool : undefined;
      const hardMaxBytes = deps.config.int('fetch.max.bytes');
      // Partitions with nothing read (most of them, for an idle follower's session) skip the
      // asynchronous read: no promise per partition.
      const withBytes = await Promise.all(
        results.map((r) =>
          r.errorCode !== ErrorCode.NONE || !r.records || r.records.sizeInBytes === 0
            ? { r, bytes: { errorCode: r.errorCode, records: EMPTY } }
            : recordBytes(r, { version, fetchOffset: asked.get(topicPartitionKey(r))!.fetchOffset, hardMaxBytes }, pool, ctx.onResponseSent).then(
                (bytes) => ({ r, bytes }),
              ),
        ),
      );
      const stats = deps.brokerTopicStats;
      if (stats) for (const { r, bytes } of withBytes) stats.recordFetch(r.topic, r.errorCode, bytes.records.length, body.replicaId >= 0);
      const updates = withBytes.map(({ r, bytes }) => {
        const data: FetchResponseResponsesPartitionResponsesInput = {
          partition: r.partition,
          errorCode: bytes.errorCode,
          highWatermark: r.highWatermark,
          lastStableOffset: r.lastStableOffset,
          logStartOffset: r.logStartOffset,
          abortedTransactions: version >= 4 ? abortedTransactions(r) : null,
          preferredReadReplica: r.preferredReadReplica ?? -1,
          recordSet: bytes.records,
        };
        return { topic: r.topic, partition: r.partition, data, summary: summaryOf(data, bytes.records.length, r.atEnd === true) };
      });
      for (const p of denied) {
        const data: FetchResponseResponsesPartitionResponsesInput = {
          partition: p.partition,
          errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
          abortedTransactions: null,
          preferredReadReplica: -1,
          recordSet: Buffer.alloc(0),
        };
        updates.push({ topic: p.topic, partition: p.partition, data, summary: summaryOf(data, 0, false) });
      }
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

function summaryOf(d: FetchResponseResponsesPartitionResponsesInput, recordsSize: number, atEnd: boolean): PartitionResponseSummary {
  return {
    errorCode: d.errorCode,
    highWatermark: Number(d.highWatermark),
    logStartOffset: Number(d.logStartOffset ?? -1),
    preferredReadReplica: d.preferredReadReplica ?? -1,
    recordsSize,
    atEnd: atEnd && d.errorCode === ErrorCode.NONE,
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
  // Changes of partitions on this broker unsettle them in the sessions holding them (and wake
  // those sessions' parked fetches).
  deps.replicaManager.addPartitionChangeListener((keys) => cache.partitionsChanged(keys));
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
