import { ApiKey, decodeResponse, type Struct } from '@samsa/protocol';
import { Kafka, logLevel, type Consumer, type SASLOptions } from 'kafkajs';
import { freePort, startZooKeeper, waitFor, type ZooKeeperHandle } from '../harness';
import { startBroker, type BrokerHandle } from '../harness/broker';
import { createTopic, errorName } from '../fault/support';
import { array, int32, int64, int8, requestFrame, string } from '../integration/hardening/support';
import { ACL_AUTHORIZER, kafkaAcls } from './aclSupport';
import { PLAIN_USERS, saslExchange, saslListenerOverrides } from './saslSupport';

/**
 * The ACL matrix with named SASL principals (issue 16): one broker whose only listener is
 * SASL_PLAINTEXT (the broker itself logs in as `admin`), the AclAuthorizer, super.users=User:admin.
 * Every ACL is written by kafka-acls --authorizer-properties into ZooKeeper before the broker starts.
 * For produce, consume in a group, create / delete / alter a topic (partitions and configs),
 * describe configs, commit offsets and transactional produce, `alice` is allowed by the ACL that
 * operation needs and `bob` is refused with Kafka's error code; a prefixed resource (topics
 * matrix-new-*) and wildcard resources (every group for alice, every topic's Describe for User:*)
 * apply; a DENY for bob beats an ALLOW for User:*; `admin` does all of it with no ACL at all.
 * Clients are kafkajs, and hand-built requests where the error code must be read off the wire.
 */
jest.setTimeout(240_000);

const USERS: Readonly<Record<string, string>> = { ...PLAIN_USERS, bob: 'bob-secret' };
const PRODUCE = 'matrix-produce';
const CONSUME = 'matrix-consume';
const DENY = 'matrix-deny';
const NEW = 'matrix-new-'; // prefixed resource

let zk: ZooKeeperHandle;
let broker: BrokerHandle;

beforeAll(async () => {
  zk = await startZooKeeper();
  const acl = (...args: string[]): Promise<void> => kafkaAcls(zk.connectString, ...args);
  const alice = ['--allow-principal', 'User:alice'];
  const bob = ['--allow-principal', 'User:bob'];
  await acl('--add', ...alice, '--operation', 'Write', '--topic', PRODUCE);
  await acl('--add', ...alice, '--operation', 'Read', '--topic', CONSUME);
  await acl('--add', ...alice, '--operation', 'Read', '--group', '*'); // wildcard group
  await acl('--add', ...bob, '--operation', 'Read', '--topic', CONSUME); // the group is what bob lacks
  await acl('--add', ...bob, '--operation', 'Read', '--group', 'bob-own-group'); // the topic is what bob lacks there
  await acl(
    '--add', ...alice, '--operation', 'Create', '--operation', 'Delete', '--operation', 'Alter',
    '--operation', 'AlterConfigs', '--operation', 'DescribeConfigs', '--topic', NEW, '--resource-pattern-type', 'prefixed',
  );
  await acl('--add', ...alice, '--operation', 'Write', '--transactional-id', 'matrix-tx');
  // bob may write one topic (so kafkajs's idempotent InitProducerId passes) but has no transactional id
  await acl('--add', ...bob, '--operation', 'Write', '--topic', 'matrix-bob');
  await acl('--add', '--allow-principal', 'User:*', '--operation', 'Describe', '--topic', '*'); // wildcard topic, wildcard principal
  await acl('--add', '--allow-principal', 'User:*', '--operation', 'Write', '--topic', DENY);
  await acl('--add', '--deny-principal', 'User:bob', '--operation', 'Write', '--topic', DENY);
  const port = await freePort();
  broker = await startBroker({
    zkConnect: zk.connectString,
    brokerId: 0,
    port,
    overrides: {
      listeners: `SASL_PLAINTEXT://127.0.0.1:${port}`,
      'security.inter.broker.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism.inter.broker.protocol': 'PLAIN',
      ...saslListenerOverrides('SASL_PLAINTEXT', `username="admin" password="${PLAIN_USERS.admin}" `, { bob: USERS.bob! }),
      ...ACL_AUTHORIZER,
      'super.users': 'User:admin',
      'auto.create.topics.enable': false,
      'offsets.topic.replication.factor': 1,
      'offsets.topic.num.partitions': 1,
      'transaction.state.log.replication.factor': 1,
      'transaction.state.log.min.isr': 1,
      'transaction.state.log.num.partitions': 1,
    },
  });
  for (const t of [PRODUCE, CONSUME, DENY, 'matrix-bob']) await createTopic(zk.connectString, t, 1, 1);
});

afterAll(async () => {
  await broker?.stop().catch(() => broker.kill());
  await broker?.remove();
  await zk?.stop();
});

function kafka(user: string): Kafka {
  return new Kafka({
    clientId: `matrix-${user}`,
    brokers: [broker.bootstrap],
    sasl: { mechanism: 'plain', username: user, password: USERS[user]! } as SASLOptions,
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 100, restartOnFailure: async () => false },
  });
}

