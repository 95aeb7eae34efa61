import * as fs from 'fs';
import * as path from 'path';
import { ApiKey, decodeResponse, type Struct } from '@samsa/protocol';
import { Kafka, logLevel } from 'kafkajs';
import { close, connectZk, freePort, harnessTempRoot, startZooKeeper, waitFor, type ZkClient, type ZooKeeperHandle } from '../harness';
import { startBrokers, type BrokerHandle } from '../harness/broker';
import { makeTlsMaterial, type TlsMaterial } from '../harness/tls';
import { createTopic, errorName, waitForPartitionState } from '../fault/support';
import { requestFrame } from '../integration/hardening/support';
import { currentController, leaderAndIsrV2 } from '../integration/hardening/controlRequests';
import { ACL_AUTHORIZER, kafkaAcls } from './aclSupport';
import { KCAT, runOk } from './support';
import {
  addScramUser,
  kafkajsSaslSsl,
  kcatSaslArgs,
  PLAIN_USERS,
  saslListenerOverrides,
  saslExchange,
} from './saslSupport';

/**
 * Three brokers whose only listener is SASL_SSL (issue 16): security.inter.broker.protocol=SASL_SSL
 * with sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512 as the `broker` user (made by
 * kafka-configs --zookeeper before they start, in super.users), and the AclAuthorizer on. Every
 * connection — followers' fetches, the controller's LeaderAndIsr / UpdateMetadata, clients — is
 * TLS then SASL. Clients are `admin` (PLAIN, a super user); `alice` (PLAIN) authenticates on the
 * same listener but a hand-built LeaderAndIsr from her is refused CLUSTER_AUTHORIZATION_FAILED
 * until kafka-acls gives her ClusterAction, after which it passes authorization and meets the
 * broker's own checks.
 */
jest.setTimeout(300_000);

let material: TlsMaterial;
let zkServer: ZooKeeperHandle;
let zk: ZkClient;
let brokers: BrokerHandle[] = [];

const ADMIN = { user: 'admin', password: PLAIN_USERS.admin };
const kcatAdmin = (): string[] => kcatSaslArgs('PLAIN', ADMIN.user, ADMIN.password, material.ca.cert);
const bootstrapOf = (live: readonly BrokerHandle[]): string => live.map((b) => b.bootstrap).join(',');

beforeAll(async () => {
  material = makeTlsMaterial(fs.mkdtempSync(path.join(harnessTempRoot(), 'sasl-ssl-cluster-')));
  zkServer = await startZooKeeper();
  await addScramUser(zkServer.connectString, 'broker', 'broker-secret');
  zk = await connectZk(zkServer.connectString);
  const ports = [await freePort(), await freePort(), await freePort()];
  brokers = await startBrokers(
    ports.map((port, id) => {
      const sasl = saslListenerOverrides('SASL_SSL');
      sasl['listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config'] =
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="broker-secret";';
      return {
        zkConnect: zkServer.connectString,
        brokerId: id,
        port,
        overrides: {
          listeners: `SASL_SSL://127.0.0.1:${port}`,
          'security.inter.broker.protocol': 'SASL_SSL',
          'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
          ...sasl,
          'ssl.keystore.type': 'PKCS12',
          'ssl.keystore.location': material.broker.p12,
          'ssl.keystore.password': material.broker.password,
          'ssl.truststore.type': 'PEM',
          'ssl.truststore.location': material.ca.cert,
          ...ACL_AUTHORIZER,
          'super.users': 'User:broker;User:admin',
          'offsets.topic.replication.factor': 3,
          'offsets.topic.num.partitions': 3,
        },
      };
    }),
  );
});

afterAll(async () => {
  if (zk) await close(zk);
  await Promise.all(brokers.map((b) => b.stop().catch(() => b.kill())));
  await Promise.all(brokers.map((b) => b.remove()));
  await zkServer?.stop();
});

async function kcatProduce(bootstrap: string, topic: string, values: readonly string[]): Promise<void> {
  await runOk(KCAT, ['-b', bootstrap, ...kcatAdmin(), '-X', 'acks=all', '-X', 'message.timeout.ms=30000', '-P', '-t', topic, '-p', '0'], {
    input: values.join('\n') + '\n',
  });
}

async function kcatConsume(bootstrap: string, topic: string): Promise<string[]> {
  const r = await runOk(KCAT, ['-b', bootstrap, ...kcatAdmin(), '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\\n']);
  return r.stdout.split('\n').filter((l) => l !== '');
}

test('a consumer group (kafkajs) over SASL_SSL commits offsets, stored in a __consumer_offsets replicated over SASL_SSL', async () => {
  const topic = 'sasl-ssl-group';
  await createTopic(zkServer.connectString, topic, 2, 3);
  const kafka = new Kafka({
    clientId: 'sasl-ssl-cluster',
    brokers: brokers.map((b) => b.bootstrap),
    ...kafkajsSaslSsl('PLAIN', ADMIN.user, ADMIN.password, material.ca.cert),
    logLevel: logLevel.NOTHING,
    retry: { retries: 10 },
  });
  const producer = kafka.producer();
  await producer.connect();
  const values = Array.from({ length: 10 }, (_, i) => `g-${i}`);
  await producer.send({ topic, acks: -1, messages: values.map((value, i) => ({ value, partition: i % 2 })) });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: 'sasl-ssl-group' });
  const seen: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ autoCommitThreshold: 1, eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  try {
    await waitFor(() => seen.length >= values.length, { timeoutMs: 90_000, what: 'the group consumes over SASL_SSL' });
  } finally {
    await consumer.disconnect(); // commits what it consumed
  }
  expect([...seen].sort()).toEqual([...values].sort());
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId: 'sasl-ssl-group', topics: [topic] });
    expect(committed!.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([
      [0, '5'],
      [1, '5'],
    ]);
  } finally {
    await admin.disconnect();
  }
  // the offsets topic's partitions have their full ISR: the followers fetch it over SASL_SSL
  for (const p of [0, 1, 2]) {
    await waitForPartitionState(zk, '__consumer_offsets', p, (s) => s.isr.length === 3, `__consumer_offsets-${p} ISR of 3`, 60_000);
  }
});

