import * as path from 'path';
import { getChildren, getData, type ZkClient } from '../../harness';
import type { ClusterHandle } from '../../harness/broker';
import { REPO_ROOT, run, type RunResult } from '../../interop/support';
import { startSingleBroker, stopSingleBroker } from '../hardening/support';

/**
 * kafka-configs (bin/kafka-configs.sh, a process) against one real broker, for topics, brokers and
 * clients, through --zookeeper and --bootstrap-server: what it writes in ZooKeeper, and its lines
 * as Kafka 2.8's ConfigCommand prints them ("Configs for topic 'T' are k=v", "Dynamic configs for
 * broker 0 are:", "  k=v sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:k=v, …}", "Completed
 * updating config for broker 0.", …); refusals as one stderr message and exit 1.
 */
jest.setTimeout(120_000);

const TOPIC = 'configs-cli';
const ZK_WARNING = [
  'Warning: --zookeeper is deprecated and will be removed in a future version of Kafka.',
  'Use --bootstrap-server instead to specify a broker to connect to.',
];

let cluster: ClusterHandle;
let zk: ZkClient;
let bootstrap: string;

beforeAll(async () => {
  ({ cluster, zk } = await startSingleBroker(TOPIC));
  bootstrap = cluster.broker(0).bootstrap;
});

afterAll(() => stopSingleBroker({ cluster, zk }));

async function configs(args: readonly string[]): Promise<{ code: number | null; out: string[]; err: string[] }> {
  const r: RunResult = await run(path.join(REPO_ROOT, 'bin', 'kafka-configs.sh'), args, {
    timeoutMs: 60_000,
    env: { SAMSA_ADMIN_TIMEOUT_MS: '20000' },
  });
  const lines = (s: string) => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));
  return { code: r.code, out: lines(r.stdout), err: lines(r.stderr) };
}

async function znode(p: string): Promise<unknown> {
  const { data } = await getData(zk, p);
  return JSON.parse(data?.toString('utf8') ?? 'null');
}

async function lastNotification(): Promise<unknown> {
  const children = (await getChildren(zk, '/config/changes')).sort();
  return znode(`/config/changes/${children[children.length - 1]}`);
}

