import { TopicPartitionMap } from '@samsa/common';
import { ConfigType, KafkaZkClient, ZkData, ZkError, replicaAssignment, type LeaderIsrAndControllerEpoch } from '@samsa/zk';
import { exists, getChildren, getData, waitFor, type ZooKeeperHandle } from '../../harness';
import { zooKeeperSuite, freshChroot, kafkaZk, quietLogger, rootClient, text } from './support';

/**
 * What our client writes, read back raw from ZooKeeper and compared with what a Kafka 2.1 cluster
 * wrote (reference/kafka-2.1-samples/zk-*.txt), and read back through our own client.
 */
jest.setTimeout(30_000);

let zk: ZooKeeperHandle;
const cleanups = zooKeeperSuite('zookeeper zk/layout.test', (handle) => (zk = handle));

const T = (partition: number) => ({ topic: 'T', partition });

test('createTopLevelPathsMakesKafkasPersistentPaths', async () => {
  const chroot = freshChroot();
  const client = await kafkaZk(zk, cleanups, chroot);
  const root = await rootClient(zk, cleanups);
  await client.createTopLevelPaths();
  await client.createTopLevelPaths(); // idempotent
  // The top of the 2.1 capture "zk-3broker-01-before-create.txt" but for /cluster (made with its id
  // by createOrGetClusterId) and /controller, /controller_epoch (by the first controller).
  expect((await getChildren(root, chroot)).sort()).toEqual(
    [
      'admin',
      'brokers',
      'config',
      'consumers',
      'isr_change_notification',
      'latest_producer_id_block',
      'log_dir_event_notification',
    ].sort(),
  );
  expect((await getChildren(root, `${chroot}/brokers`)).sort()).toEqual(['ids', 'seqid', 'topics']);
  expect((await getChildren(root, `${chroot}/config`)).sort()).toEqual([
    'brokers',
    'changes',
    'clients',
    'topics',
    'users',
  ]);
  expect(await getChildren(root, `${chroot}/admin`)).toEqual(['delete_topics']);
  expect(ZkData.persistentZkPaths).toHaveLength(13);
});

test('topicAssignmentStateAndConfigZnodesLookLikeKafkas', async () => {
  const chroot = freshChroot();
  const client = await kafkaZk(zk, cleanups, chroot);
  const root = await rootClient(zk, cleanups);
  await client.createTopLevelPaths();
  const { epochZkVersion } = await client.registerControllerAndIncrementControllerEpoch(0);

  await client.setOrCreateEntityConfigs(ConfigType.Topic, 'segdemo', {
    'segment.bytes': '16384',
    'retention.ms': '3600000',
    'index.interval.bytes': '1024',
  });
  await client.setOrCreateEntityConfigs(ConfigType.Topic, 'T', {});
  await client.createTopicAssignment(
    'T',
    null,
    new Map([
      [0, [0, 1, 2]],
      [1, [1, 2, 0]],
      [2, [2, 0, 1]],
    ]),
  );
  await client.createTopicPartitionStatesRaw(
    new TopicPartitionMap<LeaderIsrAndControllerEpoch>(
      [0, 1, 2].map((p) => [
        T(p),
        {
          leaderAndIsr: { leader: p, leaderEpoch: 0, isr: [p, (p + 1) % 3, (p + 2) % 3], zkVersion: 0 },
          controllerEpoch: 1,
        },
      ]),
    ),
    epochZkVersion,
  );
  const change = await client.createConfigChangeNotification('topics/segdemo');

  expect(await text(root, `${chroot}/config/topics/segdemo`)).toBe(
    '{"version":1,"config":{"segment.bytes":"16384","retention.ms":"3600000","index.interval.bytes":"1024"}}',
  );
  expect(await text(root, `${chroot}/config/topics/T`)).toBe('{"version":1,"config":{}}');
  expect(JSON.parse(await text(root, `${chroot}/brokers/topics/T`))).toEqual({
    version: 2,
    partitions: { '2': [2, 0, 1], '1': [1, 2, 0], '0': [0, 1, 2] },
    adding_replicas: {},
    removing_replicas: {},
  });
  expect(await text(root, `${chroot}/brokers/topics/T/partitions/0/state`)).toBe(
    '{"controller_epoch":1,"leader":0,"version":1,"leader_epoch":0,"isr":[0,1,2]}',
  );
  expect(await text(root, `${chroot}/brokers/topics/T/partitions/1/state`)).toBe(
    '{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,2,0]}',
  );
  expect((await getChildren(root, `${chroot}/brokers/topics/T/partitions`)).sort()).toEqual(['0', '1', '2']);
  expect((await getData(root, `${chroot}/brokers/topics/T/partitions`)).stat.dataLength).toBe(0);
  expect(change).toBe('/config/changes/config_change_0000000000');
  expect(await text(root, `${chroot}${change}`)).toBe('{"version":2,"entity_path":"topics/segdemo"}');

  expect(await client.getAllTopicsInCluster()).toEqual(new Set(['T']));
  expect((await client.getReplicaAssignmentForTopics(['T', 'missing'])).entries()).toEqual([
    [T(0), [0, 1, 2]],
    [T(1), [1, 2, 0]],
    [T(2), [2, 0, 1]],
  ]);
  expect((await client.getFullReplicaAssignmentForTopics(['T'])).get(T(1))).toEqual(
    replicaAssignment([1, 2, 0]),
  );
  expect(await client.getTopicPartitionCount('T')).toBe(3);
  expect(await client.getTopicPartitionCount('missing')).toBeNull();
  expect((await client.getAllPartitions()).sort((x, y) => x.partition - y.partition)).toEqual([
    T(0),
    T(1),
    T(2),
  ]);
  expect((await client.getTopicPartitionState(T(2)))!.leaderAndIsr).toEqual({
    leader: 2,
    leaderEpoch: 0,
    isr: [2, 0, 1],
    zkVersion: 0,
  });
  expect(await client.getEntityConfigs(ConfigType.Topic, 'segdemo')).toEqual(
    new Map([
      ['segment.bytes', '16384'],
      ['retention.ms', '3600000'],
      ['index.interval.bytes', '1024'],
    ]),
  );
  expect(await client.getEntityConfigs(ConfigType.Topic, 'nothing')).toEqual(new Map());
  expect(await client.getTopicConfigs(['T', 'segdemo', 'nothing'])).toEqual(
    new Map([
      ['T', new Map()],
      ['segdemo', await client.getEntityConfigs(ConfigType.Topic, 'segdemo')],
      ['nothing', new Map()],
    ]),
  );
  expect((await client.getAllEntitiesWithConfig(ConfigType.Topic)).sort()).toEqual(['T', 'segdemo']);

  // Reassignment as a controller writes it back (KIP-455 fields), and the config overwritten.
  await client.setTopicAssignment(
    'T',
    null,
    new Map([[0, replicaAssignment([0, 1, 2, 3], [3], [])]]),
    epochZkVersion,
  );
  expect(JSON.parse(await text(root, `${chroot}/brokers/topics/T`))).toEqual({
    version: 2,
    partitions: { '0': [0, 1, 2, 3] },
    adding_replicas: { '0': [3] },
    removing_replicas: {},
  });
  await client.setOrCreateEntityConfigs(
    ConfigType.Topic,
    'segdemo',
    new Map([['cleanup.policy', 'compact']]),
  );
  expect(await text(root, `${chroot}/config/topics/segdemo`)).toBe(
    '{"version":1,"config":{"cleanup.policy":"compact"}}',
  );
});

