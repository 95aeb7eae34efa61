import { ConfigResourceTypes, Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { ApiKey, type Struct } from '@samsa/protocol';
import { getData, waitFor, type ZkClient } from '../../harness';
import type { BrokerHandle, ClusterHandle } from '../../harness/broker';
import { errorName } from '../../fault/support';
import { PasswordEncoder } from '../../../packages/broker/src/config/PasswordEncoder';
import { array, int32, int8, sendHandBuilt, startSingleBroker, stillServes, stopSingleBroker, string } from './support';

/**
 * Issue 17, dynamic broker configs, against one real broker: IncrementalAlterConfigs (bytes built
 * here) and AlterConfigs / DescribeConfigs (kafkajs) on BROKER "" (<default>) and BROKER "0"; the
 * znodes Kafka would write; DescribeConfigs' sources and synonyms for a live config (a log default)
 * and a stored-only one (a thread count); refusals with Kafka 2.8's messages (a read-only config,
 * an SSL store config without its listener, a per-broker config at <default>); and the live effect:
 * message.max.bytes lowered at <default> refuses a large record, raised for the broker takes it again;
 * a listener password stored encrypted with password.encoder.secret as Kafka's PasswordEncoder does.
 */
jest.setTimeout(90_000);

const TOPIC = 'dynamic-broker-configs';
const BROKER = 4;
const ENCODER_SECRET = 'encoder-secret';

let cluster: ClusterHandle;
let broker: BrokerHandle;
let zk: ZkClient;
let pids: ReadonlyMap<number, number | undefined>;
let admin: Admin;
let producer: Producer;

beforeAll(async () => {
  ({ cluster, broker, zk, pids } = await startSingleBroker(TOPIC, { overrides: { 'password.encoder.secret': ENCODER_SECRET } }));
  const kafka = new Kafka({ clientId: 'dynamic-configs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  producer = kafka.producer({ retry: { retries: 0 } });
  await Promise.all([admin.connect(), producer.connect()]);
});

afterAll(async () => {
  await Promise.all([admin?.disconnect(), producer?.disconnect()]).catch(() => undefined);
  await stopSingleBroker({ cluster, zk });
});

type Op = [name: string, op: number, value: string | null];

/** IncrementalAlterConfigs v0 of one resource (type, name, configs → name, operation, value), as bytes. */
function incrementalAlter(type: number, name: string, ops: readonly Op[]): Promise<Struct> {
  const body = [
    array([
      Buffer.concat([
        int8(type),
        string(name),
        array(ops.map(([k, op, v]) => Buffer.concat([string(k), int8(op), string(v)]))),
      ]),
    ]),
    int8(0),
  ];
  return sendHandBuilt(broker, ApiKey.IncrementalAlterConfigs, 0, body);
}

async function zkJson(path: string): Promise<unknown> {
  const { data } = await getData(zk, path);
  return JSON.parse(data?.toString('utf8') ?? 'null');
}

async function describe(type: ConfigResourceTypes, name: string, configNames: string[]) {
  const r = await admin.describeConfigs({ resources: [{ type, name, configNames }], includeSynonyms: true });
  return new Map(r.resources[0].configEntries.map((e) => [e.configName, e]));
}

/** Produces one record of `size` bytes; the error's type, or 'OK'. */
async function produce(size: number): Promise<string> {
  try {
    await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: Buffer.alloc(size, 120) }] });
    return 'OK';
  } catch (e) {
    return (e as { type?: string }).type ?? String(e);
  }
}

const refusal = (name: string, why: string) =>
  `Invalid config value for resource ConfigResource(type=BROKER, name='${name}'): ${why}`;