test('zookeeperTopicsBrokersAndClientsAsKafkaWritesAndPrintsThem', async () => {
  const zkArgs = ['--zookeeper', cluster.zkConnect];
  expect(
    await configs([...zkArgs, '--alter', '--entity-type', 'topics', '--entity-name', TOPIC, '--add-config', 'retention.ms=3600000']),
  ).toEqual({ code: 0, out: [...ZK_WARNING, `Completed updating config for entity: topic '${TOPIC}'.`], err: [] });
  expect(await znode(`/config/topics/${TOPIC}`)).toEqual({ version: 1, config: { 'retention.ms': '3600000' } });
  expect(await lastNotification()).toEqual({ version: 2, entity_path: `topics/${TOPIC}` });
  expect(await configs([...zkArgs, '--describe', '--entity-type', 'topics', '--entity-name', TOPIC])).toEqual({
    code: 0,
    out: [...ZK_WARNING, `Configs for topic '${TOPIC}' are retention.ms=3600000`],
    err: [],
  });
  expect(
    await configs([...zkArgs, '--alter', '--entity-type', 'topics', '--entity-name', TOPIC, '--delete-config', 'segment.ms']),
  ).toEqual({ code: 1, out: ZK_WARNING, err: ['Invalid config(s): segment.ms'] });

  // a running broker is changed through --bootstrap-server only (Kafka 2.8's validateBrokersNotRunning)
  const refused = await configs([...zkArgs, '--alter', '--entity-type', 'brokers', '--entity-name', '0', '--add-config', 'num.io.threads=4']);
  expect(refused).toEqual({
    code: 1,
    out: ZK_WARNING,
    err: [
      '--bootstrap-server option must be specified to update brokers configs: {add: {num.io.threads=4}, delete: List()} - broker 0 is running. ' +
        'Broker configuration operations using ZooKeeper are only supported if the affected broker(s) are not running.',
    ],
  });
  const atDefault = await configs([...zkArgs, '--alter', '--entity-type', 'brokers', '--entity-default', '--add-config', 'num.io.threads=4']);
  expect(atDefault.err[0]).toMatch(/ - 1 brokers are running\. Broker configuration operations using ZooKeeper/);
  expect(await configs([...zkArgs, '--alter', '--entity-type', 'brokers', '--entity-name', '7', '--add-config', 'log.cleaner.threads=2'])).toEqual({
    code: 0,
    out: [...ZK_WARNING, "Completed updating config for entity: brokers '7'."],
    err: [],
  });
  expect(await znode('/config/brokers/7')).toEqual({ version: 1, config: { 'log.cleaner.threads': '2' } });
  expect((await configs([...zkArgs, '--describe', '--entity-type', 'brokers', '--entity-name', '7'])).out).toEqual([
    ...ZK_WARNING,
    "Configs for brokers '7' are log.cleaner.threads=2",
  ]);

  // client quotas, default and named (sanitized as Kafka's Sanitizer writes them)
  expect(
    await configs([...zkArgs, '--alter', '--entity-type', 'clients', '--entity-default', '--add-config', 'producer_byte_rate=1024,consumer_byte_rate=2048']),
  ).toEqual({ code: 0, out: [...ZK_WARNING, 'Completed updating config for entity: default client-id.'], err: [] });
  expect(await znode('/config/clients/<default>')).toEqual({
    version: 1,
    config: { producer_byte_rate: '1024', consumer_byte_rate: '2048' },
  });
  expect(await lastNotification()).toEqual({ version: 2, entity_path: 'clients/<default>' });
  expect(
    await configs([...zkArgs, '--alter', '--entity-type', 'clients', '--entity-name', 'app 1', '--add-config', 'request_percentage=50']),
  ).toEqual({ code: 0, out: [...ZK_WARNING, "Completed updating config for entity: client-id 'app 1'."], err: [] });
  expect(await znode('/config/clients/app%201')).toEqual({ version: 1, config: { request_percentage: '50' } });
  const clients = await configs([...zkArgs, '--describe', '--entity-type', 'clients']);
  expect(clients.out.slice(2).sort()).toEqual(
    [
      "Configs for client-id 'app 1' are request_percentage=50",
      expect.stringMatching(/^Configs for default client-id are (producer_byte_rate=1024,consumer_byte_rate=2048|consumer_byte_rate=2048,producer_byte_rate=1024)$/),
    ].sort(),
  );
  expect(
    await configs([...zkArgs, '--alter', '--entity-type', 'clients', '--entity-name', 'c', '--add-config', 'producer_bytes=1']),
  ).toEqual({ code: 1, out: ZK_WARNING, err: ["Unknown Dynamic Configuration 'producer_bytes'."] });
});

