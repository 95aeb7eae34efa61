import { MetricName, MetricsRegistry } from '@samsa/metrics';
import { buildBatch, ErrorCode } from '@samsa/protocol';
import { BrokerTopicStats, recordCount } from './BrokerTopicStats';

const batch = (n: number) => buildBatch(Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`v${i}`) })));
const count = (registry: MetricsRegistry, name: string, topic?: string) => {
  const m = registry.get(MetricName.of('kafka.server', 'BrokerTopicMetrics', name, topic ? [['topic', topic]] : []));
  return m?.kind === 'Meter' ? m.count : undefined;
};

describe('BrokerTopicStats', () => {
  test('recordCount reads the record counts of every batch header', () => {
    expect(recordCount(batch(3))).toBe(3);
    expect(recordCount(Buffer.concat([batch(2), batch(5)]))).toBe(7);
    expect(recordCount(Buffer.alloc(10))).toBe(0);
  });

  test('produce: bytes and messages of appended partitions, total per partition, failures unless expected', () => {
    const registry = new MetricsRegistry({ autoTick: false });
    const stats = new BrokerTopicStats(registry);
    const a = batch(4);
    const b = batch(2);
    stats.recordProduce(
      [
        { topic: 't', records: a },
        { topic: 't', records: b },
        { topic: 'u', records: batch(1) },
        { topic: 'gone', records: batch(1) },
        { topic: 'v', records: batch(1) },
      ],
      [
        { errorCode: ErrorCode.NONE, baseOffset: 0 },
        { errorCode: ErrorCode.REQUEST_TIMED_OUT, baseOffset: 10 }, // appended, then the acks=all wait timed out
        { errorCode: ErrorCode.NOT_ENOUGH_REPLICAS, baseOffset: -1 }, // a failure Kafka counts
        { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, baseOffset: -1 }, // expected: not a failure, no topic meters
        { errorCode: ErrorCode.CORRUPT_MESSAGE, baseOffset: -1 }, // expected: not a failure
      ],
    );
    expect(count(registry, 'MessagesInPerSec')).toBe(6);
    expect(count(registry, 'BytesInPerSec')).toBe(a.length + b.length);
    expect(count(registry, 'MessagesInPerSec', 't')).toBe(6);
    expect(count(registry, 'BytesInPerSec', 't')).toBe(a.length + b.length);
    expect(count(registry, 'TotalProduceRequestsPerSec')).toBe(5);
    expect(count(registry, 'TotalProduceRequestsPerSec', 't')).toBe(2);
    expect(count(registry, 'FailedProduceRequestsPerSec')).toBe(1);
    expect(count(registry, 'FailedProduceRequestsPerSec', 'u')).toBe(1);
    expect(count(registry, 'FailedProduceRequestsPerSec', 'v')).toBe(0);
    expect(stats.hasTopic('gone')).toBe(false);
    expect(count(registry, 'MessagesInPerSec', 'gone')).toBeUndefined();
  });

  test('fetch: consumers count bytes out per topic, followers replication bytes out', () => {
    const registry = new MetricsRegistry({ autoTick: false });
    const stats = new BrokerTopicStats(registry);
    stats.recordFetch('t', ErrorCode.NONE, 100, false);
    stats.recordFetch('t', ErrorCode.NONE, 50, true);
    stats.recordFetch('t', ErrorCode.OFFSET_OUT_OF_RANGE, 0, false);
    stats.recordFetch('t', ErrorCode.UNKNOWN_SERVER_ERROR, 0, false);
    expect(count(registry, 'BytesOutPerSec')).toBe(100);
    expect(count(registry, 'BytesOutPerSec', 't')).toBe(100);
    expect(count(registry, 'ReplicationBytesOutPerSec')).toBe(50);
    expect(count(registry, 'TotalFetchRequestsPerSec', 't')).toBe(4);
    expect(count(registry, 'FailedFetchRequestsPerSec', 't')).toBe(1);
  });

  test('per-topic meters go when the broker stops hosting the topic', () => {
    const registry = new MetricsRegistry({ autoTick: false });
    const stats = new BrokerTopicStats(registry);
    stats.topicStats('keep').bytesIn.mark(1);
    stats.topicStats('drop').bytesIn.mark(1);
    const before = registry.size;
    stats.retainTopics(new Set(['keep']));
    expect(registry.size).toBe(before - 7);
    expect(count(registry, 'BytesInPerSec', 'drop')).toBeUndefined();
    expect(count(registry, 'BytesInPerSec', 'keep')).toBe(1);
    expect(count(registry, 'BytesInPerSec')).toBe(0); // the all-topics meters stay
  });
});
