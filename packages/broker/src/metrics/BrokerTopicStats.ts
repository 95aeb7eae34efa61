import type { Meter, MetricsGroup, MetricsRegistry } from '@samsa/metrics';
import { BatchField, ErrorCode, LOG_OVERHEAD } from '@samsa/protocol';

/** One set of kafka.server:type=BrokerTopicMetrics meters: all topics (no tag) or one topic. */
export class BrokerTopicMetrics {
  readonly messagesIn: Meter;
  readonly bytesIn: Meter;
  readonly bytesOut: Meter;
  readonly failedProduceRequests: Meter;
  readonly failedFetchRequests: Meter;
  readonly totalProduceRequests: Meter;
  readonly totalFetchRequests: Meter;

  constructor(group: MetricsGroup, topic: string | null) {
    const tags = topic === null ? [] : ([['topic', topic]] as const);
    this.messagesIn = group.meter('MessagesInPerSec', 'messages', tags);
    this.bytesIn = group.meter('BytesInPerSec', 'bytes', tags);
    this.bytesOut = group.meter('BytesOutPerSec', 'bytes', tags);
    this.failedProduceRequests = group.meter('FailedProduceRequestsPerSec', 'requests', tags);
    this.failedFetchRequests = group.meter('FailedFetchRequestsPerSec', 'requests', tags);
    this.totalProduceRequests = group.meter('TotalProduceRequestsPerSec', 'requests', tags);
    this.totalFetchRequests = group.meter('TotalFetchRequestsPerSec', 'requests', tags);
  }
}

/**
 * Errors Kafka does not count as failed produce or fetch requests: the client's or the cluster's
 * state, not the broker failing (ReplicaManager.appendToLocalLog / readFromLocalLog). The produce
 * ones are also the append refusals Kafka does not log (ReplicaManager's loggedAppendError).
 */
export const EXPECTED_PRODUCE_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.MESSAGE_TOO_LARGE,
  ErrorCode.RECORD_LIST_TOO_LARGE,
  ErrorCode.CORRUPT_MESSAGE,
  ErrorCode.KAFKA_STORAGE_ERROR,
]);
const EXPECTED_FETCH_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.OFFSET_OUT_OF_RANGE,
]);
/** A partition this broker does not host gets no per-topic meters (they would never be removed). */
const NOT_HOSTED: ReadonlySet<number> = new Set([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.NOT_LEADER_OR_FOLLOWER]);

/**
 * Kafka's BrokerTopicStats: the all-topics BrokerTopicMetrics and one set per topic, created when
 * the topic is first produced to or fetched from here and removed when this broker stops hosting
 * the topic. Marking costs a map lookup and a few additions per partition.
 */
export class BrokerTopicStats {
  readonly allTopics: BrokerTopicMetrics;
  readonly replicationBytesOut: Meter;
  private readonly topics = new Map<string, BrokerTopicMetrics>();
  private readonly group: MetricsGroup;

  constructor(registry: MetricsRegistry) {
    this.group = registry.group('kafka.server', 'BrokerTopicMetrics');
    this.allTopics = new BrokerTopicMetrics(this.group, null);
    this.replicationBytesOut = this.group.meter('ReplicationBytesOutPerSec', 'bytes');
  }

  topicStats(topic: string): BrokerTopicMetrics {
    let m = this.topics.get(topic);
    if (m === undefined) {
      m = new BrokerTopicMetrics(this.group, topic);
      this.topics.set(topic, m);
    }
    return m;
  }

  hasTopic(topic: string): boolean {
    return this.topics.has(topic);
  }

  removeMetrics(topic: string): void {
    const m = this.topics.get(topic);
    if (m === undefined) return;
    this.topics.delete(topic);
    for (const name of [
      'MessagesInPerSec',
      'BytesInPerSec',
      'BytesOutPerSec',
      'FailedProduceRequestsPerSec',
      'FailedFetchRequestsPerSec',
      'TotalProduceRequestsPerSec',
      'TotalFetchRequestsPerSec',
    ]) {
      this.group.remove(name, [['topic', topic]]);
    }
  }

  /** Drops the per-topic metrics of every topic not in `hosted` (after StopReplica). */
  retainTopics(hosted: ReadonlySet<string>): void {
    for (const topic of [...this.topics.keys()]) if (!hosted.has(topic)) this.removeMetrics(topic);
  }

  /**
   * One produce request's partitions, as ReplicaManager.appendToLocalLog counts them: every
   * partition is a produce request; an appended one (it has an offset, even if the acks=all wait
   * then failed) adds its bytes and records; an unexpected error is a failed request.
   */
  recordProduce(
    entries: readonly { readonly topic: string; readonly records: Buffer | null }[],
    results: readonly { readonly errorCode: number; readonly baseOffset: number }[],
  ): void {
    const all = this.allTopics;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      const r = results[i];
      const hosted = r === undefined || !NOT_HOSTED.has(r.errorCode);
      const topic = hosted ? this.topicStats(e.topic) : null;
      all.totalProduceRequests.mark(1);
      topic?.totalProduceRequests.mark(1);
      if (r === undefined) continue;
      if (r.baseOffset >= 0 && e.records !== null) {
        const bytes = e.records.length;
        const messages = recordCount(e.records);
        all.bytesIn.mark(bytes);
        all.messagesIn.mark(messages);
        topic?.bytesIn.mark(bytes);
        topic?.messagesIn.mark(messages);
      } else if (r.errorCode !== ErrorCode.NONE && !EXPECTED_PRODUCE_ERRORS.has(r.errorCode)) {
        all.failedProduceRequests.mark(1);
        topic?.failedProduceRequests.mark(1);
      }
    }
  }

  /** One fetched partition: a fetch request; its bytes out (consumers) or replication bytes out (followers). */
  recordFetch(topic: string, errorCode: number, bytes: number, fromFollower: boolean): void {
    const all = this.allTopics;
    const t = NOT_HOSTED.has(errorCode) ? null : this.topicStats(topic);
    all.totalFetchRequests.mark(1);
    t?.totalFetchRequests.mark(1);
    if (errorCode !== ErrorCode.NONE && !EXPECTED_FETCH_ERRORS.has(errorCode)) {
      all.failedFetchRequests.mark(1);
      t?.failedFetchRequests.mark(1);
    }
    if (bytes <= 0) return;
    if (fromFollower) {
      this.replicationBytesOut.mark(bytes);
    } else {
      all.bytesOut.mark(bytes);
      t?.bytesOut.mark(bytes);
    }
  }
}

/** Records in a run of v2 batches, from their headers (the log holds only v2). */
export function recordCount(records: Buffer): number {
  let n = 0;
  let pos = 0;
  while (pos + BatchField.RECORDS_COUNT + 4 <= records.length) {
    const batchLength = records.readInt32BE(pos + BatchField.BATCH_LENGTH);
    if (batchLength <= 0) break;
    n += records.readInt32BE(pos + BatchField.RECORDS_COUNT);
    pos += LOG_OVERHEAD + batchLength;
  }
  return n;
}
