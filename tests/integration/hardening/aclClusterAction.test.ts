import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiKey, type Struct } from '@samsa/protocol';
import { close, connectZk, liveTrackedProcesses, waitFor, type ZkClient } from '../../harness';
import { startCluster, type ClusterHandle } from '../../harness/broker';
import { errorName } from '../../fault/support';
import { currentController, leaderAndIsrV2, stopReplicaV1 } from './controlRequests';
import { sendHandBuilt, startSingleBroker, stillServes, stopSingleBroker } from './support';

/**
 * Control-plane requests need ClusterAction on the cluster (Kafka 2.8's KafkaApis): on a PLAINTEXT
 * broker with the AclAuthorizer and no ACL for User:ANONYMOUS, a LeaderAndIsr or StopReplica
 * written byte by byte with the real controller's id and epoch answers CLUSTER_AUTHORIZATION_FAILED
 * and changes nothing. With super.users=User:ANONYMOUS the same principal bypasses every ACL: the
 * request reaches the broker's own checks, and kcat produces and consumes with no ACL at all.
 */
jest.setTimeout(90_000);

const AUTHORIZER = { 'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer' };

function partitionErrors(body: Struct): string[] {
  return (body.partitionErrors as Struct[]).map((e) => `${e.topicName as string}-${e.partitionIndex as number}: ${errorName(e.errorCode as number)}`);
}

describe('without ClusterAction', () => {
  let cluster: ClusterHandle;
  let zk: ZkClient;

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 1, overrides: { ...AUTHORIZER, 'auto.create.topics.enable': false } });
    zk = await connectZk(cluster.zkConnect);
  });
  afterAll(async () => {
    if (zk) await close(zk);
    await cluster?.stop();
    expect(liveTrackedProcesses()).toEqual([]);
  });

  test('a hand-built LeaderAndIsr and StopReplica answer CLUSTER_AUTHORIZATION_FAILED and create nothing', async () => {
    const broker = cluster.broker(0);
    const controller = await currentController(zk);
    const header = { controllerId: controller.brokerId, controllerEpoch: controller.epoch, brokerEpoch: -1 };
    const before = fs.readdirSync(broker.logDir).sort();
    const answer = await sendHandBuilt(
      broker,
      ApiKey.LeaderAndIsr,
      2,
      leaderAndIsrV2(header, [{ topic: 'forged', partition: 0, leader: 0, leaderEpoch: 0, isr: [0], replicas: [0] }]),
    );
    expect(errorName(answer.errorCode as number)).toBe('CLUSTER_AUTHORIZATION_FAILED');
    expect(partitionErrors(answer)).toEqual(['forged-0: CLUSTER_AUTHORIZATION_FAILED']);
    expect(fs.existsSync(path.join(broker.logDir, 'forged-0'))).toBe(false);
    expect(fs.readdirSync(broker.logDir).sort()).toEqual(before);

    const stop = await sendHandBuilt(broker, ApiKey.StopReplica, 1, stopReplicaV1(header, true, [{ topic: 'forged', partition: 0 }]));
    expect(errorName(stop.errorCode as number)).toBe('CLUSTER_AUTHORIZATION_FAILED');
    // each denial logged as Kafka's kafka.authorizer.logger writes it (the log comes through the
    // broker's stdout pipe, possibly after the answer: wait for it)
    const audit =
      'INFO Principal = User:ANONYMOUS is Denied Operation = ClusterAction from host = 127.0.0.1 on resource = ' +
      'Cluster:LITERAL:kafka-cluster for request = LEADER_AND_ISR with resourceRefCount = 1 (kafka.authorizer.logger)';
    await waitFor(() => broker.output().includes(audit), { timeoutMs: 10_000, what: 'the denial in the audit log' });
  });
});

describe('super.users=User:ANONYMOUS', () => {
  const TOPIC = 'su';
  let env: Awaited<ReturnType<typeof startSingleBroker>>;

  beforeAll(async () => {
    env = await startSingleBroker(TOPIC, { overrides: { ...AUTHORIZER, 'super.users': 'User:ANONYMOUS' } });
  });
  afterAll(() => stopSingleBroker({ cluster: env?.cluster, zk: env?.zk }));

  test('bypasses the ACLs: the forged LeaderAndIsr meets the broker’s own checks, and kcat is served without any ACL', async () => {
    const controller = await currentController(env.zk);
    const answer = await sendHandBuilt(
      env.broker,
      ApiKey.LeaderAndIsr,
      2,
      leaderAndIsrV2(
        { controllerId: controller.brokerId, controllerEpoch: controller.epoch, brokerEpoch: -1 },
        [{ topic: '../victim', partition: 0, leader: 0, leaderEpoch: 0, isr: [0], replicas: [0] }],
      ),
    );
    expect(errorName(answer.errorCode as number)).toBe('NONE');
    expect(partitionErrors(answer)).toEqual(['../victim-0: INVALID_TOPIC_EXCEPTION']);
    await stillServes(env.cluster, { pids: env.pids, topic: TOPIC });
  });
});