test('bootstrapServerBrokersAndTopicsWithKafkasLines', async () => {
  const b = ['--bootstrap-server', bootstrap];
  expect(
    await configs([...b, '--alter', '--entity-type', 'brokers', '--entity-default', '--add-config', 'log.retention.bytes=1000000,num.io.threads=12']),
  ).toEqual({ code: 0, out: ['Completed updating default config for brokers in the cluster.'], err: [] });
  expect(await configs([...b, '--alter', '--entity-type', 'brokers', '--entity-name', '0', '--add-config', 'message.max.bytes=2000000'])).toEqual({
    code: 0,
    out: ['Completed updating config for broker 0.'],
    err: [],
  });
  expect(await znode('/config/brokers/0')).toEqual({ version: 1, config: { 'message.max.bytes': '2000000' } });

  const perBroker = await configs([...b, '--describe', '--entity-type', 'brokers', '--entity-name', '0']);
  expect(perBroker.code).toBe(0);
  expect(perBroker.out[0]).toBe('Dynamic configs for broker 0 are:');
  expect(perBroker.out.slice(1)).toEqual([
    expect.stringMatching(
      /^ {2}message\.max\.bytes=2000000 sensitive=false synonyms=\{DYNAMIC_BROKER_CONFIG:message\.max\.bytes=2000000, (STATIC_BROKER_CONFIG:message\.max\.bytes=\d+, )?DEFAULT_CONFIG:message\.max\.bytes=1048588\}$/,
    ),
  ]);
  expect((await configs([...b, '--describe', '--entity-type', 'brokers', '--entity-default'])).out).toEqual([
    'Default configs for brokers in the cluster are:',
    '  log.retention.bytes=1000000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.bytes=1000000}',
    '  num.io.threads=12 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:num.io.threads=12}',
  ]);
  const everyBroker = await configs([...b, '--describe', '--entity-type', 'brokers']);
  expect(everyBroker.out.filter((l) => !l.startsWith('  '))).toEqual([
    'Dynamic configs for broker 0 are:',
    'Default configs for brokers in the cluster are:',
  ]);
  const all = await configs([...b, '--describe', '--all', '--entity-type', 'brokers', '--entity-name', '0']);
  expect(all.out[0]).toBe('All configs for broker 0 are:');
  expect(all.out).toContain('  broker.id=0 sensitive=false synonyms={STATIC_BROKER_CONFIG:broker.id=0, DEFAULT_CONFIG:broker.id=-1}');
  expect(all.out).toContain(
    '  num.io.threads=12 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:num.io.threads=12, DEFAULT_CONFIG:num.io.threads=8}',
  );
  const names = all.out.slice(1).map((l) => l.trim().split('=')[0]);
  expect(names).toEqual([...names].sort());
  for (const l of all.out.slice(1)) expect(l).toMatch(/^ {2}[^=\s]+=.* sensitive=(true|false) synonyms=\{.*\}$/);

  // topics: IncrementalAlterConfigs SET and DELETE, the dynamic topic configs with their synonyms
  expect(
    await configs([...b, '--alter', '--entity-type', 'topics', '--entity-name', TOPIC, '--add-config', 'segment.ms=7200000,max.message.bytes=50000']),
  ).toEqual({ code: 0, out: [`Completed updating config for topic ${TOPIC}.`], err: [] });
  expect(
    await configs([...b, '--alter', '--entity-type', 'topics', '--entity-name', TOPIC, '--delete-config', 'retention.ms']),
  ).toEqual({ code: 0, out: [`Completed updating config for topic ${TOPIC}.`], err: [] });
  expect((await znode(`/config/topics/${TOPIC}`)) as object).toEqual({
    version: 1,
    config: { 'segment.ms': '7200000', 'max.message.bytes': '50000' },
  });
  const topic = await configs([...b, '--describe', '--entity-type', 'topics', '--entity-name', TOPIC]);
  expect(topic.out).toEqual([
    `Dynamic configs for topic ${TOPIC} are:`,
    expect.stringMatching(
      /^ {2}max\.message\.bytes=50000 sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:max\.message\.bytes=50000, DYNAMIC_BROKER_CONFIG:message\.max\.bytes=2000000, .*DEFAULT_CONFIG:message\.max\.bytes=1048588\}$/,
    ),
    '  segment.ms=7200000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:segment.ms=7200000}',
  ]);

  // refusals: the broker's message; the tool's own checks in one line
  const readOnly = await configs([...b, '--alter', '--entity-type', 'brokers', '--entity-name', '0', '--add-config', 'broker.id=5']);
  expect(readOnly.code).toBe(1);
  expect(readOnly.err).toEqual([
    expect.stringMatching(/^Error while executing config command with args '--bootstrap-server .* --add-config broker\.id=5'$/),
    "INVALID_REQUEST: Invalid config value for resource ConfigResource(type=BROKER, name='0'): Cannot update these configs dynamically: Set(broker.id)",
  ]);
  expect(await configs([...b, '--describe', '--entity-type', 'brokers', '--entity-name', 'x'])).toEqual({
    code: 1,
    out: [],
    err: ['The entity name for brokers must be a valid integer broker id, but it is: x'],
  });
  expect(await configs([...b, '--alter', '--entity-type', 'brokers', '--entity-name', '0', '--delete-config', 'nope'])).toEqual({
    code: 1,
    out: [],
    err: ['Invalid config(s): nope'],
  });
  expect(await configs(['--zookeeper', cluster.zkConnect, '--describe', '--all', '--entity-type', 'brokers'])).toEqual({
    code: 1,
    out: [],
    err: ['--bootstrap-server must be specified for --all'],
  });
});

