import { MemoryLogger } from '@samsa/common';
import { ProducerIdManager } from '@samsa/coordinator';
import { ProducerIdBlockZNode, ZkVersion } from '@samsa/zk';
import { getData, remove, setData, type ZooKeeperHandle } from '../../harness';
import { freshChroot, kafkaZk, rootClient, text, zooKeeperSuite } from './support';

/**
 * /latest_producer_id_block through KafkaZkClient against a real ZooKeeper: created empty with the
 * persistent paths, read with its version, written conditionally on it (a stale version refused,
 * unless the znode already holds exactly the block written: our own write resent), created when
 * absent; and the ProducerIdManager's claims on top of it, two brokers racing.
 */
jest.setTimeout(30_000);

let zk: ZooKeeperHandle;
const cleanups = zooKeeperSuite('zookeeper zk/producerIdBlock.test', (handle) => (zk = handle));

const block = (brokerId: number, blockStart: number, blockEnd: number) =>
  ProducerIdBlockZNode.encode({ brokerId, blockStart, blockEnd });

test('theBlockZnodeIsCreatedEmptyAndWrittenConditionallyOnItsVersion', async () => {
  const chroot = freshChroot();
  const client = await kafkaZk(zk, cleanups, chroot);
  const root = await rootClient(zk, cleanups);
  await client.createTopLevelPaths();
  const path = `${chroot}/latest_producer_id_block`;
  const created = await getData(root, path);
  expect([created.data?.length ?? 0, created.stat.version]).toEqual([0, 0]);
  expect(await client.getProducerIdBlockDataAndVersion()).toEqual({ data: null, version: 0 });

  expect(await client.setOrCreateProducerIdBlock(block(0, 0, 999), 0)).toEqual({
    succeeded: true,
    version: 1,
  });
  expect(await text(root, path)).toBe('{"version":1,"broker":0,"block_start":"0","block_end":"999"}');
  // the same block again with the stale version: what a resend after a lost answer looks like
  expect(await client.setOrCreateProducerIdBlock(block(0, 0, 999), 0)).toEqual({
    succeeded: true,
    version: 1,
  });
  // another broker's block on a stale version: refused, nothing written
  expect(await client.setOrCreateProducerIdBlock(block(1, 0, 999), 0)).toEqual({
    succeeded: false,
    version: ZkVersion.UnknownVersion,
  });
  const read = await client.getProducerIdBlockDataAndVersion();
  expect([read.data?.toString(), read.version]).toEqual([
    '{"version":1,"broker":0,"block_start":"0","block_end":"999"}',
    1,
  ]);
});

test('anAbsentBlockZnodeIsCreatedOnceAndACreateRaceIsRefused', async () => {
  const chroot = freshChroot();
  const client = await kafkaZk(zk, cleanups, chroot);
  const root = await rootClient(zk, cleanups);
  await client.createTopLevelPaths();
  await remove(root, `${chroot}/latest_producer_id_block`);
  expect(await client.getProducerIdBlockDataAndVersion()).toEqual({
    data: null,
    version: ZkVersion.UnknownVersion,
  });
  const first = block(3, 0, 999);
  expect(await client.setOrCreateProducerIdBlock(first, ZkVersion.UnknownVersion)).toEqual({
    succeeded: true,
    version: 0,
  });
  expect(await client.setOrCreateProducerIdBlock(block(4, 0, 999), ZkVersion.UnknownVersion)).toEqual({
    succeeded: false,
    version: ZkVersion.UnknownVersion,
  });
  expect(await text(root, `${chroot}/latest_producer_id_block`)).toBe(first.toString());
});

test('twoManagersRacingOnOneZnodeClaimDistinctBlocksAndHandOutDistinctIds', async () => {
  const chroot = freshChroot();
  const a = await kafkaZk(zk, cleanups, chroot);
  const b = await kafkaZk(zk, cleanups, chroot);
  const root = await rootClient(zk, cleanups);
  await a.createTopLevelPaths();
  // a block claimed by a Kafka broker earlier (data as it writes it)
  await setData(root, `${chroot}/latest_producer_id_block`, block(9, 0, 999));
  const managers = [
    new ProducerIdManager({ brokerId: 0, zkClient: a, logger: new MemoryLogger() }),
    new ProducerIdManager({ brokerId: 1, zkClient: b, logger: new MemoryLogger() }),
  ];
  await Promise.all(managers.map((m) => m.startup()));
  const ids = await Promise.all(Array.from({ length: 2400 }, (_, i) => managers[i % 2].generateProducerId()));
  expect(new Set(ids).size).toBe(ids.length);
  expect(Math.min(...ids)).toBeGreaterThanOrEqual(1000);
  // 2 start-up claims + 2 more each after 1000 ids: 1 (Kafka's) + 4 setData on the created znode
  const { stat } = await getData(root, `${chroot}/latest_producer_id_block`);
  expect(stat.version).toBe(5);
  expect(await text(root, `${chroot}/latest_producer_id_block`)).toMatch(
    /^\{"version":1,"broker":[01],"block_start":"4000","block_end":"4999"\}$/,
  );
});
