import { TopicPartitionMap } from '@samsa/common';
import { Writer } from '@samsa/protocol';
import type { ConsumerRecord } from '../client/RecordFetcher';
import { murmur2, partitionForKey } from '../client/ToolClient';
import { formatNodeApiVersions } from '../apiversions/BrokerApiVersionsCommand';
import { parseOffsetJson } from '../deleterecords/DeleteRecordsCommand';
import { formatLogDirsJson } from '../logdirs/LogDirsCommand';
import { expandProducerProps, throttleDelayMs } from '../perf/ProducerPerformance';
import { formatDate } from '../perf/ConsumerPerformance';
import { verifyRound } from '../replicaverification/ReplicaVerificationTool';
import { LineMessageReader } from './LineMessageReader';
import { DefaultMessageFormatter, formatOffsetValue, OffsetsMessageFormatter, readOffsetKey } from './MessageFormatter';

const record = (over: Partial<ConsumerRecord> = {}): ConsumerRecord => ({
  topic: 't',
  partition: 1,
  offset: 7,
  timestamp: 1700000000000,
  timestampType: 'CreateTime',
  key: Buffer.from('k'),
  value: Buffer.from('v'),
  headers: [],
  serializedSize: 2,
  ...over,
});

function formatted(f: { writeTo: DefaultMessageFormatter['writeTo'] }, r: ConsumerRecord): string {
  let s = '';
  f.writeTo(r, (c) => (s += c.toString()));
  return s;
}

describe('LineMessageReader (Kafka 2.8 keys, Kafka 3.2 headers)', () => {
  test('keysHeadersAndTheNullMarker', () => {
    const r = new LineMessageReader(new Map([['parse.key', 'true'], ['parse.headers', 'true'], ['null.marker', '<null>']]));
    const rec = r.read('a:1,b:<null>\tkey\tvalue\twith tab');
    expect(rec.key?.toString()).toBe('key');
    expect(rec.value?.toString()).toBe('value\twith tab');
    expect(rec.headers.map((h) => [h.key, h.value?.toString() ?? null])).toEqual([['a', '1'], ['b', null]]);
    expect(r.read('<null>\t<null>\t<null>')).toEqual({ key: null, value: null, headers: [] });
  });

  test('aMissingSeparatorIsKafkasErrorUnlessIgnored', () => {
    expect(() => new LineMessageReader(new Map([['parse.key', 'true']])).read('novalue')).toThrow("No key separator found on line number 1: 'novalue'");
    const lenient = new LineMessageReader(new Map([['parse.key', 'true'], ['ignore.error', 'true']]));
    expect(lenient.read('novalue')).toEqual({ key: null, value: Buffer.from('novalue'), headers: [] });
    expect(() => new LineMessageReader(new Map([['parse.headers', 'true']])).read('h\tv')).toThrow(
      "No header key separator found in pair 'h' on line number 1",
    );
  });
});

describe('DefaultMessageFormatter', () => {
  test('columnsInKafkasOrderWithTheirSeparators', () => {
    const f = new DefaultMessageFormatter(
      new Map([['print.timestamp', 'true'], ['print.partition', 'true'], ['print.offset', 'true'], ['print.headers', 'true'], ['print.key', 'true']]),
    );
    expect(formatted(f, record({ headers: [{ key: 'h', value: Buffer.from('x') }, { key: 'n', value: null }] }))).toBe(
      'CreateTime:1700000000000\tPartition:1\tOffset:7\th:x,n:null\tk\tv\n',
    );
    expect(formatted(f, record({ key: null }))).toBe('CreateTime:1700000000000\tPartition:1\tOffset:7\tNO_HEADERS\tnull\tv\n');
    const keyOnly = new DefaultMessageFormatter(new Map([['print.key', 'true'], ['print.value', 'false'], ['key.separator', ',']]));
    expect(formatted(keyOnly, record())).toBe('k\n');
  });
});

describe('OffsetsMessageFormatter', () => {
  const key = new Writer(64).int16(1).int16(1).utf8('g', 1).int16(1).utf8('t', 1).int32(3).toBuffer();
  test('anOffsetCommitAsKafkasGroupTopicPartitionAndOffsetAndMetadata', () => {
    expect(readOffsetKey(key)).toEqual({ group: 'g', topic: 't', partition: 3 });
    const v3 = new Writer(64).int16(3).int64(42).int32(5).int16(1).utf8('m', 1).int64(1000).toBuffer();
    expect(formatOffsetValue(v3)).toBe('OffsetAndMetadata(offset=42, leaderEpoch=Optional[5], metadata=m, commitTimestamp=1000, expireTimestamp=None)');
    const v1 = new Writer(64).int16(1).int64(1).int16(0).utf8('', 0).int64(10).int64(20).toBuffer();
    expect(formatOffsetValue(v1)).toBe('OffsetAndMetadata(offset=1, leaderEpoch=Optional.empty, metadata=, commitTimestamp=10, expireTimestamp=Some(20))');
    expect(formatted(new OffsetsMessageFormatter(), record({ key, value: null }))).toBe('[g,t-3]::NULL\n');
    const groupKey = new Writer(16).int16(2).int16(1).utf8('g', 1).toBuffer();
    expect(formatted(new OffsetsMessageFormatter(), record({ key: groupKey }))).toBe('');
  });
});