test('brokerLoggersDescribedAndChangedLive', async () => {
  const b = ['--bootstrap-server', bootstrap, '--entity-type', 'broker-loggers', '--entity-name', '0'];
  const before = await configs([...b, '--describe']);
  expect(before.code).toBe(0);
  expect(before.out[0]).toBe('Dynamic configs for broker-logger 0 are:');
  expect(before.out).toContainEqual(expect.stringMatching(/^ {2}root=(TRACE|DEBUG|INFO|WARN|ERROR) sensitive=false synonyms=\{\}$/));
  expect(before.out).toContainEqual(expect.stringMatching(/^ {2}kafka\.server\.KafkaServer=[A-Z]+ sensitive=false synonyms=\{\}$/));
  expect(await configs([...b, '--alter', '--add-config', 'kafka.server.KafkaServer=TRACE'])).toEqual({
    code: 0,
    out: ['Completed updating config for broker-logger 0.'],
    err: [],
  });
  expect((await configs([...b, '--describe'])).out).toContain('  kafka.server.KafkaServer=TRACE sensitive=false synonyms={}');
  expect(await configs([...b, '--alter', '--add-config', 'no.such.logger=DEBUG'])).toEqual({
    code: 1,
    out: [],
    err: ['Invalid broker logger(s): no.such.logger'],
  });
  const refused = await configs([...b, '--alter', '--delete-config', 'root']);
  expect(refused.code).toBe(1);
  expect(refused.err.at(-1)).toBe('INVALID_REQUEST: Removing the log level of the root logger is not allowed');
});

test('bootstrapServerQuotasOfUsersAndClientsThroughTheBrokersKip546Apis', async () => {
  const b = ['--bootstrap-server', bootstrap];
  const alice = ['--entity-type', 'users', '--entity-name', 'alice', '--entity-type', 'clients', '--entity-name', 'app'];
  const altered = await configs([...b, '--alter', ...alice, '--add-config', 'producer_byte_rate=1024,consumer_byte_rate=2048']);
  expect(altered).toEqual({ code: 0, out: [expect.stringMatching(/^Completed updating config for user alice\.?/)], err: [] });
  expect(await znode('/config/users/alice/clients/app')).toEqual({
    version: 1,
    config: { producer_byte_rate: '1024', consumer_byte_rate: '2048' }, // LONG quotas as Kafka stores them
  });
  expect(await lastNotification()).toEqual({ version: 2, entity_path: 'users/alice/clients/app' });
  // Kafka prints the entries of a java.util.Map: any order
  const described = (await configs([...b, '--describe', ...alice])).out;
  expect(described).toHaveLength(1);
  const m = /^Quota configs for user-principal 'alice', client-id 'app' are (.*)$/.exec(described[0]!);
  expect(m?.[1]?.split(', ').sort()).toEqual(['consumer_byte_rate=2048.0', 'producer_byte_rate=1024.0']);
  const batch = ['--entity-type', 'clients', '--entity-name', 'batch-app'];
  expect((await configs([...b, '--alter', ...batch, '--add-config', 'request_percentage=50'])).code).toBe(0);
  // request_percentage is a DOUBLE quota: Kafka stores it as Java prints a double
  expect(await znode('/config/clients/batch-app')).toEqual({ version: 1, config: { request_percentage: '50.0' } });
  expect((await configs([...b, '--describe', ...batch])).out).toEqual([
    "Quota configs for client-id 'batch-app' are request_percentage=50.0",
  ]);
  const removed = await configs([...b, '--alter', ...alice, '--delete-config', 'producer_byte_rate,consumer_byte_rate']);
  expect(removed.code).toBe(0);
  expect((await configs([...b, '--describe', ...alice])).out).toEqual([]);
});
