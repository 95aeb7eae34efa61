import { ErrorCode, KafkaError } from '@samsa/protocol';
import { LogConfig, LONG_MAX_VALUE } from './LogConfig';

describe('LogConfig', () => {
  test('defaultsAreKafkas', () => {
    const c = LogConfig.DEFAULT;
    expect(c.segmentBytes).toBe(1073741824);
    expect(c.segmentMs).toBe(604800000);
    expect(c.retentionMs).toBe(604800000);
    expect(c.retentionBytes).toBe(-1);
    expect(c.segmentIndexBytes).toBe(10485760);
    expect(c.indexIntervalBytes).toBe(4096);
    expect(c.maxMessageBytes).toBe(1048588);
    expect(c.fileDeleteDelayMs).toBe(60000);
    expect(c.deleteRetentionMs).toBe(86400000);
    expect(c.minCleanableDirtyRatio).toBe(0.5);
    expect(c.cleanupPolicy).toEqual(['delete']);
    expect(c.flushMessages).toBe(LONG_MAX_VALUE);
    expect(c.messageTimestampType).toBe('CreateTime');
    expect(c.delete).toBe(true);
    expect(c.compact).toBe(false);
  });

  test('topicOverridesParseStringsAndRememberWhatWasOverridden', () => {
    const c = LogConfig.fromProps(LogConfig.DEFAULT, {
      'segment.bytes': '16384',
      'cleanup.policy': 'compact,delete',
      'message.timestamp.type': 'LogAppendTime',
      'min.cleanable.dirty.ratio': '0.1',
    });
    expect(c.segmentBytes).toBe(16384);
    expect(c.compact && c.delete).toBe(true);
    expect(c.messageTimestampType).toBe('LogAppendTime');
    expect(c.minCleanableDirtyRatio).toBe(0.1);
    expect([...c.overridden].sort()).toEqual([
      'cleanup.policy',
      'message.timestamp.type',
      'min.cleanable.dirty.ratio',
      'segment.bytes',
    ]);
    expect(c.overriddenProps()['segment.bytes']).toBe('16384');
    expect(c.toProps()['flush.messages']).toBe('9223372036854775807');
  });

  test('unknownNamesAndBadValuesAreInvalidConfig', () => {
    const bad = (o: Record<string, string>) => {
      try {
        LogConfig.fromProps(LogConfig.DEFAULT, o);
      } catch (e) {
        return (e as KafkaError).code;
      }
      return null;
    };
    expect(bad({ 'no.such.config': '1' })).toBe(ErrorCode.INVALID_CONFIG);
    expect(bad({ 'segment.bytes': 'ten' })).toBe(ErrorCode.INVALID_CONFIG);
    expect(bad({ 'segment.bytes': '10' })).toBe(ErrorCode.INVALID_CONFIG);
    expect(bad({ 'cleanup.policy': 'shred' })).toBe(ErrorCode.INVALID_CONFIG);
    expect(bad({ 'min.cleanable.dirty.ratio': '2' })).toBe(ErrorCode.INVALID_CONFIG);
    expect(bad({ 'message.timestamp.type': 'Now' })).toBe(ErrorCode.INVALID_CONFIG);
    expect(bad({ 'compression.type': 'brotli' })).toBe(ErrorCode.INVALID_CONFIG);
    expect(bad({ 'min.compaction.lag.ms': '10', 'max.compaction.lag.ms': '5' })).toBe(
      ErrorCode.INVALID_CONFIG,
    );
  });

  test('brokerPropsSetDefaultsThroughKafkasSynonyms', () => {
    const c = LogConfig.fromBrokerProps({
      'log.segment.bytes': '1048576',
      'log.roll.hours': '1',
      'log.retention.minutes': '10',
      'log.retention.ms': '5000',
      'message.max.bytes': '2000000',
      'log.cleaner.min.cleanable.ratio': '0.25',
    });
    expect(c.segmentBytes).toBe(1048576);
    expect(c.segmentMs).toBe(3600000);
    expect(c.retentionMs).toBe(5000); // log.retention.ms wins over minutes
    expect(c.maxMessageBytes).toBe(2000000);
    expect(c.minCleanableDirtyRatio).toBe(0.25);
    expect(c.overridden.size).toBe(0);
  });

  test('jitterStaysBelowTheSmallerOfJitterAndSegmentMs', () => {
    const c = LogConfig.of({ segmentMs: 1000, segmentJitterMs: 5000 });
    expect(c.randomSegmentJitter(() => 0.999)).toBe(999);
    expect(LogConfig.DEFAULT.randomSegmentJitter(() => 0.5)).toBe(0);
  });
});
