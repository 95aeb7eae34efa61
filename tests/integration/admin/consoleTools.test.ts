import * as path from 'path';
import { startCluster, type ClusterHandle } from '../../harness/broker';
import { createTopic } from '../../fault/support';
import { REPO_ROOT, run, type RunResult } from '../../interop/support';

/**
 * Kafka's data tools as an operator runs them (bin/*.sh, their own processes) against one real
 * two-broker cluster shared by every check: kafka-console-producer (keys, headers, partitions),
 * kafka-console-consumer (formatter properties, --partition/--offset, --group, the
 * __consumer_offsets formatter), with their output lines checked against Kafka 2.8's formats and
 * their refusals as one stderr line and exit 1.
 */
jest.setTimeout(120_000);

let cluster: ClusterHandle;
const TOPIC = 'console-topic';

const tool = (name: string, args: readonly string[], input?: string): Promise<RunResult> =>
  run(path.join(REPO_ROOT, 'bin', `${name}.sh`), args, { timeoutMs: 60_000, input });

const lines = (s: string): string[] => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));

beforeAll(async () => {
  cluster = await startCluster({ brokers: 2, overrides: { 'offsets.topic.replication.factor': 1, 'offsets.topic.num.partitions': 2 } });
  await createTopic(cluster.zkConnect, TOPIC, 2, 2);
});

afterAll(async () => {
  await cluster?.stop();
});

test('consoleProducerWritesKeysHeadersAndTheConsumerPrintsThemInKafkasColumns', async () => {
  const produced = await tool(
    'kafka-console-producer',
    [
      '--bootstrap-server', cluster.bootstrap, '--topic', TOPIC,
      '--property', 'parse.key=true', '--property', 'key.separator=:',
      '--property', 'parse.headers=true', '--property', 'headers.delimiter=|',
      '--request-required-acks', 'all',
    ],
    'h1:v1,h2:v2|k1:one\nh1:x|k2:two\nh3:y|k1:three\n',
  );
  expect({ code: produced.code, err: produced.stderr, out: produced.stdout }).toEqual({ code: 0, err: '', out: '' });

  const consumed = await tool('kafka-console-consumer', [
    '--bootstrap-server', cluster.bootstrap, '--topic', TOPIC, '--from-beginning', '--max-messages', '3',
    '--property', 'print.key=true', '--property', 'print.headers=true', '--property', 'print.partition=true',
    '--property', 'print.offset=true', '--property', 'print.timestamp=true',
  ]);
  expect(consumed.code).toBe(0);
  expect(lines(consumed.stderr)).toEqual(['Processed a total of 3 messages']);
  const out = lines(consumed.stdout);
  expect(out).toHaveLength(3);
  for (const line of out) expect(line).toMatch(/^CreateTime:\d{13}\tPartition:[01]\tOffset:\d+\t(h\d:\w+,?)+\tk\d\t\w+$/);
  // keyed records go where the DefaultPartitioner's murmur2 sends them: same key, same partition, in order
  const k1 = out.filter((l) => l.includes('\tk1\t'));
  expect(k1.map((l) => l.split('\t').slice(3).join('\t'))).toEqual(['h1:v1,h2:v2\tk1\tone', 'h3:y\tk1\tthree']);
  expect(new Set(k1.map((l) => l.split('\t')[1])).size).toBe(1);

  // --whitelist: the topics whose names match, every partition
  const listed = await tool('kafka-console-consumer', [
    '--bootstrap-server', cluster.bootstrap, '--whitelist', 'console-t.*', '--from-beginning', '--max-messages', '3', '--property', 'print.value=false', '--property', 'print.key=true',
  ]);
  expect(lines(listed.stdout).sort()).toEqual(['k1', 'k1', 'k2']);
});

test('consoleConsumerReadsOnePartitionFromAnOffsetAndKeepsAGroupsPlace', async () => {
  const topic = 'console-offsets';
  await createTopic(cluster.zkConnect, topic, 1, 1);
  const values = Array.from({ length: 10 }, (_, i) => `v${i}`);
  const produced = await tool('kafka-console-producer', ['--bootstrap-server', cluster.bootstrap, '--topic', topic, '--sync'], `${values.join('\n')}\n`);
  expect(produced.code).toBe(0);

  const fromOffset = await tool('kafka-console-consumer', [
    '--bootstrap-server', cluster.bootstrap, '--topic', topic, '--partition', '0', '--offset', '7', '--timeout-ms', '2500',
    '--property', 'print.offset=true',
  ]);
  expect(lines(fromOffset.stdout)).toEqual(['Offset:7\tv7', 'Offset:8\tv8', 'Offset:9\tv9']);
  expect(lines(fromOffset.stderr).at(-1)).toBe('Processed a total of 3 messages');
  expect(fromOffset.code).toBe(0);

  const group = ['--bootstrap-server', cluster.bootstrap, '--topic', topic, '--group', 'console-group', '--from-beginning'];
  const first = await tool('kafka-console-consumer', [...group, '--max-messages', '4']);
  expect(lines(first.stdout)).toEqual(['v0', 'v1', 'v2', 'v3']);
  const second = await tool('kafka-console-consumer', [...group, '--max-messages', '2']);
  expect(lines(second.stdout)).toEqual(['v4', 'v5']);

  const offsets = await tool('kafka-console-consumer', [
    '--bootstrap-server', cluster.bootstrap, '--topic', '__consumer_offsets', '--from-beginning', '--timeout-ms', '2500',
    '--formatter', 'kafka.coordinator.group.GroupMetadataManager$OffsetsMessageFormatter',
  ]);
  const commits = lines(offsets.stdout).filter((l) => l.startsWith('[console-group,'));
  expect(commits.at(-1)).toMatch(
    /^\[console-group,console-offsets-0\]::OffsetAndMetadata\(offset=6, leaderEpoch=Optional\.empty, metadata=, commitTimestamp=\d{13}, expireTimestamp=None\)$/,
  );
});

