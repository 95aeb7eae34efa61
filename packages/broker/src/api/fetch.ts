import {
  ApiKey,
  Attribute,
  BatchField,
  CompressionType,
  ErrorCode,
  forEachBatch,
  type FetchResponseResponsesPartitionResponsesInput,
} from '@samsa/protocol';
import type { FetchBufferPool } from '../replica/FetchBufferPool';
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
 * and yields to other work (fetchDownConversion.ts). Fetch sessions (KIP-227) are not kept: every
 * fetch is a full fetch and session id 0 says so.
 *
 * The response holds at most `fetch.max.bytes` (KIP-541: the broker's cap on the request's
 * max_bytes, which v0–2 do not carry), besides the first batch of the first partition with data
 * (Kafka's "at least one batch even if larger" rule); min_bytes is capped by the same, as Kafka's
 * KafkaApis caps it.
 */
export function fetchHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.Fetch> {
  return {
    apiKey: ApiKey.Fetch,
    maxVersion: 11,
    async handle(ctx, body) {
      const version = ctx.header.apiVersion;
      if (version >= 7 && body.sessionId !== 0) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
      }
      // Kafka 2.8: a follower needs CLUSTER_ACTION, a consumer READ on each topic; the partitions of
      // the others answer TOPIC_AUTHORIZATION_FAILED
      const readable =
        body.replicaId >= 0
          ? authorizeCluster(deps, ctx, AclOperation.CLUSTER_ACTION)
            ? new Set(body.topics.map((t) => t.topic))
            : new Set<string>()
          : filterByAuthorized(deps, ctx, AclOperation.READ, ResourceType.TOPIC, body.topics.map((t) => t.topic));
      const requests = body.topics.filter((t) => readable.has(t.topic)).flatMap((t) =>
        t.partitions.map((p) => ({
          topic: t.topic,
          partition: p.partition,
          fetchOffset: p.fetchOffset,
          maxBytes: p.partitionMaxBytes,
        })),
      );
      const fetchMaxBytes = Math.min(version >= 3 ? body.maxBytes : 0x7fffffff, deps.config.int('fetch.max.bytes'));
      const results = await deps.replicaManager.fetchMessages({
        replicaId: body.replicaId,
        maxWaitMs: body.maxWaitMs,
        minBytes: Math.min(body.minBytes, fetchMaxBytes),
        maxBytes: fetchMaxBytes,
        partitions: requests,
        isolationLevel: version >= 4 ? body.isolationLevel : 0,
        onLocalComplete: ctx.onApiLocalComplete,
      });
      const pool = ctx.onResponseSent ? deps.fetchBufferPool : undefined;
      const hardMaxBytes = deps.config.int('fetch.max.bytes');
      const withBytes = await Promise.all(
        results.map(async (r, i) => ({
          r,
          bytes: await recordBytes(r, { version, fetchOffset: requests[i].fetchOffset, hardMaxBytes }, pool, ctx.onResponseSent),
        })),
      );
      const stats = deps.brokerTopicStats;
      if (stats) for (const { r, bytes } of withBytes) stats.recordFetch(r.topic, r.errorCode, bytes.records.length, body.replicaId >= 0);
      const byTopic = new Map<string, FetchResponseResponsesPartitionResponsesInput[]>();
      for (const t of body.topics) {
        if (readable.has(t.topic)) continue;
        const denied = t.partitions.map((p) => ({
          partition: p.partition,
          errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
          abortedTransactions: null,
          preferredReadReplica: -1,
          recordSet: Buffer.alloc(0),
        }));
        byTopic.set(t.topic, [...(byTopic.get(t.topic) ?? []), ...denied]);
      }
      for (const { r, bytes } of withBytes) {
        let list = byTopic.get(r.topic);
        if (!list) byTopic.set(r.topic, (list = []));
        list.push({
          partition: r.partition,
          errorCode: bytes.errorCode,
          highWatermark: r.highWatermark,
          lastStableOffset: r.lastStableOffset,
          logStartOffset: r.logStartOffset,
          abortedTransactions: version >= 4 ? abortedTransactions(r) : null,
          preferredReadReplica: -1,
          recordSet: bytes.records,
        });
      }
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        sessionId: 0,
        responses: [...byTopic].map(([topic, partitionResponses]) => ({ topic, partitionResponses })),
      };
    },
  };
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