test('topicDeletionMarkersAndTheControllersCleanUp', async () => {
  const client = await kafkaZk(zk, cleanups, freshChroot());
  await client.createTopLevelPaths();
  const { epochZkVersion } = await client.registerControllerAndIncrementControllerEpoch(0);
  await client.setOrCreateEntityConfigs(ConfigType.Topic, 'T', {});
  await client.createTopicAssignment('T', null, new Map([[0, [0]]]));
  await client.createTopicPartitionStatesRaw(
    new TopicPartitionMap([
      [T(0), { leaderAndIsr: { leader: 0, leaderEpoch: 0, isr: [0], zkVersion: 0 }, controllerEpoch: 1 }],
    ]),
    epochZkVersion,
  );
  await expect(client.createTopicAssignment('T', null, new Map([[0, [1]]]))).rejects.toMatchObject({
    code: 'NODEEXISTS',
  });

  const calls: string[][] = [];
  client.registerZNodeChildChangeHandler('/admin/delete_topics', {
    handleChildChange: () => void client.getTopicDeletions().then((t) => calls.push(t)),
  });
  expect(await client.getTopicDeletions()).toEqual([]);
  await client.createDeleteTopicPath('T');
  await waitFor(() => calls.length === 1, { what: 'the deletion watch' });
  expect(calls).toEqual([['T']]);
  expect(await client.isTopicMarkedForDeletion('T')).toBe(true);

  await client.deleteTopicZNode('T', epochZkVersion);
  await client.deleteTopicConfigs(['T'], epochZkVersion);
  await client.deleteTopicDeletions(['T'], epochZkVersion);
  expect(await client.topicExists('T')).toBe(false);
  expect(await client.pathExists('/config/topics/T')).toBe(false);
  expect(await client.isTopicMarkedForDeletion('T')).toBe(false);
  expect(await client.deleteRecursive('/brokers/topics/T')).toBe(false);
});

