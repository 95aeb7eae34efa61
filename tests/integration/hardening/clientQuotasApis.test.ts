import { ApiKey, type Struct } from '@samsa/protocol';
import { getData, getChildren, waitFor } from '../../harness';
import { errorName, rawRequest, recordBatch, requestOn, TestClient } from '../../fault/support';
import { startSingleBroker, stopSingleBroker, type SingleBroker } from './support';

/**
 * Issue 17, KIP-546 and KIP-219 on one broker: AlterClientQuotas writes the users/clients znodes
 * and change notifications as kafka-configs --zookeeper does (quotas.txt), DescribeClientQuotas
 * reads them back with Kafka's filters, validation errors are Kafka's, validate_only writes nothing,
 * both APIs are advertised; and the quota set this way throttles: the Produce response carries
 * throttle_time_ms at once, then that connection (only it) is muted for that time.
 */
jest.setTimeout(120_000);

let env: SingleBroker;

beforeAll(async () => {
  env = await startSingleBroker('quota-t');
});

afterAll(async () => {
  await stopSingleBroker(env ?? {});
});

function alter(entries: Struct[], validateOnly = false, version = 1): Promise<Struct> {
  return rawRequest(env.broker.port, ApiKey.AlterClientQuotas, version, { entries, validateOnly });
}

function describe_(components: Struct[], strict = false, version = 1): Promise<Struct> {
  return rawRequest(env.broker.port, ApiKey.DescribeClientQuotas, version, { components, strict });
}

const op = (key: string, value: number, remove = false) => ({ key, value, remove });

async function znode(path: string): Promise<string | null> {
  try {
    return (await getData(env.zk, path)).data?.toString('utf8') ?? null;
  } catch {
    return null;
  }
}

async function notifications(): Promise<string[]> {
  const names = (await getChildren(env.zk, '/config/changes')).sort();
  return Promise.all(names.map(async (n) => (await znode(`/config/changes/${n}`))!));
}

it('advertises DescribeClientQuotas and AlterClientQuotas v0-1', async () => {
  const body = await rawRequest(env.broker.port, ApiKey.ApiVersions, 2, {});
  const keys = (body.apiKeys as Struct[]).filter((k) => k.apiKey === 48 || k.apiKey === 49);
  expect(keys.map((k) => [k.apiKey, k.minVersion, k.maxVersion])).toEqual([
    [48, 0, 1],
    [49, 0, 1],
  ]);
});