/** Kafka's error name carried by a kafkajs error (its own, a wrapped cause, or the first of several). */
function kafkaError(e: unknown): string {
  const err = e as { type?: string; cause?: unknown; originalError?: unknown; errors?: unknown[] };
  if (typeof err.type === 'string' && err.type !== 'UNKNOWN') return err.type;
  for (const inner of [err.cause, err.originalError, err.errors?.[0]]) {
    if (inner !== undefined) {
      const t = kafkaError(inner);
      if (t !== '') return t;
    }
  }
  return (e as Error).name ?? '';
}

async function refusal(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (e) {
    return kafkaError(e);
  }
  return 'NONE';
}

async function produce(user: string, topic: string, values: readonly string[]): Promise<void> {
  const producer = kafka(user).producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value })) });
  } finally {
    await producer.disconnect();
  }
}

/** Runs a consumer of `groupId` on `topic` until it has `count` values or crashes; the values or Kafka's error. */
async function consumeInGroup(user: string, groupId: string, topic: string, count: number): Promise<{ values: string[]; error?: string }> {
  const consumer: Consumer = kafka(user).consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
  const values: string[] = [];
  let error: string | undefined;
  consumer.on(consumer.events.CRASH, (event) => {
    error = kafkaError(event.payload.error);
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
    await waitFor(() => values.length >= count || error !== undefined, { timeoutMs: 60_000, what: `${user} consumes ${topic} in ${groupId}` });
  } finally {
    await consumer.disconnect();
  }
  return { values, error };
}

/** A hand-built FindCoordinator v1 for `key` (keyType 0 a group, 1 a transactional id) from `user`; its error. */
async function findCoordinator(user: string, key: string, keyType: 0 | 1): Promise<string> {
  const frame = requestFrame(ApiKey.FindCoordinator, 1, 5, [string(key), int8(keyType)]);
  const [answer] = await saslExchange({ port: broker.port, user, password: USERS[user]!, frames: [frame] });
  return errorName(decodeResponse(ApiKey.FindCoordinator, 1, answer!).body.errorCode as number);
}

/** A hand-built OffsetCommit v2 (generation -1: a standalone commit) from `user`; each partition's error. */
async function commitOffset(user: string, groupId: string, topic: string, offset: number): Promise<string[]> {
  const body = [
    string(groupId),
    int32(-1),
    string(''),
    int64(-1),
    array([Buffer.concat([string(topic), array([Buffer.concat([int32(0), int64(offset), string(null)])])])]),
  ];
  const [answer] = await saslExchange({ port: broker.port, user, password: USERS[user]!, frames: [requestFrame(ApiKey.OffsetCommit, 2, 3, body)] });
  const decoded = decodeResponse(ApiKey.OffsetCommit, 2, answer!).body;
  return (decoded.topics as Struct[]).flatMap((t) => (t.partitions as Struct[]).map((p) => errorName(p.errorCode as number)));
}

describe('alice with the ACL each operation needs, bob without it', () => {
  test('produce: Write on the topic (literal)', async () => {
    await produce('alice', PRODUCE, ['a-1', 'a-2']);
    expect(await refusal(() => produce('bob', PRODUCE, ['b-1']))).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  test('consume in a group: Read on the topic and on the group (alice: a wildcard group ACL)', async () => {
    await produce('admin', CONSUME, ['c-1', 'c-2', 'c-3']);
    const alice = await consumeInGroup('alice', 'any-group-at-all', CONSUME, 3);
    expect(alice).toEqual({ values: ['c-1', 'c-2', 'c-3'], error: undefined });
    // kafkajs reports a refused FindCoordinator as "no coordinator found": Kafka's code is read off the wire
    const bob = await consumeInGroup('bob', 'alice-only-group', CONSUME, 3);
    expect(bob).toEqual({ values: [], error: 'KafkaJSGroupCoordinatorNotFound' });
    expect(await findCoordinator('bob', 'alice-only-group', 0)).toBe('GROUP_AUTHORIZATION_FAILED');
    expect(await findCoordinator('alice', 'alice-only-group', 0)).toBe('NONE');
  });

  test('commit offsets: Read on the group and the topic (hand-built OffsetCommit)', async () => {
    expect(await commitOffset('alice', 'matrix-commit-group', CONSUME, 2)).toEqual(['NONE']);
    const offsets = await kafka('alice').admin();
    await offsets.connect();
    try {
      const [committed] = await offsets.fetchOffsets({ groupId: 'matrix-commit-group', topics: [CONSUME] });
      expect(committed!.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '2' })]);
    } finally {
      await offsets.disconnect();
    }
    // bob: no ACL on the group at all, then his own group but a topic he may not read
    expect(await commitOffset('bob', 'matrix-commit-group', CONSUME, 1)).toEqual(['GROUP_AUTHORIZATION_FAILED']);
    expect(await commitOffset('bob', 'bob-own-group', PRODUCE, 1)).toEqual(['TOPIC_AUTHORIZATION_FAILED']);
  });

  test('create, alter (partitions and configs), describe configs and delete a topic: a prefixed ACL for alice', async () => {
    const topic = `${NEW}1`;
    const aliceAdmin = kafka('alice').admin();
    const bobAdmin = kafka('bob').admin();
    await aliceAdmin.connect();
    await bobAdmin.connect();
    try {
      expect(await refusal(() => bobAdmin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] }))).toBe(
        'TOPIC_AUTHORIZATION_FAILED',
      );
      expect(await aliceAdmin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] })).toBe(true);

      expect(await refusal(() => bobAdmin.createPartitions({ topicPartitions: [{ topic, count: 2 }] }))).toBe('TOPIC_AUTHORIZATION_FAILED');
      await aliceAdmin.createPartitions({ topicPartitions: [{ topic, count: 2 }] });

      const retention = { type: 2, name: topic, configEntries: [{ name: 'retention.ms', value: '3600000' }] };
      expect(await refusal(() => bobAdmin.alterConfigs({ validateOnly: false, resources: [retention] }))).toBe('TOPIC_AUTHORIZATION_FAILED');
      await aliceAdmin.alterConfigs({ validateOnly: false, resources: [retention] });

      const describe = { resources: [{ type: 2, name: topic, configNames: ['retention.ms'] }], includeSynonyms: false };
      expect(await refusal(() => bobAdmin.describeConfigs(describe))).toBe('TOPIC_AUTHORIZATION_FAILED');
      const described = await aliceAdmin.describeConfigs(describe);
      expect(described.resources[0]!.configEntries.find((c) => c.configName === 'retention.ms')?.configValue).toBe('3600000');

      expect(await refusal(() => bobAdmin.deleteTopics({ topics: [topic] }))).toBe('TOPIC_AUTHORIZATION_FAILED');
      await aliceAdmin.deleteTopics({ topics: [topic] });
      // the prefix does not reach a topic outside it
      expect(await refusal(() => aliceAdmin.createTopics({ topics: [{ topic: 'matrix-other', numPartitions: 1, replicationFactor: 1 }] }))).toBe(
        'TOPIC_AUTHORIZATION_FAILED',
      );
    } finally {
      await aliceAdmin.disconnect();
      await bobAdmin.disconnect();
    }
  });

  test('transactional produce: Write on the transactional id', async () => {
    const transactional = async (user: string): Promise<void> => {
      const producer = kafka(user).producer({ transactionalId: 'matrix-tx', idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      try {
        const txn = await producer.transaction();
        await txn.send({ topic: PRODUCE, messages: [{ value: `txn-${user}` }] });
        await txn.commit();
      } finally {
        await producer.disconnect();
      }
    };
    await transactional('alice');
    // kafkajs reports a refused FindCoordinator as "no coordinator found": Kafka's code is read off the wire
    expect(await refusal(() => transactional('bob'))).toBe('KafkaJSGroupCoordinatorNotFound');
    expect(await findCoordinator('bob', 'matrix-tx', 1)).toBe('TRANSACTIONAL_ID_AUTHORIZATION_FAILED');
    const init = requestFrame(ApiKey.InitProducerId, 1, 4, [string('matrix-tx'), int32(60_000)]);
    const [answer] = await saslExchange({ port: broker.port, user: 'bob', password: USERS.bob!, frames: [init] });
    expect(errorName(decodeResponse(ApiKey.InitProducerId, 1, answer!).body.errorCode as number)).toBe('TRANSACTIONAL_ID_AUTHORIZATION_FAILED');
    expect(await findCoordinator('alice', 'matrix-tx', 1)).toBe('NONE');
  });
});