test('dynamicBrokerConfigsAreStoredReportedRefusedAndAppliedAsKafka', async () => {
  expect(await produce(5000)).toBe('OK');

  // <default>: a log default (live) and a thread count (stored only), as kafka-configs --entity-default writes them.
  const atDefault = await incrementalAlter(BROKER, '', [
    ['message.max.bytes', 0, '2000'],
    ['num.io.threads', 0, '16'],
  ]);
  expect(atDefault.responses.map((r: Struct) => [r.resourceName, errorName(r.errorCode)])).toEqual([['', 'NONE']]);
  expect(await zkJson('/config/brokers/<default>')).toEqual({
    version: 1,
    config: { 'message.max.bytes': '2000', 'num.io.threads': '16' },
  });
  // live: the topic's log takes the new default
  await waitFor(async () => (await produce(5000)) === 'MESSAGE_TOO_LARGE', { timeoutMs: 30_000, what: 'large record refused' });
  expect(await produce(500)).toBe('OK');

  // per broker, through kafkajs' AlterConfigs (the broker's whole set)
  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      {
        type: ConfigResourceTypes.BROKER,
        name: '0',
        configEntries: [
          { name: 'message.max.bytes', value: '1000000' },
          { name: 'log.cleaner.threads', value: '2' },
          { name: 'max.connections', value: '1000' },
        ],
      },
    ],
  });
  expect(await zkJson('/config/brokers/0')).toEqual({
    version: 1,
    config: { 'message.max.bytes': '1000000', 'log.cleaner.threads': '2', 'max.connections': '1000' },
  });
  await waitFor(async () => (await produce(5000)) === 'OK', { timeoutMs: 30_000, what: 'large record taken again' });

  // DescribeConfigs: value, source and synonyms of each layer
  const perBroker = await describe(ConfigResourceTypes.BROKER, '0', [
    'message.max.bytes',
    'num.io.threads',
    'log.cleaner.threads',
    'broker.id',
  ]);
  expect(perBroker.get('message.max.bytes')).toMatchObject({
    configValue: '1000000',
    readOnly: false,
    configSource: 2,
    configSynonyms: [
      { configName: 'message.max.bytes', configValue: '1000000', configSource: 2 },
      { configName: 'message.max.bytes', configValue: '2000', configSource: 3 },
      { configName: 'message.max.bytes', configValue: '1048588', configSource: 5 },
    ],
  });
  expect(perBroker.get('num.io.threads')).toMatchObject({ configValue: '16', readOnly: false, configSource: 3 });
  expect(perBroker.get('log.cleaner.threads')).toMatchObject({ configValue: '2', readOnly: false, configSource: 2 });
  expect(perBroker.get('broker.id')).toMatchObject({ configValue: '0', readOnly: true, configSource: 4 });
  // kafkajs will not name the cluster default (""): DescribeConfigs v1 built here
  const clusterDefault = await sendHandBuilt(broker, ApiKey.DescribeConfigs, 1, [
    array([Buffer.concat([int8(BROKER), string(''), int32(-1)])]),
    int8(1),
  ]);
  expect(errorName(clusterDefault.results[0].errorCode)).toBe('NONE');
  const defaults = clusterDefault.results[0].configs as Struct[];
  expect(defaults.map((e) => [e.name, e.value, e.configSource]).sort()).toEqual([
    ['message.max.bytes', '2000', 3],
    ['num.io.threads', '16', 3],
  ]);
  const topic = await describe(ConfigResourceTypes.TOPIC, TOPIC, ['max.message.bytes']);
  expect(topic.get('max.message.bytes')).toMatchObject({ configValue: '1000000', configSource: 2 });

  // refusals, each for its resource alone, with Kafka 2.8's messages; nothing written
  const refused = await Promise.all([
    incrementalAlter(BROKER, '0', [['broker.id', 0, '7']]),
    incrementalAlter(BROKER, '0', [['ssl.keystore.location', 0, '/tmp/k.p12']]),
    incrementalAlter(BROKER, '', [['listener.name.plaintext.ssl.keystore.location', 0, '/tmp/k.p12']]),
    incrementalAlter(BROKER, '0', [['num.io.threads', 0, 'many']]),
  ]);
  expect(refused.map((r) => [errorName(r.responses[0].errorCode), r.responses[0].errorMessage])).toEqual([
    ['INVALID_REQUEST', refusal('0', 'Cannot update these configs dynamically: Set(broker.id)')],
    [
      'INVALID_REQUEST',
      refusal('0', 'These security configs can be dynamically updated only per-listener using the listener prefix: Set(ssl.keystore.location)'),
    ],
    [
      'INVALID_REQUEST',
      refusal('', 'Cannot update these configs at default cluster level, broker id must be specified: Set(listener.name.plaintext.ssl.keystore.location)'),
    ],
    ['INVALID_REQUEST', expect.stringContaining('Invalid value many for configuration num.io.threads')],
  ]);
  expect(await zkJson('/config/brokers/0')).toEqual({
    version: 1,
    config: { 'message.max.bytes': '1000000', 'log.cleaner.threads': '2', 'max.connections': '1000' },
  });

  // DELETE of the per-broker override: the cluster default applies again
  const deleted = await incrementalAlter(BROKER, '0', [['message.max.bytes', 1, null]]);
  expect(errorName(deleted.responses[0].errorCode)).toBe('NONE');
  await waitFor(async () => (await produce(5000)) === 'MESSAGE_TOO_LARGE', { timeoutMs: 30_000, what: 'default again' });

  // a listener password: stored encrypted (never in the clear), described as sensitive without its value
  const password = await incrementalAlter(BROKER, '0', [['listener.name.plaintext.ssl.key.password', 0, 'k-secret']]);
  expect(errorName(password.responses[0].errorCode)).toBe('NONE');
  const stored = (await zkJson('/config/brokers/0')) as { config: Record<string, string> };
  const encrypted = stored.config['listener.name.plaintext.ssl.key.password'];
  expect(encrypted).toMatch(/^keyFactoryAlgorithm:PBKDF2WithHmacSHA512,cipherAlgorithm:AES\/CBC\/PKCS5Padding,/);
  expect(JSON.stringify(stored)).not.toContain('k-secret');
  expect(new PasswordEncoder({ secret: ENCODER_SECRET }).decode(encrypted)).toBe('k-secret');
  expect(stored.config['log.cleaner.threads']).toBe('2');
  const described = await describe(ConfigResourceTypes.BROKER, '0', ['listener.name.plaintext.ssl.key.password']);
  expect(described.get('listener.name.plaintext.ssl.key.password')).toMatchObject({ configValue: null, isSensitive: true, configSource: 2 });
  expect(broker.output()).not.toContain('k-secret');

  await stillServes(cluster, { pids, topic: TOPIC });
});
