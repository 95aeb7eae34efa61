import { TopicPartitionMap } from '@samsa/common';
import { ControllerMovedError, KafkaZkClient, TopicPartitionStateZNode, ZkError, type LeaderAndIsr, type LeaderIsrAndControllerEpoch } from '@samsa/zk';
import {
  expireSession,
  getData,
  waitFor,
  withTimeout,
  type ZkClient,
  type ZooKeeperHandle,
} from '../../harness';
import { zooKeeperSuite, freshChroot, kafkaZk, plaintextBroker, rootClient, text } from './support';

jest.setTimeout(30_000);

let zk: ZooKeeperHandle;
const cleanups = zooKeeperSuite('zookeeper zk/KafkaZkClient.test', (handle) => (zk = handle));

/** Two clients (think: two brokers) on one fresh chroot, and a harness client on the server root. */
async function cluster(): Promise<{ chroot: string; a: KafkaZkClient; b: KafkaZkClient; root: ZkClient }> {
  const chroot = freshChroot();
  const a = await kafkaZk(zk, cleanups, chroot);
  const b = await kafkaZk(zk, cleanups, chroot);
  await a.createTopLevelPaths();
  return { chroot, a, b, root: await rootClient(zk, cleanups) };
}

function state(leader: number, isr: number[], zkVersion = 0, leaderEpoch = 0): LeaderAndIsr {
  return { leader, leaderEpoch, isr, zkVersion };
}

describe('brokers', () => {
  test('registerBrokerWritesKafkasRegistrationAndADuplicateIdIsRefused', async () => {
    const { chroot, a, b, root } = await cluster();
    const epoch = await a.registerBroker(plaintextBroker(1, 9093), { timestampMs: 1795302818225 });

    const { data, stat } = await getData(root, `${chroot}/brokers/ids/1`);
    expect(data!.toString()).toBe(
      '{"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://127.0.0.1:9093"],' +
        '"jmx_port":-1,"host":"127.0.0.1","timestamp":"1795302818225","port":9093,"version":4}',
    );
    expect(stat.ephemeralOwner.readBigUInt64BE()).toBe(a.sessionId);
    expect(epoch).toBe(Number(stat.czxid.readBigInt64BE()));

    const duplicate = b.registerBroker(plaintextBroker(1, 9999));
    await expect(duplicate).rejects.toBeInstanceOf(ZkError);
    await expect(duplicate).rejects.toMatchObject({ code: 'NODEEXISTS', path: '/brokers/ids/1' });
    expect(await b.getAllBrokersInCluster()).toEqual([plaintextBroker(1, 9093)]);

    // Registering again from the owning session is not a conflict (a resent create).
    expect(await a.registerBroker(plaintextBroker(1, 9093))).toBe(epoch);
    await a.close();
    await b.registerBroker(plaintextBroker(1, 9999));
    expect(await b.getBroker(1)).toEqual(plaintextBroker(1, 9999));
  });

  test('brokerIdsComeSortedWithTheirEpochs', async () => {
    const { a, b } = await cluster();
    const epoch2 = await b.registerBroker(plaintextBroker(2));
    const epoch10 = await a.registerBroker(plaintextBroker(10, 9092, 'rack-a'));
    expect(await a.getSortedBrokerList()).toEqual([2, 10]);
    expect(await a.getAllBrokerAndEpochsInCluster()).toEqual([
      { broker: plaintextBroker(2), epoch: epoch2 },
      { broker: plaintextBroker(10, 9092, 'rack-a'), epoch: epoch10 },
    ]);
    expect(await a.getBroker(3)).toBeNull();
    expect([await a.generateBrokerSequenceId(), await b.generateBrokerSequenceId()]).toEqual([1, 2]);
  });
});