describe('the other tools’ formats', () => {
  test('murmur2IsKafkasUtilsMurmur2', () => {
    // Kafka's UtilsTest.testMurmur2 vectors
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2(Buffer.from('abc'))).toBe(479470107);
    expect(partitionForKey(Buffer.from('21'), 3)).toBe((-973932308 & 0x7fffffff) % 3);
  });

  test('nodeApiVersionsAsKafkasToString', () => {
    const text = formatNodeApiVersions([
      { apiKey: 0, minVersion: 0, maxVersion: 8 },
      { apiKey: 18, minVersion: 3, maxVersion: 3 },
      { apiKey: 999, minVersion: 0, maxVersion: 1 },
    ]);
    const rows = text.split('\n');
    expect(rows[0]).toBe('(');
    expect(rows).toContain('\tProduce(0): 0 to 8 [usable: 8],');
    expect(rows).toContain('\tApiVersions(18): 3 [usable: 3],');
    expect(rows).toContain('\tFetch(1): UNSUPPORTED,');
    expect(rows.at(-2)).toBe('\tUNKNOWN(999): 0 to 1');
    expect(rows.at(-1)).toBe(')');
  });

  test('deleteRecordsJsonAndLogDirsJson', () => {
    expect([...parseOffsetJson('{"partitions":[{"topic":"a","partition":0,"offset":5}],"version":1}')]).toEqual([[{ topic: 'a', partition: 0 }, 5]]);
    expect(() => parseOffsetJson('{"partitions":[{"topic":"a","partition":0,"offset":5},{"topic":"a","partition":0,"offset":6}]}')).toThrow(
      'Offset json file contains duplicate topic partitions: a-0',
    );
    expect(() => parseOffsetJson('nope')).toThrow('The input string is not a valid JSON');
    const json = formatLogDirsJson(
      [
        {
          broker: 0,
          results: [
            { errorCode: 0, logDir: '/d1', topics: [{ name: 'a', partitions: [{ partitionIndex: 0, partitionSize: 10, offsetLag: 0, isFutureKey: false }] }, { name: 'b', partitions: [] }] },
            { errorCode: 56, logDir: '/d2', topics: [] },
          ],
        },
      ],
      new Set(),
    );
    expect(json).toBe(
      '{"version":1,"brokers":[{"broker":0,"logDirs":[{"logDir":"/d1","error":null,"partitions":[{"partition":"a-0","size":10,"offsetLag":0,"isFuture":false}]},' +
        '{"logDir":"/d2","error":"org.apache.kafka.common.errors.KafkaStorageException","partitions":[]}]}]}',
    );
  });

  test('perfToolsArgumentsThrottleAndDates', () => {
    expect(expandProducerProps(['--producer-props', 'a=1', 'b=2', '--topic', 't'])).toEqual(['--producer-props', 'a=1', '--producer-props', 'b=2', '--topic', 't']);
    expect(throttleDelayMs(-1, 100, 0)).toBe(0);
    expect(throttleDelayMs(100, 50, 100)).toBe(400);
    expect(formatDate('yyyy-MM-dd HH:mm:ss:SSS', new Date(2021, 0, 2, 3, 4, 5, 6).getTime())).toBe('2021-01-02 03:04:05:006');
  });

  test('replicaVerificationStopsAtTheHighWatermarkAndFailsOnDifferentOffsets', () => {
    const tp = { topic: 't', partition: 0 };
    const positions = new TopicPartitionMap<number>([[tp, 0]]);
    const agree = new TopicPartitionMap([[tp, new Map([
      [0, { highWatermark: 5, batches: [{ lastOffset: 2, checksum: 1 }, { lastOffset: 4, checksum: 2 }, { lastOffset: 6, checksum: 3 }] }],
      [1, { highWatermark: 5, batches: [{ lastOffset: 2, checksum: 1 }, { lastOffset: 4, checksum: 2 }] }],
    ])]]);
    const lines: string[] = [];
    expect(verifyRound(positions, agree, (l) => lines.push(l), () => 'T')).toEqual({ maxLag: 0, maxLagPartition: tp, offsetWithMaxLag: 5, mismatch: false });
    expect(lines).toEqual([]);
    const differ = new TopicPartitionMap([[tp, new Map([
      [0, { highWatermark: 9, batches: [{ lastOffset: 6, checksum: 1 }] }],
      [1, { highWatermark: 9, batches: [{ lastOffset: 7, checksum: 1 }] }],
    ])]]);
    expect(verifyRound(positions, differ, (l) => lines.push(l), () => 'T').mismatch).toBe(true);
    expect(lines).toEqual(["T: partition t-0: replica 0's offset 6 doesn't match replica 1's offset 7"]);
  });
});
