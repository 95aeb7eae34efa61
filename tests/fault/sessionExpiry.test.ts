import { close, connectZk, exists, sleep, waitFor, type ZkClient } from '../harness';
import { startCluster, type ClusterHandle } from '../harness/broker';
import { kafkaTopics, kcatConsume, kcatProduce, messages, waitForPartitionState } from './support';

/**
 * ZooKeeper session expiry of a broker, the real way: the broker process is frozen (SIGSTOP) for
 * longer than zookeeper.session.timeout.ms, so ZooKeeper expires its session and deletes its
 * ephemeral /brokers/ids/<id>; thawed (SIGCONT), it must notice the expiry, open a new session,
 * register again, and rejoin the ISR of the partitions it follows.
 */
jest.setTimeout(120_000);

const SESSION_TIMEOUT_MS = 6000;
let cluster: ClusterHandle;
let zk: ZkClient;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 3,
    overrides: {
      'auto.create.topics.enable': false,
      'zookeeper.session.timeout.ms': SESSION_TIMEOUT_MS,
      'replica.lag.time.max.ms': 4000,
    },
  });
  zk = await connectZk(cluster.zkConnect);
});

afterAll(async () => {
  if (zk) await close(zk);
  await cluster?.stop();
});

async function registrationCzxid(id: number): Promise<number | null> {
  const stat = await exists(zk, `/brokers/ids/${id}`);
  return stat ? Number(stat.czxid.readBigInt64BE(0)) : null;
}

test('anExpiredBrokerReRegistersAndRejoinsTheIsr', async () => {
  const topic = 'expiry';
  await kafkaTopics(cluster.zkConnect, ['--create', '--topic', topic, '--replica-assignment', '0:1:2']);
  await waitForPartitionState(zk, topic, 0, (s) => s.isr.length === 3, 'a full ISR');
  await kcatProduce(cluster.bootstrap, topic, messages('before', 10), { partition: 0 });

  const victim = cluster.broker(2);
  const firstRegistration = await registrationCzxid(2);
  expect(firstRegistration).not.toBeNull();

  victim.pause();
  await waitFor(async () => (await registrationCzxid(2)) === null, {
    timeoutMs: SESSION_TIMEOUT_MS * 4,
    what: 'ZooKeeper to expire the frozen broker’s session',
  });
  // The controller reacts to the loss: broker 2 leaves the ISR; writes continue meanwhile.
  await waitForPartitionState(zk, topic, 0, (s) => !s.isr.includes(2), 'broker 2 out of the ISR');
  await kcatProduce(cluster.bootstrap, topic, messages('during', 10), { partition: 0 });
  await sleep(500);
  victim.resume();

  // A new session: a new registration (new czxid = new broker epoch), then back in the ISR.
  await waitFor(async () => {
    const czxid = await registrationCzxid(2);
    return czxid !== null && czxid !== firstRegistration;
  }, { timeoutMs: 30_000, what: 'broker 2 to register again under a new session' });
  await waitForPartitionState(zk, topic, 0, (s) => s.isr.includes(2), 'broker 2 back in the ISR', 30_000);
  expect(victim.output()).toMatch(/expired/i);

  await kcatProduce(cluster.bootstrap, topic, messages('after', 10), { partition: 0 });
  expect(await kcatConsume(cluster.bootstrap, topic, 0)).toEqual([
    ...messages('before', 10),
    ...messages('during', 10),
    ...messages('after', 10),
  ]);
});