it('writes the znodes and notifications Kafka writes, and describes them with its filters', async () => {
  const before = (await notifications()).length;
  const r = await alter([
    { entity: [{ entityType: 'client-id', entityName: 'c1' }], ops: [op('producer_byte_rate', 1024), op('consumer_byte_rate', 2048)] },
    { entity: [{ entityType: 'user', entityName: 'alice' }, { entityType: 'client-id', entityName: 'c1' }], ops: [op('request_percentage', 100)] },
    { entity: [{ entityType: 'user', entityName: null }], ops: [op('producer_byte_rate', 4096)] },
  ]);
  expect((r.entries as Struct[]).map((e) => [errorName(e.errorCode), e.errorMessage])).toEqual([
    ['NONE', null],
    ['NONE', null],
    ['NONE', null],
  ]);
  expect(await znode('/config/clients/c1')).toBe('{"version":1,"config":{"producer_byte_rate":"1024","consumer_byte_rate":"2048"}}');
  expect(await znode('/config/users/alice/clients/c1')).toBe('{"version":1,"config":{"request_percentage":"100.0"}}');
  expect(await znode('/config/users/<default>')).toBe('{"version":1,"config":{"producer_byte_rate":"4096"}}');
  expect((await notifications()).slice(before)).toEqual([
    '{"version":2,"entity_path":"clients/c1"}',
    '{"version":2,"entity_path":"users/alice/clients/c1"}',
    '{"version":2,"entity_path":"users/<default>"}',
  ]);

  // every entity (not strict), then only client-id c1 alone (strict), then the default user
  const all = await describe_([]);
  expect(errorName(all.errorCode)).toBe('NONE');
  const flat = (b: Struct) =>
    (b.entries as Struct[])
      .map((e) => `${(e.entity as Struct[]).map((x) => `${x.entityType}=${x.entityName}`).join(',')}: ${(e.values as Struct[]).map((v) => `${v.key}=${v.value}`).join(',')}`)
      .sort();
  expect(flat(all)).toEqual([
    'client-id=c1: producer_byte_rate=1024,consumer_byte_rate=2048',
    'user=alice,client-id=c1: request_percentage=100',
    'user=null: producer_byte_rate=4096',
  ]);
  expect(flat(await describe_([{ entityType: 'client-id', matchType: 0, match: 'c1' }], true, 0))).toEqual([
    'client-id=c1: producer_byte_rate=1024,consumer_byte_rate=2048',
  ]);
  expect(flat(await describe_([{ entityType: 'client-id', matchType: 0, match: 'c1' }], false))).toEqual([
    'client-id=c1: producer_byte_rate=1024,consumer_byte_rate=2048',
    'user=alice,client-id=c1: request_percentage=100',
  ]);
  expect(flat(await describe_([{ entityType: 'user', matchType: 1, match: null }], true))).toEqual(['user=null: producer_byte_rate=4096']);
  // "any named user" takes the default one too: Kafka desanitizes <default> to a null name, which is still a name
  expect(flat(await describe_([{ entityType: 'user', matchType: 2, match: null }], true))).toEqual(['user=null: producer_byte_rate=4096']);

  // a removal keeps the znode, emptied of that key
  await alter([{ entity: [{ entityType: 'user', entityName: null }], ops: [op('producer_byte_rate', 0, true)] }]);
  expect(await znode('/config/users/<default>')).toBe('{"version":1,"config":{}}');
});

it("answers Kafka's validation errors per entity, and validate_only writes nothing", async () => {
  const r = await alter([
    { entity: [], ops: [op('producer_byte_rate', 1)] },
    { entity: [{ entityType: 'client-id', entityName: 'x' }], ops: [op('no_such_key', 1)] },
    { entity: [{ entityType: 'client-id', entityName: 'x' }], ops: [op('producer_byte_rate', 1.5)] },
    { entity: [{ entityType: 'client-id', entityName: '' }], ops: [op('producer_byte_rate', 1)] },
    { entity: [{ entityType: 'topic', entityName: 't' }], ops: [op('producer_byte_rate', 1)] },
    { entity: [{ entityType: 'ip', entityName: '10.0.0.1' }, { entityType: 'user', entityName: 'u' }], ops: [] },
    { entity: [{ entityType: 'client-id', entityName: 'validate-only' }], ops: [op('producer_byte_rate', 5)] },
  ], true);
  expect((r.entries as Struct[]).map((e) => [errorName(e.errorCode), e.errorMessage])).toEqual([
    ['INVALID_REQUEST', 'Invalid empty client quota entity'],
    ['INVALID_REQUEST', 'Invalid configuration key no_such_key'],
    ['INVALID_REQUEST', 'Configuration producer_byte_rate must be a LONG value'],
    ['INVALID_REQUEST', 'Empty client-id not supported'],
    ['INVALID_REQUEST', 'Unhandled client quota entity type: topic'],
    ['INVALID_REQUEST', 'Invalid quota entity combination, IP entity should not be used with user/client ID entity.'],
    ['NONE', null],
  ]);
  expect(await znode('/config/clients/validate-only')).toBeNull();

  const dup = await describe_([
    { entityType: 'user', matchType: 2, match: null },
    { entityType: 'user', matchType: 2, match: null },
  ]);
  expect([errorName(dup.errorCode), dup.errorMessage, dup.entries]).toEqual(['INVALID_REQUEST', 'Duplicate user filter component entity type', null]);
  const custom = await describe_([{ entityType: 'group', matchType: 2, match: null }]);
  expect([errorName(custom.errorCode), custom.errorMessage]).toEqual(['UNSUPPORTED_VERSION', "Custom entity type 'group' not supported"]);
});

