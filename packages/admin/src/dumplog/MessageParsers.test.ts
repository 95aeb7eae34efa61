import { encodeVersioned, internalMessages } from '@samsa/protocol';
import type { LogRecord } from './LogBatches';
import { offsetsMessageParser, stringMessageParser } from './MessageParsers';

const record = (key: Buffer | null, value: Buffer | null): LogRecord => ({
  offset: 0,
  timestamp: 0,
  timestampType: 'CreateTime',
  isValid: true,
  key,
  value,
  magic: 2,
  compression: 0,
  sequence: -1,
  headerKeys: [],
  checksum: 0,
});

describe('--offsets-decoder (Kafka 2.1 OffsetsMessageParser)', () => {
  const offsetKey = encodeVersioned(internalMessages.OffsetCommitKey, 1, {
    group: 'g1',
    topic: 'T',
    partition: 2,
  });

  test('offsetCommitsPrintGroupTopicPartitionAndOffset', () => {
    const v3 = encodeVersioned(internalMessages.OffsetCommitValue, 3, {
      offset: 42,
      leaderEpoch: 0,
      metadata: '',
      commitTimestamp: 1795302842251,
    });
    expect(offsetsMessageParser(record(offsetKey, v3))).toEqual({ key: 'offset::g1:T:2', payload: '42' });
    const v1 = encodeVersioned(internalMessages.OffsetCommitValue, 1, {
      offset: 7,
      metadata: 'meta',
      commitTimestamp: 1,
      expireTimestamp: 2,
    });
    expect(offsetsMessageParser(record(offsetKey, v1))).toEqual({ key: 'offset::g1:T:2', payload: '7:meta' });
    // a tombstone prints neither key nor payload
    expect(offsetsMessageParser(record(offsetKey, null))).toEqual({ key: null, payload: null });
  });

  test('groupMetadataPrintsJsonWithTheMembersAssignments', () => {
    const assignment = encodeVersioned(internalMessages.ConsumerProtocolAssignment, 0, {
      assignedPartitions: [
        { topic: 'T', partitions: [0, 1] },
        { topic: 'U', partitions: [3] },
      ],
      userData: Buffer.from([0x00, 0x0a, 0xbc]),
    });
    const value = encodeVersioned(internalMessages.GroupMetadataValue, 3, {
      protocolType: 'consumer',
      generation: 5,
      protocol: 'range',
      leader: 'm1',
      currentStateTimestamp: 1,
      members: [
        {
          memberId: 'm1',
          groupInstanceId: null,
          clientId: 'c',
          clientHost: '/127.0.0.1',
          rebalanceTimeout: 300000,
          sessionTimeout: 10000,
          subscription: Buffer.alloc(0),
          assignment,
        },
      ],
    });
    const key = encodeVersioned(internalMessages.GroupMetadataKey, 2, { group: 'g1' });
    expect(offsetsMessageParser(record(key, value))).toEqual({
      key: '{"metadata":"g1"}',
      payload:
        '{"protocolType":"consumer","protocol":"range","generationId":5,"assignment":"{m1=[T-0, T-1, U-3]:ABC}"}',
    });
  });

  test('aMissingKeyOrUnknownKeyVersionIsAnError', () => {
    expect(() => offsetsMessageParser(record(null, Buffer.from('x')))).toThrow(/missing key/);
    expect(() => offsetsMessageParser(record(Buffer.from([0, 9, 0]), Buffer.from('x')))).toThrow(
      'Unknown version 9 for group metadata message',
    );
  });
});

test('theDefaultParserPrintsUtf8AndNothingForATombstone', () => {
  expect(stringMessageParser(record(Buffer.from('k'), Buffer.from('välue')))).toEqual({
    key: 'k',
    payload: 'välue',
  });
  expect(stringMessageParser(record(null, Buffer.from('v')))).toEqual({ key: null, payload: 'v' });
  expect(stringMessageParser(record(Buffer.from('k'), null))).toEqual({ key: null, payload: null });
});
