import type { KafkaZkClient } from '@samsa/zk';
import { runTopicCommand, type TopicCommandDeps } from './TopicCommand';
import { parseTopicConfigsToBeAdded, topicFilter } from './TopicCommandOptions';

/** Runs kafka-topics with connections that must not be made (usage errors stop before them). */
async function run(args: string[], deps: TopicCommandDeps = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const noConnect = {
    connectZk: () => Promise.reject(new Error('must not connect')),
    createClient: () => {
      throw new Error('must not connect');
    },
  };
  const code = await runTopicCommand(
    args,
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    { ...noConnect, ...deps },
  );
  return { code, out, err };
}

const zk = ['--zookeeper', '127.0.0.1:2181'];

describe('argument errors: one line on stderr, exit 1, no connection', () => {
  test.each([
    [[], 'Create, delete, describe, or change a topic. Missing arguments; see --help.'],
    [[...zk], 'Command must include exactly one action: --list, --describe, --create, --alter or --delete'],
    [
      [...zk, '--list', '--describe'],
      'Command must include exactly one action: --list, --describe, --create, --alter or --delete',
    ],
    [['--list'], 'Only one of --bootstrap-server or --zookeeper must be specified'],
    [
      [...zk, '--bootstrap-server', 'b:9092', '--list'],
      'Only one of --bootstrap-server or --zookeeper must be specified',
    ],
    [
      [...zk, '--create', '--partitions', '1', '--replication-factor', '1'],
      'Missing required argument "[topic]"',
    ],
    [
      [...zk, '--create', '--topic', 'T', '--replication-factor', '1'],
      'Missing required argument "[partitions]"',
    ],
    [
      [...zk, '--create', '--topic', 'T', '--partitions', '1'],
      'Missing required argument "[replication-factor]"',
    ],
    [[...zk, '--delete'], 'Missing required argument "[topic]"'],
    [[...zk, '--alter', '--topic', 'T'], 'Missing required argument "[partitions]"'],
    [
      [...zk, '--create', '--topic', 'T', '--partitions', '1', '--replica-assignment', '0:1'],
      'Option "[replica-assignment]" can\'t be used with option "[partitions]"',
    ],
    [[...zk, '--list', '--partitions', '3'], 'Option "[partitions]" can\'t be used with option "[list]"'],
    [[...zk, '--describe', '--config', 'a=b'], 'Option "[config]" can\'t be used with option "[describe]"'],
    [
      [...zk, '--describe', '--if-not-exists'],
      'Option "[if-not-exists]" can\'t be used with option "[describe]"',
    ],
    [
      [...zk, '--describe', '--under-replicated-partitions', '--unavailable-partitions'],
      'Option "[under-replicated-partitions]" can\'t be used with option "[unavailable-partitions]"',
    ],
    [
      ['--bootstrap-server', 'b:9092', '--alter', '--topic', 'T', '--config', 'a=b', '--partitions', '2'],
      'Option "[config]" can\'t be used with option "[bootstrap-server]"',
    ],
    [[...zk, '--list', '--frobnicate'], 'frobnicate is not a recognized option'],
    [[...zk, '--list', 'stray'], 'Unexpected argument: stray'],
    [
      [...zk, '--create', '--topic', 'T', '--partitions', 'x', '--replication-factor', '1'],
      "Cannot parse argument 'x' of option partitions",
    ],
    [[...zk, '--create', '--topic'], 'Option topic requires an argument'],
    [
      [...zk, '--list', '--topic', 'a', '--topic', 'b'],
      'Found multiple arguments for option topic, but you asked for only one',
    ],
  ])('%j', async (args, message) => {
    const { code, out, err } = await run(args as string[]);
    expect({ code, out, err }).toEqual({ code: 1, out: [], err: [message] });
  });

  test('helpGoesToStdoutAndNamesTheOutputStyle', async () => {
    const { code, out, err } = await run(['--help']);
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out.join('\n')).toContain('Output follows Kafka 2.1 exactly');
    expect(out.join('\n')).toContain('--replica-assignment');
  });
});

describe('failures after connecting', () => {
  test('anUnreachableZooKeeperIsOneErrorLine', async () => {
    const { code, err } = await run([...zk, '--list'], {
      connectZk: () =>
        Promise.reject(new Error('Timed out after 100 ms waiting for a ZooKeeper session with x')),
    });
    expect(code).toBe(1);
    expect(err).toEqual([
      'Error while executing topic command : Timed out after 100 ms waiting for a ZooKeeper session with x',
    ]);
  });

  test('aHungCommandIsCutAtTheDeadlineAndTheClientClosed', async () => {
    let closed = false;
    const stuck = {
      getAllTopicsInCluster: () => new Promise(() => {}),
      getTopicDeletions: () => new Promise(() => {}),
      close: async () => {
        closed = true;
      },
    } as unknown as KafkaZkClient;
    const { code, err } = await run([...zk, '--list'], { connectZk: async () => stuck, timeoutMs: 50 });
    expect(code).toBe(1);
    expect(err).toEqual([
      'Error while executing topic command : Timed out after 50 ms waiting for ZooKeeper at 127.0.0.1:2181',
    ]);
    expect(closed).toBe(true);
  });
});

describe('option values', () => {
  test('configsSplitAtEqualsAndAreValidated', () => {
    expect([...parseTopicConfigsToBeAdded(['segment.bytes = 16384', 'cleanup.policy=compact'])]).toEqual([
      ['segment.bytes', '16384'],
      ['cleanup.policy', 'compact'],
    ]);
    const format =
      'requirement failed: Invalid topic config: all configs to be added must be in the format "key=val".';
    expect(() => parseTopicConfigsToBeAdded(['retention.ms='])).toThrow(format);
    expect(() => parseTopicConfigsToBeAdded(['a=b=c'])).toThrow(format);
    expect(() => parseTopicConfigsToBeAdded(['no.such.config=1'])).toThrow(
      'Unknown topic config name: no.such.config',
    );
    expect(() => parseTopicConfigsToBeAdded(['segment.bytes=lots'])).toThrow(/segment.bytes/);
  });

  test('topicIsAWholeMatchRegexWithCommasAsAlternatives', () => {
    const f = topicFilter('"T.*, segdemo"', false);
    expect(['T', 'T2', 'segdemo', 'xT', 'segdemo2'].filter(f)).toEqual(['T', 'T2', 'segdemo']);
    expect(topicFilter(undefined, true)('__consumer_offsets')).toBe(false);
    expect(topicFilter('__consumer_offsets', false)('__consumer_offsets')).toBe(true);
    expect(() => topicFilter('(', false)).toThrow('( is an invalid regex.');
  });
});