test('consoleToolsRefuseBadInputWithOneLineAndStatus1', async () => {
  const noSeparator = await tool(
    'kafka-console-producer',
    ['--bootstrap-server', cluster.bootstrap, '--topic', TOPIC, '--property', 'parse.key=true'],
    'no-tab-here\n',
  );
  expect({ code: noSeparator.code, err: lines(noSeparator.stderr) }).toEqual({
    code: 1,
    err: ["org.apache.kafka.common.KafkaException: No key separator found on line number 1: 'no-tab-here'"],
  });
  const offsetWithoutPartition = await tool('kafka-console-consumer', ['--bootstrap-server', cluster.bootstrap, '--topic', TOPIC, '--offset', '3']);
  expect({ code: offsetWithoutPartition.code, err: lines(offsetWithoutPartition.stderr) }).toEqual({
    code: 1,
    err: ['The partition is required when offset is specified.'],
  });
  const unknownOption = await tool('kafka-console-producer', ['--bootstrap-server', cluster.bootstrap, '--topic', TOPIC, '--nope']);
  expect({ code: unknownOption.code, err: lines(unknownOption.stderr) }).toEqual({ code: 1, err: ['nope is not a recognized option'] });
});

test('consoleProducerWithAcksZeroSendsWithoutAnswersAndEveryRecordArrives', async () => {
  const topic = 'console-acks0';
  await createTopic(cluster.zkConnect, topic, 1, 2);
  const values = Array.from({ length: 50 }, (_, i) => `a${i}`);
  const produced = await tool('kafka-console-producer', ['--bootstrap-server', cluster.bootstrap, '--topic', topic, '--request-required-acks', '0'], `${values.join('\n')}\n`);
  expect({ code: produced.code, err: produced.stderr }).toEqual({ code: 0, err: '' });
  const asProperty = await tool('kafka-console-producer', ['--bootstrap-server', cluster.bootstrap, '--topic', topic, '--producer-property', 'acks=0', '--sync'], 'b0\nb1\n');
  expect({ code: asProperty.code, err: asProperty.stderr }).toEqual({ code: 0, err: '' });
  const consumed = await tool('kafka-console-consumer', ['--bootstrap-server', cluster.bootstrap, '--topic', topic, '--from-beginning', '--max-messages', '52', '--timeout-ms', '10000']);
  expect(lines(consumed.stdout)).toEqual([...values, 'b0', 'b1']);
});

test('withAcksZeroARefusedRecordGoesUnnoticedAsWithKafkasProducer', async () => {
  // The broker answers no acks=0 Produce: a record it refuses (over the topic's max.message.bytes)
  // fails loudly with acks=1 and silently with acks=0, which shows acks=0 is what went on the wire.
  const topic = 'console-acks0-refused';
  await createTopic(cluster.zkConnect, topic, 1, 1, ['max.message.bytes=200']);
  const big = `${'x'.repeat(1000)}\n`;
  const acksOne = await tool('kafka-console-producer', ['--bootstrap-server', cluster.bootstrap, '--topic', topic, '--request-required-acks', '1'], big);
  expect(acksOne.code).toBe(1);
  expect(acksOne.stderr).toMatch(/RecordTooLargeException|MessageTooLarge/);
  const acksZero = await tool('kafka-console-producer', ['--bootstrap-server', cluster.bootstrap, '--topic', topic, '--producer-property', 'acks=0'], big);
  expect({ code: acksZero.code, err: acksZero.stderr }).toEqual({ code: 0, err: '' });
  const small = await tool('kafka-console-producer', ['--bootstrap-server', cluster.bootstrap, '--topic', topic, '--request-required-acks', '0'], 'small\n');
  expect(small.code).toBe(0);
  const consumed = await tool('kafka-console-consumer', ['--bootstrap-server', cluster.bootstrap, '--topic', topic, '--from-beginning', '--max-messages', '1', '--timeout-ms', '10000']);
  expect(lines(consumed.stdout)).toEqual(['small']);
});