function partitionErrors(body: Struct): string[] {
  return (body.partitionErrors as Struct[]).map((e) => `${e.topicName as string}-${e.partitionIndex as number}: ${errorName(e.errorCode as number)}`);
}

test('alice, authenticated on the inter-broker SASL_SSL listener, cannot send LeaderAndIsr without ClusterAction; with it the request passes authorization', async () => {
  const controller = await currentController(zk);
  const target = brokers.find((b) => b.brokerId !== controller.brokerId)!;
  const forged = (correlationId: number): Buffer =>
    requestFrame(
      ApiKey.LeaderAndIsr,
      2,
      correlationId,
      leaderAndIsrV2(
        { controllerId: controller.brokerId, controllerEpoch: controller.epoch, brokerEpoch: -1 },
        [{ topic: '../victim', partition: 0, leader: target.brokerId, leaderEpoch: 0, isr: [target.brokerId], replicas: [target.brokerId] }],
      ),
    );
  const asAlice = async (): Promise<Struct> => {
    const [answer] = await saslExchange({ port: target.port, caFile: material.ca.cert, user: 'alice', password: PLAIN_USERS.alice, frames: [forged(7)] });
    return decodeResponse(ApiKey.LeaderAndIsr, 2, answer!).body;
  };
  const refused = await asAlice();
  expect(errorName(refused.errorCode as number)).toBe('CLUSTER_AUTHORIZATION_FAILED');
  expect(partitionErrors(refused)).toEqual(['../victim-0: CLUSTER_AUTHORIZATION_FAILED']);
  // the broker's log reaches us through its stdout pipe, possibly after the answer: wait for the line
  const audit =
    'INFO Principal = User:alice is Denied Operation = ClusterAction from host = 127.0.0.1 on resource = ' +
    'Cluster:LITERAL:kafka-cluster for request = LEADER_AND_ISR with resourceRefCount = 1 (kafka.authorizer.logger)';
  await waitFor(() => target.output().includes(audit), { timeoutMs: 10_000, what: "alice's denial in the audit log" });

  // the difference: ClusterAction for alice (written by kafka-acls into ZooKeeper) lets the same
  // bytes through authorization, to the broker's own checks (an illegal topic name)
  await kafkaAcls(zkServer.connectString, '--add', '--allow-principal', 'User:alice', '--operation', 'ClusterAction', '--cluster');
  const allowed = await waitFor(
    async () => {
      const answer = await asAlice();
      return errorName(answer.errorCode as number) === 'CLUSTER_AUTHORIZATION_FAILED' ? undefined : answer;
    },
    { timeoutMs: 30_000, what: 'the ClusterAction ACL reaches the broker' },
  );
  expect(errorName(allowed.errorCode as number)).toBe('NONE');
  expect(partitionErrors(allowed)).toEqual(['../victim-0: INVALID_TOPIC_EXCEPTION']);
  await kafkaAcls(zkServer.connectString, '--remove', '--force', '--allow-principal', 'User:alice', '--operation', 'ClusterAction', '--cluster');
});

test('replication with acks=all and a controller-driven leader change after kill -9, all over SASL_SSL', async () => {
  const topic = 'sasl-ssl-replicated';
  await createTopic(zkServer.connectString, topic, 1, 3, ['min.insync.replicas=3']);
  const state = await waitForPartitionState(zk, topic, 0, (s) => s.isr.length === 3, 'all three in the ISR', 60_000);
  // min.insync.replicas=3: acks=all is answered only once both followers fetched over SASL_SSL
  const first = Array.from({ length: 20 }, (_, i) => `a-${i}`);
  await kcatProduce(bootstrapOf(brokers), topic, first);

  const leader = brokers.find((b) => b.brokerId === state.leader)!;
  await leader.kill();
  const after = await waitForPartitionState(zk, topic, 0, (s) => s.leader !== state.leader && s.leader >= 0, 'a new leader', 60_000);
  expect(after.isr).not.toContain(state.leader);
  const live = brokers.filter((b) => b !== leader);
  // the live brokers learnt the new leader from the controller's LeaderAndIsr / UpdateMetadata over SASL_SSL
  await runOk(KCAT, ['-b', bootstrapOf(live), ...kcatAdmin(), '-L', '-t', topic, '-m', '10']);
  expect(await kcatConsume(bootstrapOf(live), topic)).toEqual(first);

  await leader.restart();
  await waitForPartitionState(zk, topic, 0, (s) => s.isr.length === 3, 'the restarted broker back in the ISR over SASL_SSL', 90_000);
  const second = Array.from({ length: 20 }, (_, i) => `b-${i}`);
  await kcatProduce(bootstrapOf(brokers), topic, second);
  expect(await kcatConsume(bootstrapOf(brokers), topic)).toEqual([...first, ...second]);
  for (const b of brokers) expect(b.output()).not.toMatch(/Failed authentication/);
});
