import { FakeZkSource } from '../testing/FakeZkSource';
import { readZkSnapshot } from './ZkReader';

describe('readZkSnapshot', () => {
  test('readsBrokersControllerTopicsAndPartitionStates', async () => {
    const zk = new FakeZkSource();
    zk.registerBroker(2, 9094, 9992);
    zk.registerBroker(0, 9092, -1);
    zk.controllerId = 2;
    zk.controllerEpoch = 7;
    zk.createTopic('b-topic', [[0, 2]]);
    zk.createTopic('a-topic', [
      [2, 0],
      [0, 2],
    ]);
    zk.setState({ topic: 'a-topic', partition: 1 }, 2, [2], 3);
    zk.deletions.add('b-topic');
    const snapshot = await readZkSnapshot(zk, () => 1234);
    expect(snapshot).toEqual({
      readAtMs: 1234,
      brokers: [
        { id: 0, host: '127.0.0.1', port: 9092, rack: null, jmxPort: -1 },
        { id: 2, host: '127.0.0.1', port: 9094, rack: null, jmxPort: 9992 },
      ],
      controllerId: 2,
      controllerEpoch: 7,
      topics: [
        {
          name: 'a-topic',
          partitions: [
            { topic: 'a-topic', partition: 0, replicas: [2, 0], leader: 2, leaderEpoch: 0, isr: [2, 0] },
            { topic: 'a-topic', partition: 1, replicas: [0, 2], leader: 2, leaderEpoch: 3, isr: [2] },
          ],
        },
        {
          name: 'b-topic',
          partitions: [
            { topic: 'b-topic', partition: 0, replicas: [0, 2], leader: 0, leaderEpoch: 0, isr: [0, 2] },
          ],
        },
      ],
      topicsMarkedForDeletion: ['b-topic'],
    });
  });

  test('aPartitionWithoutStateZnodeHasNoLeader', async () => {
    const zk = new FakeZkSource();
    zk.assignments.set('new', new Map([[0, [1, 2]]]));
    const snapshot = await readZkSnapshot(zk);
    expect(snapshot.topics[0].partitions[0]).toMatchObject({ leader: -1, leaderEpoch: null, isr: [] });
    expect(snapshot.controllerId).toBeNull();
    expect(snapshot.controllerEpoch).toBeNull();
  });

  test('aBrokerGoneBetweenListAndReadIsLeftOut', async () => {
    const zk = new FakeZkSource();
    zk.registerBroker(1, 9093, 9991);
    const list = zk.getSortedBrokerList.bind(zk);
    zk.getSortedBrokerList = async () => [...(await list()), 5];
    const snapshot = await readZkSnapshot(zk);
    expect(snapshot.brokers.map((b) => b.id)).toEqual([1]);
  });

  test('zooKeeperErrorsReject', async () => {
    const zk = new FakeZkSource();
    zk.fail = new Error('CONNECTIONLOSS');
    await expect(readZkSnapshot(zk)).rejects.toThrow('CONNECTIONLOSS');
  });
});
