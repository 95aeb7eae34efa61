import {
  close,
  connectZk,
  create,
  exists,
  startZooKeeper,
  type ZkClient,
  type ZooKeeperHandle,
} from '../../harness';
import { expectBrokerStartupFailure } from '../../harness/broker';

/**
 * A broker that cannot claim its block of producer ids at start-up does not start (Kafka: the
 * ProducerIdManager's constructor throws out of KafkaServer.startup): here /latest_producer_id_block
 * holds what no broker wrote, so the claim cannot read the last block. Exit 1, the reason logged,
 * and its registration gone with it.
 */
jest.setTimeout(60_000);

let zkServer: ZooKeeperHandle;
let zk: ZkClient;

beforeAll(async () => {
  zkServer = await startZooKeeper();
  zk = await connectZk(zkServer.connectString);
});

afterAll(async () => {
  if (zk) await close(zk);
  await zkServer?.stop();
});

test('anUnreadableProducerIdBlockZnodeStopsTheBrokerAtStartUp', async () => {
  await create(zk, '/latest_producer_id_block', '{"version":1,"broker":0,"block_start":"x"}');
  const failure = await expectBrokerStartupFailure({ zkConnect: zkServer.connectString, brokerId: 0 });
  expect(failure.exitCode).toBe(1);
  expect(failure.output).toMatch(/Fatal error during startup: no block of producer ids could be claimed: /);
  expect(failure.output).not.toMatch(/\[KafkaServer id=0\] started/);
  expect(await exists(zk, '/brokers/ids/0')).toBeNull();
});