describe('resource patterns and precedence', () => {
  test('a wildcard Describe for User:* shows bob every topic, and gives him no Write', async () => {
    const admin = kafka('bob').admin();
    await admin.connect();
    try {
      const md = await admin.fetchTopicMetadata({ topics: [PRODUCE, CONSUME] });
      expect(md.topics.map((t) => t.name).sort()).toEqual([CONSUME, PRODUCE]);
    } finally {
      await admin.disconnect();
    }
    expect(await refusal(() => produce('bob', CONSUME, ['x']))).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  test('deny beats allow: Write for User:* and a DENY for bob on the same topic', async () => {
    await produce('alice', DENY, ['allowed']);
    expect(await refusal(() => produce('bob', DENY, ['denied']))).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  test('super.users: admin needs no ACL for any of it', async () => {
    const topic = 'matrix-super';
    const admin = kafka('admin').admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] })).toBe(true);
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: topic, configEntries: [{ name: 'retention.ms', value: '60000' }] }] });
      await produce('admin', topic, ['s-1', 's-2']);
      expect(await consumeInGroup('admin', 'matrix-super-group', topic, 2)).toEqual({ values: ['s-1', 's-2'], error: undefined });
      expect(await commitOffset('admin', 'matrix-super-commit', topic, 1)).toEqual(['NONE']);
      await admin.deleteTopics({ topics: [topic] });
    } finally {
      await admin.disconnect();
    }
  });
});
