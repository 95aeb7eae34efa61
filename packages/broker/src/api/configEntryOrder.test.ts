import { LOG_CONFIG_NAMES } from '@samsa/storage';
import {
  inKafkaConfigEntryOrder,
  javaStringHashCode,
  kafkaConfigEntryOrder,
  scalaHashMapTableLength,
} from './configEntryOrder';

describe('kafkaConfigEntryOrder', () => {
  test('javaStringHashCodeMatchesJava', () => {
    // values of "".hashCode(), "a".hashCode(), "compression.type".hashCode() in Java
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('a')).toBe(97);
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
  });

  test('tableGrowsBeforeTheInsertThatReachesThreeQuarters', () => {
    expect(scalaHashMapTableLength(0)).toBe(16);
    expect(scalaHashMapTableLength(11)).toBe(16);
    expect(scalaHashMapTableLength(12)).toBe(32);
    expect(scalaHashMapTableLength(23)).toBe(32);
    expect(scalaHashMapTableLength(24)).toBe(64);
    expect(scalaHashMapTableLength(26)).toBe(64);
  });

  test('topicConfigsComeInTheOrderKafka28PrintsThem', () => {
    // `kafka-configs --describe --all --entity-type topics` against Kafka 2.8 (Scala 2.13)
    expect(kafkaConfigEntryOrder(LOG_CONFIG_NAMES)).toEqual([
      'compression.type',
      'leader.replication.throttled.replicas',
      'message.downconversion.enable',
      'min.insync.replicas',
      'segment.jitter.ms',
      'cleanup.policy',
      'flush.ms',
      'follower.replication.throttled.replicas',
      'segment.bytes',
      'retention.ms',
      'flush.messages',
      'message.format.version',
      'max.compaction.lag.ms',
      'file.delete.delay.ms',
      'max.message.bytes',
      'min.compaction.lag.ms',
      'message.timestamp.type',
      'preallocate',
      'min.cleanable.dirty.ratio',
      'index.interval.bytes',
      'unclean.leader.election.enable',
      'retention.bytes',
      'delete.retention.ms',
      'segment.ms',
      'message.timestamp.difference.max.ms',
      'segment.index.bytes',
    ]);
  });

  test('theOrderDependsOnTheSetNotOnTheInsertionOrder', () => {
    const names = [...LOG_CONFIG_NAMES];
    expect(kafkaConfigEntryOrder([...names].reverse())).toEqual(kafkaConfigEntryOrder(names));
  });

  test('aSelectionIsOrderedInItsOwnSmallerTable', () => {
    // Kafka filters into a new HashMap: two names sit in a 16-bucket table, not the 64 of all 26
    // (all 26: leader.replication.throttled.replicas 2nd, cleanup.policy 6th)
    expect(kafkaConfigEntryOrder(['leader.replication.throttled.replicas', 'cleanup.policy'])).toEqual([
      'cleanup.policy',
      'leader.replication.throttled.replicas',
    ]);
    expect(kafkaConfigEntryOrder(['segment.ms', 'retention.ms'])).toEqual(['retention.ms', 'segment.ms']);
  });

  test('entriesAreReorderedByName', () => {
    const entries = [
      { name: 'segment.ms', v: 1 },
      { name: 'compression.type', v: 2 },
    ];
    expect(inKafkaConfigEntryOrder(entries).map((e) => e.v)).toEqual([2, 1]);
  });
});