it('throttles a produce over the quota set this way: throttle_time_ms at once, then only that connection muted', async () => {
  // the test client's id is samsa-test: 10 000 B/s, a first burst of 11 windows (110 000 B)
  const r = await alter([{ entity: [{ entityType: 'client-id', entityName: 'samsa-test' }], ops: [op('producer_byte_rate', 10_000)] }]);
  expect(errorName((r.entries as Struct[])[0].errorCode)).toBe('NONE');
  await waitFor(async () => /entityPath: clients\/samsa-test/.test(env.broker.output()), { timeoutMs: 15_000, what: 'the quota applied' });

  const records = recordBatch(Array.from({ length: 13 }, () => 'q'.repeat(10_000)));
  const throttled = await TestClient.connect(env.broker.port);
  const other = await TestClient.connect(env.broker.port);
  try {
    const produce = await requestOn(throttled, ApiKey.Produce, 7, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 10_000,
      topicData: [{ name: 'quota-t', partitionData: [{ index: 0, records }] }],
    });
    const answeredAt = Date.now();
    expect(errorName(produce.responses[0].partitionResponses[0].errorCode)).toBe('NONE');
    const throttleMs = produce.throttleTimeMs as number;
    // 130 KB against a 110 KB burst: about 20 000 B of debt at 10 000 B/s
    expect(throttleMs).toBeGreaterThan(1500);
    expect(throttleMs).toBeLessThan(2500);
    // another connection is served meanwhile; the throttled one only once its time is up
    const otherAnswer = await requestOn(other, ApiKey.ApiVersions, 2, {});
    expect(errorName(otherAnswer.errorCode)).toBe('NONE');
    expect(Date.now() - answeredAt).toBeLessThan(throttleMs);
    await requestOn(throttled, ApiKey.ApiVersions, 2, {}, throttleMs + 10_000);
    expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(throttleMs - 50);
  } finally {
    throttled.close();
    other.close();
  }
  // the quota metrics (Kafka's byte-rate and throttle-time of the client's sensor)
  const jolokia = async (mbean: string) => {
    const body = (await (await fetch(`${env.broker.metricsUrl}/jolokia/read/${mbean}/Value`)).json()) as { status: number; value?: unknown };
    expect([mbean, body.status]).toEqual([mbean, 200]);
    return body.value as number;
  };
  expect(await jolokia('kafka.server:type=Produce,name=byte-rate,client-id=samsa-test')).toBeGreaterThan(10_000);
  expect(await jolokia('kafka.server:type=Produce,name=throttle-time,client-id=samsa-test')).toBeGreaterThan(1500);
});

it('throttles by request_percentage: handler time over the quota, throttle_time_ms of at most one window', async () => {
  const applied = () => env.broker.output().split('entityPath: clients/samsa-test').length - 1;
  const before = applied();
  const r = await alter([{ entity: [{ entityType: 'client-id', entityName: 'samsa-test' }], ops: [op('request_percentage', 0.001)] }]);
  expect(errorName((r.entries as Struct[])[0].errorCode)).toBe('NONE');
  await waitFor(async () => applied() > before, {
    timeoutMs: 15_000,
    what: 'the request quota applied',
  });
  // 0.001% of the event loop over a 10 s window is 0.1 ms of handler time: a few Metadata requests spend it
  const throttles: number[] = [];
  for (let i = 0; i < 50 && !throttles.some((t) => t > 0); i++) {
    const md = await rawRequest(env.broker.port, ApiKey.Metadata, 8, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    throttles.push(Number(md.throttleTimeMs));
  }
  const throttled = throttles.filter((t) => t > 0);
  expect(throttled.length).toBeGreaterThan(0);
  for (const t of throttled) expect(t).toBeLessThanOrEqual(1000);
});
