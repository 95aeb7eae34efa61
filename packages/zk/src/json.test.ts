import { javaPropertiesOrder, javaStringHash, JsonReader, obj, writeJson } from './json';
import { TopicPartitionMap } from '@samsa/common';
import { ZkError, zkCodeOf } from './ZkErrors';

test('writeJsonKeepsTheGivenKeyOrderEvenForNumericKeys', () => {
  expect(
    writeJson(
      obj([
        ['b', 1],
        ['10', [1, 'x', null]],
        ['2', obj([])],
      ]),
    ),
  ).toBe('{"b":1,"10":[1,"x",null],"2":{}}');
  expect(writeJson('quote " and \\')).toBe('"quote \\" and \\\\"');
  expect(() => writeJson(Number.NaN)).toThrow();
});

test('javaStringHashIsJavas', () => {
  expect(javaStringHash('')).toBe(0);
  // Values printed by Java 17's String.hashCode.
  expect(javaStringHash('version')).toBe(351608024);
  expect(javaStringHash('hello')).toBe(99162322);
  expect(javaStringHash('segment.bytes')).toBe(-2022974992);
  expect(javaStringHash('Aa')).toBe(javaStringHash('BB')); // the classic collision
});

test('javaPropertiesOrderIsJavasIncludingBinSharingAndResizes', () => {
  // Expected orders printed by iterating java.util.Properties on Java 17 after these insertions.
  expect(javaPropertiesOrder(['index.interval.bytes', 'retention.ms', 'segment.bytes'])).toEqual([
    'retention.ms',
    'segment.bytes',
    'index.interval.bytes',
  ]);
  expect(javaPropertiesOrder(['segment.bytes', 'retention.ms', 'index.interval.bytes'])).toEqual([
    'segment.bytes',
    'retention.ms',
    'index.interval.bytes',
  ]);
  const twenty = Array.from({ length: 20 }, (_, i) => `key${i}`);
  expect(javaPropertiesOrder(twenty).join(',')).toBe(
    'key1,key2,key0,key5,key6,key3,key4,key9,key7,key8,key11,key10,key15,key14,key13,key12,key19,key18,key17,key16',
  );
  expect(javaPropertiesOrder(['b', 'a', 'b'])).toEqual(['a', 'b']);
});

test('jsonReaderNamesTheZnodeAndField', () => {
  const r = JsonReader.of(Buffer.from('{"a":1,"s":"x","n":"12","arr":[1,2]}'), '/some/znode');
  expect([r.int('a'), r.string('s'), r.numericString('n'), r.intArray('arr')]).toEqual([1, 'x', 12, [1, 2]]);
  expect(r.optInt('missing')).toBeUndefined();
  expect(() => r.int('missing')).toThrow('/some/znode: missing "missing"');
  expect(() => r.int('s')).toThrow('/some/znode: "s" should be an integer, is "x"');
  expect(() => JsonReader.of(Buffer.from('[1]'), '/z')).toThrow('/z: expected a JSON object');
});

test('topicPartitionMapComparesKeysByValue', () => {
  const m = new TopicPartitionMap<number>();
  m.set({ topic: 'T', partition: 0 }, 1).set({ topic: 'T', partition: 1 }, 2);
  m.set({ topic: 'T', partition: 0 }, 3);
  expect(m.size).toBe(2);
  expect(m.get({ topic: 'T', partition: 0 })).toBe(3);
  expect(m.has({ topic: 'T-0', partition: 0 })).toBe(false);
  expect(m.keys()).toEqual([
    { topic: 'T', partition: 0 },
    { topic: 'T', partition: 1 },
  ]);
  expect(m.delete({ topic: 'T', partition: 1 })).toBe(true);
  expect([...m]).toEqual([[{ topic: 'T', partition: 0 }, 3]]);
});

test('zooKeeperCodesAndErrors', () => {
  expect([
    zkCodeOf(0),
    zkCodeOf(-101),
    zkCodeOf(-110),
    zkCodeOf(-103),
    zkCodeOf(-111),
    zkCodeOf(-112),
    zkCodeOf(-4),
  ]).toEqual(['OK', 'NONODE', 'NODEEXISTS', 'BADVERSION', 'NOTEMPTY', 'SESSIONEXPIRED', 'CONNECTIONLOSS']);
  expect(zkCodeOf(-999)).toBe('UNKNOWN');
  const e = new ZkError('NODEEXISTS', '/brokers/ids/1');
  expect(e.message).toBe('KeeperErrorCode = NodeExists for /brokers/ids/1');
  expect(ZkError.is(e, 'NODEEXISTS')).toBe(true);
  expect(ZkError.is(e, 'NONODE')).toBe(false);
  expect(ZkError.is(new Error('x'))).toBe(false);
});
