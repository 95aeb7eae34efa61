import * as fs from 'fs';
import * as path from 'path';
import { AdminZkClient, assignReplicasToBrokers } from '@samsa/admin-zk';
import { freePort, liveTrackedProcesses, setData, startZooKeeper, type ZooKeeperHandle } from '../../harness';
import { Chroot, Cleanups, topics } from './support';

/**
 * kafka-topics --zookeeper against a real ZooKeeper: what it writes (compared with the JSON a Kafka
 * 2.1 cluster holds, reference/kafka-2.1-samples), what it prints (compared with the captured
 * kafka-topics.sh output), and every refusal: one stderr line, exit 1, nothing written.
 */
jest.setTimeout(60_000);

const CAPTURE = fs
  .readFileSync(
    path.join(__dirname, '..', '..', '..', 'packages', 'admin', 'src', 'fixtures', 'topics-cli.txt'),
    'utf8',
  )
  .split('\n');

/** The output lines the capture shows after `$ bin/kafka-topics.sh … <command>` (the n-th such command). */
function captured(command: string, nth = 0): string[] {
  const starts = CAPTURE.flatMap((l, i) =>
    l.startsWith('$ bin/kafka-topics.sh') && l.includes(command) ? [i] : [],
  );
  const start = starts[nth];
  const end = CAPTURE.findIndex((l, i) => i > start && (l.startsWith('$') || l.startsWith('##')));
  return CAPTURE.slice(start + 1, end);
}

let zk: ZooKeeperHandle;
const cleanups = new Cleanups();

