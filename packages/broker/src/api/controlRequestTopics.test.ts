import { ErrorCode } from '@samsa/protocol';
import { controlRequestPartitionError, partitionByLegality } from './controlRequestTopics';

describe('controlRequestPartitionError (Kafka Topic.validate)', () => {
  test.each(['orders', '__consumer_offsets', 'a.b_c-D9', 'x'.repeat(249), '...', '-'])('%j is legal', (topic) => {
    expect(controlRequestPartitionError(topic, 0)).toBe(ErrorCode.NONE);
  });

  test.each(['../victim', '..', '.', '', 'a/b', '/abs', 'x'.repeat(250), 'sp ace', 'ünï', 'nul\u0000'])('%j is INVALID_TOPIC_EXCEPTION', (topic) => {
    expect(controlRequestPartitionError(topic, 0)).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  test('aNegativePartitionIsUnknown', () => {
    expect(controlRequestPartitionError('t', -1)).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  test('partitionByLegalityKeepsTheLegalOnesInOrder', () => {
    const items = [
      { t: 'a', p: 0 },
      { t: '../victim', p: 0 },
      { t: 'b', p: 1 },
      { t: 'c', p: -2 },
    ];
    const { legal, illegal } = partitionByLegality(items, (i) => ({ topic: i.t, partition: i.p }));
    expect(legal).toEqual([items[0], items[2]]);
    expect(illegal).toEqual([
      { topic: '../victim', partition: 0, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION },
      { topic: 'c', partition: -2, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
    ]);
  });
});
