import { runAclCommand } from '@samsa/admin';
import { ApiKey } from '@samsa/protocol';
import { Kafka, logLevel } from 'kafkajs';
import { close, connectZk, getData, liveTrackedProcesses, startZooKeeper, type ZkClient, type ZooKeeperHandle } from '../../harness';
import { startBroker, type BrokerHandle } from '../../harness/broker';
import {
  createTopic,
  errorName,
  expectEventually,
  kcatConsume,
  kcatProduce,
  metadata,
  rawProduce,
  rawRequest,
  recordBatch,
  waitForPartitionState,
} from '../../fault/support';
import { kafkaAcls } from '../../interop/aclSupport';

/**
 * ACLs on a PLAINTEXT cluster of three brokers with Kafka's AclAuthorizer, where every client is
 * User:ANONYMOUS (the brokers too: they get ClusterAction on the cluster before they start, as a
 * Kafka cluster would need). ACLs are written by our kafka-acls --authorizer-properties straight
 * into ZooKeeper; each broker learns them from the change notifications. Every check sends the
 * request without the ACL it needs first (Kafka's error code), then with it.
 */
jest.setTimeout(180_000);

let zkServer: ZooKeeperHandle;
let zk: ZkClient;
let brokers: BrokerHandle[] = [];
let bootstrap = '';

const acl = (...args: string[]): Promise<void> => kafkaAcls(zkServer.connectString, ...args);

const ANON = ['--allow-principal', 'User:ANONYMOUS'];

/** A topic with one partition on broker 0's, led once the state znode says so. */
async function topic(name: string): Promise<void> {
  await createTopic(zkServer.connectString, name, 1, 1, []);
  await waitForPartitionState(zk, name, 0, (s) => s.leader >= 0, 'a leader');
}

function leaderOf(name: string): Promise<BrokerHandle> {
  return waitForPartitionState(zk, name, 0, (s) => s.leader >= 0, 'a leader').then(
    (s) => brokers.find((b) => b.brokerId === s.leader)!,
  );
}

async function topicError(broker: BrokerHandle, name: string): Promise<string> {
  const md = await metadata(broker, [name]);
  return errorName(md.topics[0].errorCode as number);
}

beforeAll(async () => {
  zkServer = await startZooKeeper({ label: 'zookeeper hardening/aclAuthorization.test' });
  zk = await connectZk(zkServer.connectString);
  await acl('--add', ...ANON, '--operation', 'ClusterAction', '--cluster');
  brokers = await Promise.all(
    [0, 1, 2].map((brokerId) =>
      startBroker({
        zkConnect: zkServer.connectString,
        brokerId,
        overrides: {
          'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
          'auto.create.topics.enable': false,
          'offsets.topic.replication.factor': 1,
          'offsets.topic.num.partitions': 1,
        },
      }),
    ),
  );
  bootstrap = brokers.map((b) => b.bootstrap).join(',');
});

