import { ApiKey, type Struct } from '@samsa/protocol';
import { getData, type ZkClient } from '../../harness';
import type { BrokerHandle, ClusterHandle } from '../../harness/broker';
import { errorName } from '../../fault/support';
import {
  array,
  sendHandBuilt,
  startSingleBroker,
  stillServes,
  stopSingleBroker,
  string,
} from './support';

/**
 * Issue 13, row 15, against one real broker: AlterConfigs for a BROKER resource with a config name
 * the broker does not define. Kafka 2.8 stores such custom names in /config/brokers/<id> for
 * plugins to read and validates only the names it knows, answering per resource. Each request is
 * written byte by byte; afterwards the broker process is the same and kcat still produces and
 * consumes.
 */
jest.setTimeout(90_000);

const TOPIC = 'custom-configs';

let cluster: ClusterHandle;
let broker: BrokerHandle;
let zk: ZkClient;
let pids: ReadonlyMap<number, number | undefined>;

beforeAll(async () => {
  ({ cluster, broker, zk, pids } = await startSingleBroker(TOPIC));
});

afterAll(() => stopSingleBroker({ cluster, zk }));

/** One hand-built request to the broker; the decoded answer. */
function sendBytes(apiKey: number, apiVersion: number, body: readonly Buffer[]): Promise<Struct> {
  return sendHandBuilt(broker, apiKey, apiVersion, body);
}

function int8(v: number): Buffer {
  return Buffer.from([v & 0xff]);
}

interface Resource {
  readonly type: number;
  readonly name: string;
  readonly configs: readonly [string, string][];
}

/** AlterConfigs v1 (resources → type, name, configs → name, value; validate_only), as bytes. */
function alterConfigsV1(resources: readonly Resource[], validateOnly = false): Buffer[] {
  return [
    array(
      resources.map((r) =>
        Buffer.concat([
          int8(r.type),
          string(r.name),
          array(r.configs.map(([k, v]) => Buffer.concat([string(k), string(v)]))),
        ]),
      ),
    ),
    int8(validateOnly ? 1 : 0),
  ];
}

/** DescribeConfigs v1 (resources → type, name, config names; include_synonyms), as bytes. */
function describeConfigsV1(type: number, name: string, keys: readonly string[]): Buffer[] {
  return [array([Buffer.concat([int8(type), string(name), array(keys.map((k) => string(k)))])]), int8(1)];
}

async function zkJson(path: string): Promise<unknown> {
  const { data } = await getData(zk, path);
  return JSON.parse(data?.toString('utf8') ?? 'null');
}

const BROKER = 4;
const TOPIC_TYPE = 2;

test('row15ACustomBrokerConfigIsStoredForPluginsAndRefusalsArePerResource', async () => {
  const stored = await sendBytes(
    ApiKey.AlterConfigs,
    1,
    alterConfigsV1([
      { type: BROKER, name: '0', configs: [['plugin.custom.setting', 'on']] },
      { type: TOPIC_TYPE, name: TOPIC, configs: [['retention.ms', '3600000']] },
    ]),
  );
  expect(
    stored.responses.map((r: Struct) => [r.resourceType, r.resourceName, errorName(r.errorCode)]),
  ).toEqual([
    [BROKER, '0', 'NONE'],
    [TOPIC_TYPE, TOPIC, 'NONE'],
  ]);
  // Kafka's AdminZkClient.changeEntityConfig JSON
  expect(await zkJson('/config/brokers/0')).toEqual({
    version: 1,
    config: { 'plugin.custom.setting': 'on' },
  });
  expect(await zkJson(`/config/topics/${TOPIC}`)).toEqual({
    version: 1,
    config: { 'retention.ms': '3600000' },
  });

  // Described as Kafka 2.8 describes a name without a known type: hidden, read-only, dynamic source.
  const described = await sendBytes(
    ApiKey.DescribeConfigs,
    1,
    describeConfigsV1(BROKER, '0', ['plugin.custom.setting']),
  );
  expect(errorName(described.results[0].errorCode)).toBe('NONE');
  expect(described.results[0].configs).toMatchObject([
    { name: 'plugin.custom.setting', value: null, readOnly: true, configSource: 2, isSensitive: true },
  ]);

  // A known config that cannot change live: that resource alone is refused, with Kafka's message.
  const refused = await sendBytes(
    ApiKey.AlterConfigs,
    1,
    alterConfigsV1([
      {
        type: BROKER,
        name: '0',
        configs: [
          ['plugin.custom.setting', 'off'],
          ['auto.create.topics.enable', 'true'],
        ],
      },
      { type: TOPIC_TYPE, name: TOPIC, configs: [['retention.ms', '7200000']] },
    ]),
  );
  expect(
    refused.responses.map((r: Struct) => [r.resourceName, errorName(r.errorCode), r.errorMessage]),
  ).toEqual([
    [
      '0',
      'INVALID_REQUEST',
      "Invalid config value for resource ConfigResource(type=BROKER, name='0'): " +
        'Cannot update these configs dynamically: Set(auto.create.topics.enable)',
    ],
    [TOPIC, 'NONE', null],
  ]);
  expect(await zkJson('/config/brokers/0')).toEqual({
    version: 1,
    config: { 'plugin.custom.setting': 'on' },
  });
  expect(await zkJson(`/config/topics/${TOPIC}`)).toEqual({
    version: 1,
    config: { 'retention.ms': '7200000' },
  });

  await stillServes(cluster, { pids, topic: TOPIC });
});