beforeAll(async () => {
  zk = await startZooKeeper({ label: 'zookeeper admin/kafka-topics.test' });
});
afterEach(() => cleanups.run());
afterAll(async () => {
  await zk?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

async function cluster(...brokers: Array<{ id: number; rack?: string }>): Promise<Chroot> {
  const c = await Chroot.create(zk, cleanups);
  if (brokers.length > 0) await c.registerBrokers(...brokers);
  return c;
}

const three = [{ id: 0 }, { id: 1 }, { id: 2 }];

describe('create', () => {
  test('writesTheConfigAndAVersion2AssignmentWithKafkasAlgorithm', async () => {
    const c = await cluster(...three);
    const zkArgs = ['--zookeeper', c.connectString];
    expect(
      await topics([...zkArgs, '--create', '--topic', 'T', '--partitions', '3', '--replication-factor', '3']),
    ).toEqual({
      code: 0,
      out: ['Created topic "T".'],
      err: [],
    });
    expect(await c.read('/config/topics/T')).toBe('{"version":1,"config":{}}');
    const written = await c.read('/brokers/topics/T');
    expect(written).toMatch(
      /^\{"version":2,"partitions":\{"0":\[\d,\d,\d\],"1":\[\d,\d,\d\],"2":\[\d,\d,\d\]\},"adding_replicas":\{\},"removing_replicas":\{\}\}$/,
    );
    // one of Kafka's n×n (start index, shift) outcomes over brokers 0,1,2
    const outcomes = [0, 1, 2].flatMap((start) =>
      [0, 1, 2].map((shift) => {
        const draws = [start, shift];
        const a = assignReplicasToBrokers(three, 3, 3, -1, -1, () => draws.shift()!);
        return JSON.stringify(Object.fromEntries(a));
      }),
    );
    expect(outcomes).toContain(JSON.stringify(JSON.parse(written!).partitions));
  });

  test('configsAreWrittenAsKafkaWritesThem', async () => {
    const c = await cluster(...three);
    const result = await topics([
      '--zookeeper',
      c.connectString,
      '--create',
      '--topic',
      'segdemo',
      '--partitions',
      '1',
      '--replication-factor',
      '3',
      '--config',
      'segment.bytes=16384',
      '--config',
      'index.interval.bytes=1024',
    ]);
    expect(result).toEqual({ code: 0, out: ['Created topic "segdemo".'], err: [] }); // segdemo.txt
    // the capture's /config/topics/segdemo, byte for byte
    expect(await c.read('/config/topics/segdemo')).toBe(
      '{"version":1,"config":{"segment.bytes":"16384","index.interval.bytes":"1024"}}',
    );
  });

  test('rackAwareWhenEveryBrokerHasARack', async () => {
    const racks: Record<number, string> = { 0: 'a', 1: 'a', 2: 'b', 3: 'b', 4: 'c', 5: 'c' };
    const c = await cluster(...Object.entries(racks).map(([id, rack]) => ({ id: Number(id), rack })));
    const zkArgs = ['--zookeeper', c.connectString];
    expect(
      (
        await topics([
          ...zkArgs,
          '--create',
          '--topic',
          'R',
          '--partitions',
          '6',
          '--replication-factor',
          '3',
        ])
      ).code,
    ).toBe(0);
    const partitions: Record<string, number[]> = JSON.parse((await c.read('/brokers/topics/R'))!).partitions;
    for (const replicas of Object.values(partitions))
      expect(new Set(replicas.map((r) => racks[r])).size).toBe(3);
  });
});

describe('the Kafka 2.1 session of the capture', () => {
  test('describeListAlterAndDeletePrintWhatKafkaPrinted', async () => {
    const c = await cluster(...three);
    const zkArgs = ['--zookeeper', c.connectString];
    // the capture's assignment, given explicitly (the automatic one starts at random)
    expect(
      (await topics([...zkArgs, '--create', '--topic', 'T', '--replica-assignment', '0:1:2,1:2:0,2:0:1']))
        .out,
    ).toEqual(captured('--create --topic T ', 0));
    // the controller's partition states
    await c.writeState('T', 0, 0, [0, 1, 2]);
    await c.writeState('T', 1, 1, [1, 2, 0]);
    await c.writeState('T', 2, 2, [2, 0, 1]);
    expect(await topics([...zkArgs, '--describe', '--topic', 'T'])).toEqual({
      code: 0,
      out: captured('--describe --topic T', 0),
      err: [],
    });

    await topics([
      ...zkArgs,
      '--create',
      '--topic',
      'segdemo',
      '--replica-assignment',
      '0:1:2',
      '--config',
      'segment.bytes=16384',
      '--config',
      'index.interval.bytes=1024',
    ]);
    expect(await topics([...zkArgs, '--alter', '--topic', 'segdemo', '--partitions', '2'])).toEqual({
      code: 0,
      out: captured('--alter --topic segdemo --partitions 2'),
      err: [],
    });
    expect(JSON.parse((await c.read('/brokers/topics/segdemo'))!).partitions).toEqual({
      0: [0, 1, 2],
      1: [1, 2, 0],
    });
    // kafka-configs --alter --add-config retention.ms=3600000, as AdminZkClient.changeTopicConfig
    const admin = new AdminZkClient(await c.registerBrokers());
    const configs = await admin.fetchEntityConfig('topics', 'segdemo');
    await admin.changeTopicConfig('segdemo', configs.set('retention.ms', '3600000'));
    expect(await c.read('/config/changes/config_change_0000000000')).toBe(
      '{"version":2,"entity_path":"topics/segdemo"}',
    );
    await c.writeState('segdemo', 0, 0, [0, 1, 2]);
    await c.writeState('segdemo', 1, 1, [1, 2, 0]);
    expect((await topics([...zkArgs, '--describe', '--topic', 'segdemo'])).out).toEqual(
      captured('--describe --topic segdemo'),
    );

    // broker 2 stops: the controller shrinks the ISRs and moves partition 2's leadership
    await setData(
      c.root,
      `${c.chroot}/brokers/topics/T/partitions/0/state`,
      '{"controller_epoch":1,"leader":0,"version":1,"leader_epoch":0,"isr":[0,1]}',
    );
    await setData(
      c.root,
      `${c.chroot}/brokers/topics/T/partitions/1/state`,
      '{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,0]}',
    );
    await setData(
      c.root,
      `${c.chroot}/brokers/topics/T/partitions/2/state`,
      '{"controller_epoch":1,"leader":0,"version":1,"leader_epoch":1,"isr":[0,1]}',
    );
    expect((await topics([...zkArgs, '--describe', '--topic', 'T'])).out).toEqual(
      captured('--describe --topic T', 1),
    );
    expect((await topics([...zkArgs, '--describe', '--under-replicated-partitions'])).out).toEqual(
      captured('--describe --topic T', 1).slice(1),
    );

    const offsets = await topics([
      ...zkArgs,
      '--create',
      '--topic',
      '__consumer_offsets',
      '--partitions',
      '3',
      '--replication-factor',
      '1',
    ]);
    expect(offsets.out[0]).toMatch(/^WARNING: Due to limitations in metric names/);
    expect(await topics([...zkArgs, '--delete', '--topic', 'T'])).toEqual({
      code: 0,
      out: captured('--delete --topic T', 0),
      err: [],
    });
    expect(await c.read('/admin/delete_topics/T')).toBe('');
    expect((await topics([...zkArgs, '--list'])).out).toEqual(captured('--list', 1));
    expect((await topics([...zkArgs, '--delete', '--topic', 'T'])).out).toEqual([
      'Topic T is already marked for deletion.',
    ]);
    expect((await topics([...zkArgs, '--describe', '--topic', 'T'])).out[0]).toBe(
      'Topic:T\tPartitionCount:3\tReplicationFactor:3\tConfigs:\tMarkedForDeletion:true',
    );
  });

  test('aPartitionWithoutStateHasNoLeader', async () => {
    const c = await cluster(...three);
    const zkArgs = ['--zookeeper', c.connectString];
    await topics([...zkArgs, '--create', '--topic', 'N', '--replica-assignment', '1:0']);
    expect((await topics([...zkArgs, '--describe', '--unavailable-partitions'])).out).toEqual([
      '\tTopic: N\tPartition: 0\tLeader: none\tReplicas: 1,0\tIsr: ',
    ]);
  });
});

describe('bad input: one line on stderr, exit 1, nothing written', () => {
  const error = (message: string) => ({
    code: 1,
    out: [],
    err: [`Error while executing topic command : ${message}`],
  });

  test('refusedCreatesLeaveNoZnodes', async () => {
    const c = await cluster(...three);
    const zkArgs = ['--zookeeper', c.connectString];
    const create = (topic: string, ...more: string[]) =>
      topics([
        ...zkArgs,
        '--create',
        '--topic',
        topic,
        ...(more.length > 0 ? more : ['--partitions', '1', '--replication-factor', '1']),
      ]);
    expect(await create('X', '--partitions', '1', '--replication-factor', '4')).toEqual(
      error('Replication factor: 4 larger than available brokers: 3.'),
    );
    expect(await create('X', '--partitions', '0', '--replication-factor', '1')).toEqual(
      error('Number of partitions must be larger than 0.'),
    );
    expect(await create('bad name!')).toEqual(
      error(
        `Topic name "bad name!" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`,
      ),
    );
    expect(
      await create('X', '--partitions', '1', '--replication-factor', '1', '--config', 'no.such=1'),
    ).toEqual(error('Unknown topic config name: no.such'));
    expect(await create('X', '--replica-assignment', '0:0')).toEqual(
      error('Partition replica lists may not contain duplicate entries: 0'),
    );
    for (const t of ['X', 'bad name!']) {
      expect(await c.read(`/brokers/topics/${t}`)).toBeNull();
      expect(await c.read(`/config/topics/${t}`)).toBeNull();
    }
  });

  test('anExistingTopicKeepsItsConfigUnlessIfNotExists', async () => {
    const c = await cluster(...three);
    const zkArgs = ['--zookeeper', c.connectString];
    const create = (...more: string[]) =>
      topics([
        ...zkArgs,
        '--create',
        '--topic',
        'T',
        '--partitions',
        '1',
        '--replication-factor',
        '1',
        ...more,
      ]);
    expect((await create('--config', 'retention.ms=1000')).code).toBe(0);
    expect(await create('--config', 'retention.ms=5')).toEqual(error("Topic 'T' already exists."));
    expect(await c.read('/config/topics/T')).toBe('{"version":1,"config":{"retention.ms":"1000"}}');
    expect(await create('--if-not-exists')).toEqual({ code: 0, out: [], err: [] });
    const collide = await topics([
      ...zkArgs,
      '--create',
      '--topic',
      'a.b',
      '--partitions',
      '1',
      '--replication-factor',
      '1',
    ]);
    expect(collide.code).toBe(0);
    const collision = await topics([
      ...zkArgs,
      '--create',
      '--topic',
      'a_b',
      '--partitions',
      '1',
      '--replication-factor',
      '1',
    ]);
    expect(collision.code).toBe(1);
    expect(collision.err).toEqual([
      "Error while executing topic command : Topic 'a_b' collides with existing topics: a.b",
    ]);
    expect(await c.read('/brokers/topics/a_b')).toBeNull();
  });

  test('alterDeleteAndDescribeOfWhatIsNotThere', async () => {
    const c = await cluster(...three);
    const zkArgs = ['--zookeeper', c.connectString];
    await topics([...zkArgs, '--create', '--topic', 'T', '--partitions', '3', '--replication-factor', '1']);
    const before = await c.read('/brokers/topics/T');
    expect(await topics([...zkArgs, '--alter', '--topic', 'T', '--partitions', '2'])).toEqual({
      code: 1,
      out: [
        'WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the messages will be affected',
      ],
      err: [
        'Error while executing topic command : The number of partitions for a topic can only be increased. Topic T currently has 3 partitions, 2 would not be an increase.',
      ],
    });
    expect(
      (
        await topics([
          ...zkArgs,
          '--alter',
          '--topic',
          'T',
          '--partitions',
          '5',
          '--replica-assignment',
          '0,1,2,9',
        ])
      ).err,
    ).toEqual([
      'Error while executing topic command : Increasing the number of partitions by 2 but 1 assignments provided.',
    ]);
    expect(
      (
        await topics([
          ...zkArgs,
          '--alter',
          '--topic',
          'T',
          '--partitions',
          '4',
          '--replica-assignment',
          '0,1,2,9',
        ])
      ).err,
    ).toEqual([
      'Error while executing topic command : Some brokers specified for partition id 3 are not available. Specified brokers: 9, available brokers: 0, 1, 2.',
    ]);
    expect(await c.read('/brokers/topics/T')).toBe(before);
    const missing = `Topic nope does not exist on ZK path ${c.connectString}`;
    expect(await topics([...zkArgs, '--alter', '--topic', 'nope', '--partitions', '2'])).toEqual(
      error(missing),
    );
    expect(await topics([...zkArgs, '--delete', '--topic', 'nope'])).toEqual(error(missing));
    expect(await topics([...zkArgs, '--describe', '--topic', 'nope'])).toEqual(error(missing));
    expect(await topics([...zkArgs, '--delete', '--topic', 'nope', '--if-exists'])).toEqual({
      code: 0,
      out: [],
      err: [],
    });
    await topics([
      ...zkArgs,
      '--create',
      '--topic',
      '__consumer_offsets',
      '--partitions',
      '1',
      '--replication-factor',
      '1',
    ]);
    expect(await topics([...zkArgs, '--delete', '--topic', '__consumer_offsets'])).toEqual(
      error(
        'Topic __consumer_offsets is a kafka internal topic and is not allowed to be marked for deletion.',
      ),
    );
    expect(await c.read('/admin/delete_topics/__consumer_offsets')).toBeNull();
  });

  test('brokersMissingOrWithPartialRackInformation', async () => {
    const empty = await cluster();
    await empty.registerBrokers();
    const none = await topics([
      '--zookeeper',
      empty.connectString,
      '--create',
      '--topic',
      'T',
      '--partitions',
      '1',
      '--replication-factor',
      '1',
    ]);
    expect(none).toEqual(error('Replication factor: 1 larger than available brokers: 0.'));
    const mixed = await cluster({ id: 0, rack: 'a' }, { id: 1 });
    const args = [
      '--zookeeper',
      mixed.connectString,
      '--create',
      '--topic',
      'T',
      '--partitions',
      '2',
      '--replication-factor',
      '2',
    ];
    expect(await topics(args)).toEqual(
      error(
        'Not all brokers have rack information. Add --disable-rack-aware in command line to make replica assignment without rack information.',
      ),
    );
    expect(await mixed.read('/brokers/topics/T')).toBeNull();
    expect((await topics([...args, '--disable-rack-aware'])).code).toBe(0);
  });

  test('anUnreachableZooKeeperFailsAtTheDeadline', async () => {
    const port = await freePort();
    const started = Date.now();
    const result = await topics(['--zookeeper', `127.0.0.1:${port}`, '--list'], 1500);
    expect(result).toEqual(
      error(
        `Timed out after 1500 ms waiting for a ZooKeeper session with 127.0.0.1:${port} (state CONNECTING)`,
      ),
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