test('isrChangeNotificationsFromLeadersReachTheController', async () => {
  const chroot = freshChroot();
  const client = await kafkaZk(zk, cleanups, chroot);
  await client.createTopLevelPaths();
  const { epochZkVersion } = await client.registerControllerAndIncrementControllerEpoch(0);
  const first = await client.propagateIsrChanges([T(1), { topic: 'segdemo', partition: 0 }]);
  await client.propagateIsrChanges([T(2)]);
  expect(first).toBe('/isr_change_notification/isr_change_0000000000');
  const root = await rootClient(zk, cleanups);
  expect(await text(root, `${chroot}${first}`)).toBe(
    '{"version":1,"partitions":[{"topic":"T","partition":1},{"topic":"segdemo","partition":0}]}',
  );
  const sequenceNumbers = await client.getAllIsrChangeNotifications();
  expect(sequenceNumbers.sort()).toEqual(['0000000000', '0000000001']);
  expect(await client.getPartitionsFromIsrChangeNotifications(sequenceNumbers.sort())).toEqual([
    T(1),
    { topic: 'segdemo', partition: 0 },
    T(2),
  ]);
  await client.deleteIsrChangeNotifications(epochZkVersion);
  expect(await client.getAllIsrChangeNotifications()).toEqual([]);

  await client.propagateLogDirEvent(3);
  const events = await client.getAllLogDirEventNotifications();
  expect(await client.getBrokerIdsFromLogDirEvents(events)).toEqual([3]);
  await client.deleteLogDirEventNotifications(epochZkVersion, events);
  expect(await client.getAllLogDirEventNotifications()).toEqual([]);
});

test('adminRequestsClusterIdAndOldConsumerOffsetsRoundTrip', async () => {
  const client = await kafkaZk(zk, cleanups, freshChroot());
  await client.createTopLevelPaths();
  const { epochZkVersion } = await client.registerControllerAndIncrementControllerEpoch(0);

  await client.createPreferredReplicaElection([T(0), T(2)]);
  await expect(client.createPreferredReplicaElection([T(1)])).rejects.toMatchObject({ code: 'NODEEXISTS' });
  expect(await client.getPreferredReplicaElection()).toEqual([T(0), T(2)]);
  await client.deletePreferredReplicaElection(epochZkVersion);
  expect(await client.getPreferredReplicaElection()).toEqual([]);

  await client.createPartitionReassignment([[T(0), [1, 2, 3]]]);
  expect(await client.reassignPartitionsInProgress()).toBe(true);
  expect((await client.getPartitionReassignment()).entries()).toEqual([[T(0), [1, 2, 3]]]);
  await client.setOrCreatePartitionReassignment([[T(1), [3]]], epochZkVersion);
  expect((await client.getPartitionReassignment()).entries()).toEqual([[T(1), [3]]]);
  await client.deletePartitionReassignment(epochZkVersion);
  expect(await client.reassignPartitionsInProgress()).toBe(false);

  expect(await client.getClusterId()).toBeNull();
  expect(await client.createOrGetClusterId('Fkl_NzYORkGdLcAVksecNg')).toBe('Fkl_NzYORkGdLcAVksecNg');
  expect(await client.createOrGetClusterId('another-id')).toBe('Fkl_NzYORkGdLcAVksecNg');
  expect((await client.getDataAndStat('/cluster/id')).data!.toString()).toBe(
    '{"version":"1","id":"Fkl_NzYORkGdLcAVksecNg"}',
  );

  expect(await client.getConsumerOffset('g', T(0))).toBeNull();
  await client.setOrCreateConsumerOffset('g', T(0), 42);
  await client.setOrCreateConsumerOffset('g', T(0), 43);
  expect(await client.getConsumerOffset('g', T(0))).toBe(43);
  expect((await client.getDataAndStat('/consumers/g/offsets/T/0')).data!.toString()).toBe('43');
});

describe('chroot', () => {
  test('aBrokerCreatesItsChrootAndSeesOnlyWhatIsUnderIt', async () => {
    const chroot = '/samsa-test';
    const root = await rootClient(zk, cleanups);
    expect(await exists(root, chroot)).toBeNull();
    const client = await kafkaZk(zk, cleanups, chroot, { createChroot: true });
    await client.createTopLevelPaths();
    await client.registerBroker({ id: 0, endPoints: [], rack: null, features: {} });
    expect(await exists(root, `${chroot}/brokers/ids/0`)).not.toBeNull();
    expect(await exists(root, '/brokers')).toBeNull();
    expect(await client.getSortedBrokerList()).toEqual([0]);
    expect(await client.getChildren('/')).toContain('brokers');

    // Watches report chroot-relative paths, so handlers registered that way fire.
    const seen: number[][] = [];
    client.registerZNodeChildChangeHandler('/brokers/ids', {
      handleChildChange: () => void client.getSortedBrokerList().then((ids) => seen.push(ids)),
    });
    await client.getSortedBrokerList();
    const other = await kafkaZk(zk, cleanups, chroot, { createChroot: false });
    await other.registerBroker({ id: 1, endPoints: [], rack: null, features: {} });
    await waitFor(() => seen.length === 1, { what: 'the broker change under the chroot' });
    expect(seen).toEqual([[0, 1]]);
  });

  test('withoutCreateChrootAMissingChrootIsAnError', async () => {
    const client = await KafkaZkClient.connect(`${zk.connectString}/not-there`, { logger: quietLogger });
    cleanups.add(() => client.close(), client);
    const failure = client.createTopLevelPaths();
    await expect(failure).rejects.toBeInstanceOf(ZkError);
    await expect(failure).rejects.toMatchObject({ code: 'NONODE' });
  });
});