describe('controller', () => {
  test('oneOfTwoWinsTheElectionAndTheOtherWinsWithTheNextEpochAfterTheWinnersSessionExpires', async () => {
    const { chroot, a, b, root } = await cluster();
    const results = await Promise.allSettled([
      a.registerControllerAndIncrementControllerEpoch(1),
      b.registerControllerAndIncrementControllerEpoch(2),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(ControllerMovedError);
    expect((won[0] as PromiseFulfilledResult<unknown>).value).toEqual({ epoch: 1, epochZkVersion: 1 });
    const [winner, loser, loserId] = results[0].status === 'fulfilled' ? [a, b, 2] : [b, a, 1];
    expect(await loser.getControllerId()).toBe(loserId === 2 ? 1 : 2);
    expect(await text(root, `${chroot}/controller_epoch`)).toBe('1');

    // The loser watches /controller, as a Kafka broker does, and runs for election when it goes.
    let elected: Promise<{ epoch: number; epochZkVersion: number }> | undefined;
    const watching = await loser.registerZNodeChangeHandlerAndCheckExistence('/controller', {
      handleDeletion: () => (elected = loser.registerControllerAndIncrementControllerEpoch(loserId)),
    });
    expect(watching).toBe(true);
    const reinitialized = new Promise<bigint>((resolve) =>
      winner.zooKeeperClient.once('reinitialized', resolve),
    );

    await expireSession(zk.connectString, winner.zooKeeperClient.currentZooKeeper as ZkClient);
    await waitFor(() => elected, { what: 'the loser to see /controller deleted' });
    expect(await elected).toEqual({ epoch: 2, epochZkVersion: 2 });
    expect(await winner.getControllerId()).toBe(loserId);
    expect(await text(root, `${chroot}/controller_epoch`)).toBe('2');
    const controller = JSON.parse(await text(root, `${chroot}/controller`));
    expect(Object.keys(controller)).toEqual(['version', 'brokerid', 'timestamp']);
    expect(controller).toMatchObject({ version: 1, brokerid: loserId });
    // The old winner got a new session of its own, and loses the next round.
    await withTimeout(reinitialized, 10_000, 'the expired client to get a new session');
    await expect(
      winner.registerControllerAndIncrementControllerEpoch(loserId === 2 ? 1 : 2),
    ).rejects.toBeInstanceOf(ControllerMovedError);
  });

  test('aStaleControllersFencedWritesAreRefusedAndChangeNothing', async () => {
    const { a, b } = await cluster();
    const old = await a.registerControllerAndIncrementControllerEpoch(1);
    const tp = { topic: 'T', partition: 0 };
    const states = new TopicPartitionMap<LeaderIsrAndControllerEpoch>([
      [tp, { leaderAndIsr: state(1, [1, 2]), controllerEpoch: old.epoch }],
    ]);
    await a.createTopicAssignment('T', null, new Map([[0, [1, 2]]]));
    expect((await a.createTopicPartitionStatesRaw(states, old.epochZkVersion)).get(tp)!.code).toBe('OK');

    await a.deleteController(old.epochZkVersion); // resigns
    const current = await b.registerControllerAndIncrementControllerEpoch(2);
    expect(current).toEqual({ epoch: 2, epochZkVersion: 2 });

    const stale = new TopicPartitionMap([[tp, state(2, [2])]]);
    await expect(a.updateLeaderAndIsr(stale, old.epoch, old.epochZkVersion)).rejects.toBeInstanceOf(
      ControllerMovedError,
    );
    await expect(a.deleteTopicZNode('T', old.epochZkVersion)).rejects.toBeInstanceOf(ControllerMovedError);
    await expect(a.setTopicAssignment('T', null, new Map(), old.epochZkVersion)).rejects.toBeInstanceOf(
      ControllerMovedError,
    );
    await expect(a.deleteController(old.epochZkVersion)).rejects.toBeInstanceOf(ControllerMovedError);
    expect((await b.getTopicPartitionState(tp))!.leaderAndIsr).toEqual(state(1, [1, 2]));
    expect(await b.topicExists('T')).toBe(true);
    expect(await b.getControllerId()).toBe(2);

    const result = await b.updateLeaderAndIsr(stale, current.epoch, current.epochZkVersion);
    expect(result.partitionsToRetry).toEqual([]);
    expect(result.finishedPartitions.get(tp)).toEqual({ ok: true, leaderAndIsr: state(2, [2], 1) });
    expect(await a.getTopicPartitionState(tp)).toEqual({
      leaderAndIsr: state(2, [2], 1),
      controllerEpoch: 2,
    });
  });

  test('updateLeaderAndIsrAsksToRetryWhereTheLeaderWroteFirst', async () => {
    const { a, b } = await cluster();
    const { epoch, epochZkVersion } = await a.registerControllerAndIncrementControllerEpoch(1);
    const [p0, p1] = [0, 1].map((partition) => ({ topic: 'T', partition }));
    await a.createTopicAssignment(
      'T',
      null,
      new Map([
        [0, [1, 2]],
        [1, [2, 1]],
      ]),
    );
    await a.createTopicPartitionStatesRaw(
      new TopicPartitionMap(
        [p0, p1].map((tp) => [tp, { leaderAndIsr: state(1, [1, 2]), controllerEpoch: epoch }] as const),
      ),
      epochZkVersion,
    );
    // The leader of p0 shrinks its ISR, conditionally on the version it knows (broker-side write).
    const shrunk = { leaderAndIsr: state(1, [1], 0), controllerEpoch: epoch };
    const write = await b.conditionalUpdatePath(
      TopicPartitionStateZNode.path(p0),
      TopicPartitionStateZNode.encode(shrunk),
      0,
    );
    expect(write).toEqual({ succeeded: true, version: 1 });
    expect(await b.conditionalUpdatePath(TopicPartitionStateZNode.path(p0), Buffer.from('{}'), 0)).toEqual({
      succeeded: false,
      version: -2,
    });

    const result = await a.updateLeaderAndIsr(
      new TopicPartitionMap([p0, p1].map((tp) => [tp, state(2, [2], 0, 1)] as const)),
      epoch,
      epochZkVersion,
    );
    expect(result.partitionsToRetry).toEqual([p0]);
    expect(result.finishedPartitions.keys()).toEqual([p1]);
    expect(result.finishedPartitions.get(p1)).toEqual({ ok: true, leaderAndIsr: state(2, [2], 1, 1) });
    expect((await a.getTopicPartitionStates([p0, p1, { topic: 'T', partition: 9 }])).entries()).toEqual([
      [p0, { leaderAndIsr: state(1, [1], 1), controllerEpoch: 1 }],
      [p1, { leaderAndIsr: state(2, [2], 1, 1), controllerEpoch: 1 }],
    ]);
  });
});