afterAll(async () => {
  if (zk) await close(zk);
  await Promise.all(brokers.map((b) => b.stop().catch(() => b.kill())));
  await Promise.all(brokers.map((b) => b.remove()));
  await zkServer?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

test('Metadata hides a topic without Describe (TOPIC_AUTHORIZATION_FAILED) and an ACL added by the CLI reaches all three brokers within 1 s', async () => {
  await topic('acl-md');
  for (const b of brokers) expect(await topicError(b, 'acl-md')).toBe('TOPIC_AUTHORIZATION_FAILED');
  // all topics: the topic is left out, not refused
  const all = await metadata(brokers[0]!, null);
  expect(all.topics.map((t: { name: string }) => t.name)).not.toContain('acl-md');

  const start = Date.now();
  await acl('--add', ...ANON, '--operation', 'Describe', '--topic', 'acl-md');
  const seenAfter = await Promise.all(
    brokers.map(async (b) => {
      for (;;) {
        if ((await topicError(b, 'acl-md')) === 'NONE') return Date.now() - start;
        await new Promise((r) => setTimeout(r, 20));
      }
    }),
  );
  // the CLI's own run (connect, write, notify) is inside the bound too
  expect(Math.max(...seenAfter)).toBeLessThan(1000);
});

test('Produce needs Write and Fetch needs Read on the topic (kcat), prefixed and literal', async () => {
  await topic('acl-pre-1');
  const leader = await leaderOf('acl-pre-1');
  const refused = await rawProduce(leader.port, 'acl-pre-1', 0, recordBatch(['x']));
  expect(errorName(refused.errorCode as number)).toBe('TOPIC_AUTHORIZATION_FAILED');
  await acl('--add', ...ANON, '--operation', 'Write', '--topic', 'acl-pre-', '--resource-pattern-type', 'prefixed');
  await expectEventually(async () => {
    const r = await rawProduce(leader.port, 'acl-pre-1', 0, recordBatch(['x']));
    if (r.errorCode !== 0) throw new Error(errorName(r.errorCode as number));
  });
  await kcatProduce(bootstrap, 'acl-pre-1', ['a', 'b']);

  const fetch = await rawRequest(leader.port, ApiKey.Fetch, 4, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [{ topic: 'acl-pre-1', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
  });
  expect(errorName(fetch.responses[0].partitionResponses[0].errorCode as number)).toBe('TOPIC_AUTHORIZATION_FAILED');
  await acl('--add', ...ANON, '--operation', 'Read', '--topic', 'acl-pre-1');
  await expectEventually(async () => {
    expect(await kcatConsume(bootstrap, 'acl-pre-1', 0)).toEqual(['x', 'a', 'b']);
  });
});

test('a DENY beats an ALLOW, and the wildcard resource applies to every topic', async () => {
  await topic('acl-deny');
  const leader = await leaderOf('acl-deny');
  await acl('--add', ...ANON, '--operation', 'Write', '--topic', '*');
  await expectEventually(async () => {
    const r = await rawProduce(leader.port, 'acl-deny', 0, recordBatch(['x']));
    if (r.errorCode !== 0) throw new Error(errorName(r.errorCode as number));
  });
  await acl('--add', '--deny-principal', 'User:ANONYMOUS', '--deny-host', '127.0.0.1', '--operation', 'Write', '--topic', 'acl-deny');
  await expectEventually(async () => {
    const r = await rawProduce(leader.port, 'acl-deny', 0, recordBatch(['x']));
    expect(errorName(r.errorCode as number)).toBe('TOPIC_AUTHORIZATION_FAILED');
  });
  await acl('--remove', '--force', '--topic', '*');
});

test('a consumer group (kafkajs): FindCoordinator needs the group, commits need Read on group and topic', async () => {
  await topic('acl-grp');
  await acl('--add', ...ANON, '--producer', '--topic', 'acl-grp');
  const kafka = new Kafka({ clientId: 'acl-test', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 100 } });
  const producer = kafka.producer();
  await producer.connect();
  await expectEventually(async () => {
    await producer.send({ topic: 'acl-grp', messages: [{ value: 'v1' }, { value: 'v2' }] });
  });
  await producer.disconnect();

  const coordinator = await rawRequest(brokers[0]!.port, ApiKey.FindCoordinator, 1, { key: 'acl-g', keyType: 0 });
  expect(errorName(coordinator.errorCode as number)).toBe('GROUP_AUTHORIZATION_FAILED');
  await acl('--add', ...ANON, '--consumer', '--topic', 'acl-grp', '--group', 'acl-g');

  const consumer = kafka.consumer({ groupId: 'acl-g', sessionTimeout: 10_000, heartbeatInterval: 500 });
  await expectEventually(async () => {
    const found = await rawRequest(brokers[0]!.port, ApiKey.FindCoordinator, 1, { key: 'acl-g', keyType: 0 });
    expect(errorName(found.errorCode as number)).toBe('NONE');
  }, 60_000);
  await consumer.connect();
  await consumer.subscribe({ topic: 'acl-grp', fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({ autoCommit: true, eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  await expectEventually(async () => expect(seen).toEqual(['v1', 'v2']), 60_000);
  await consumer.stop();
  await consumer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: 'acl-g', topics: ['acl-grp'] });
    expect(offsets!.partitions[0]!.offset).toBe('2');
    // a commit to a group the client may not read
    const denied = await rawRequest(brokers[0]!.port, ApiKey.OffsetCommit, 2, {
      groupId: 'other-group',
      generationId: -1,
      memberId: '',
      retentionTimeMs: -1,
      topics: [{ name: 'acl-grp', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] }],
    });
    expect(errorName(denied.topics[0].partitions[0].errorCode as number)).toBe('GROUP_AUTHORIZATION_FAILED');
  } finally {
    await admin.disconnect();
  }
});

test('create and delete a topic, describe its configs (kafkajs admin): refused without the ACL, allowed with it', async () => {
  const kafka = new Kafka({ clientId: 'acl-admin', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 100 } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await expect(admin.createTopics({ topics: [{ topic: 'acl-adm', numPartitions: 1, replicationFactor: 1 }] })).rejects.toMatchObject({
      errors: [expect.objectContaining({ type: 'TOPIC_AUTHORIZATION_FAILED' })],
    });
    await acl('--add', ...ANON, '--operation', 'Create', '--operation', 'Delete', '--operation', 'DescribeConfigs', '--topic', 'acl-adm');
    await expectEventually(async () => {
      await admin.createTopics({ topics: [{ topic: 'acl-adm', numPartitions: 1, replicationFactor: 1 }], waitForLeaders: false });
    });
    const configs = await admin.describeConfigs({ resources: [{ type: 2, name: 'acl-adm' }], includeSynonyms: false });
    expect(configs.resources[0]!.errorCode).toBe(0);
    await admin.deleteTopics({ topics: ['acl-adm'] });
    // a topic without DescribeConfigs
    await topic('acl-adm-2');
    await expect(admin.describeConfigs({ resources: [{ type: 2, name: 'acl-adm-2' }], includeSynonyms: false })).rejects.toMatchObject({
      type: 'TOPIC_AUTHORIZATION_FAILED',
    });
    await expect(admin.deleteTopics({ topics: ['acl-adm-2'] })).rejects.toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED' });
  } finally {
    await admin.disconnect();
  }
});

test('kafka-acls --bootstrap-server: CreateAcls needs Alter on the cluster; then adds, lists and removes through the brokers', async () => {
  const run = async (...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAclCommand(['--bootstrap-server', bootstrap, ...args], { out: (l) => out.push(...l.split('\n')), err: (l) => err.push(l) }, { timeoutMs: 15_000 });
    return { code, out, err };
  };
  const refused = await run('--add', '--allow-principal', 'User:bob', '--operation', 'Read', '--topic', 'via-broker');
  expect(refused.code).toBe(1);
  expect(refused.err).toEqual(['Error while executing ACL command: Not authorized for this cluster operation.']);

  await acl('--add', ...ANON, '--operation', 'Alter', '--operation', 'Describe', '--cluster');
  await expectEventually(async () => {
    expect((await run('--list', '--topic', 'via-broker')).code).toBe(0);
  });
  const added = await run('--add', '--allow-principal', 'User:bob', '--operation', 'Read', '--topic', 'via-broker');
  expect(added).toEqual({
    code: 0,
    out: [
      'Adding ACLs for resource `Topic:LITERAL:via-broker`: ',
      ' \tUser:bob has Allow permission for operations: Read from hosts: * ',
      '',
      'Current ACLs for resource `Topic:LITERAL:via-broker`: ',
      ' \tUser:bob has Allow permission for operations: Read from hosts: * ',
      '',
    ],
    err: [],
  });
  // written to ZooKeeper as kafka-acls --authorizer-properties writes it
  const { data } = await getData(zk, '/kafka-acl/Topic/via-broker');
  expect(data?.toString()).toBe('{"version":1,"acls":[{"principal":"User:bob","permissionType":"Allow","operation":"Read","host":"*"}]}');
  const removed = await run('--remove', '--force', '--topic', 'via-broker');
  expect(removed).toEqual({ code: 0, out: [], err: [] });
});

test('a transactional producer (kafkajs) needs Write on its transactional id: TRANSACTIONAL_ID_AUTHORIZATION_FAILED, then commits', async () => {
  await topic('acl-txn');
  await acl('--add', ...ANON, '--operation', 'Write', '--operation', 'Describe', '--topic', 'acl-txn');
  const kafka = new Kafka({ clientId: 'acl-txn', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 100 } });
  // what a transactional producer asks first, answered on the wire without the ACL
  const coordinator = await rawRequest(brokers[0]!.port, ApiKey.FindCoordinator, 1, { key: 'acl-tx', keyType: 1 });
  expect(errorName(coordinator.errorCode as number)).toBe('TRANSACTIONAL_ID_AUTHORIZATION_FAILED');
  const init = await rawRequest(brokers[0]!.port, ApiKey.InitProducerId, 1, { transactionalId: 'acl-tx', transactionTimeoutMs: 10_000 });
  expect(errorName(init.errorCode as number)).toBe('TRANSACTIONAL_ID_AUTHORIZATION_FAILED');
  // an idempotent producer without a transactional id: Write on some topic is enough (KIP-679's rule in 2.8)
  const idempotent = await rawRequest(brokers[0]!.port, ApiKey.InitProducerId, 1, { transactionalId: null, transactionTimeoutMs: 10_000 });
  expect(errorName(idempotent.errorCode as number)).toBe('NONE');

  await acl('--add', ...ANON, '--producer', '--topic', 'acl-txn', '--transactional-id', 'acl-tx');
  const producer = kafka.producer({ transactionalId: 'acl-tx', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await expectEventually(async () => {
      const txn = await producer.transaction();
      await txn.send({ topic: 'acl-txn', messages: [{ value: 'committed' }] });
      await txn.commit();
    }, 60_000);
  } finally {
    await producer.disconnect();
  }
  await acl('--add', ...ANON, '--operation', 'Read', '--topic', 'acl-txn');
  await expectEventually(async () => {
    expect(await kcatConsume(bootstrap, 'acl-txn', 0)).toContain('committed');
  });
});
