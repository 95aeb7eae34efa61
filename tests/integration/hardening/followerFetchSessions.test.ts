import { close, connectZk, liveTrackedProcesses, type ZkClient } from '../../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../../harness/broker';
import { expectEventually, kafkaTopics, kcatConsume, kcatProduce, waitForPartitionState } from '../../fault/support';
import { jolokiaRead } from './support';

/**
 * KIP-227 through the followers: broker 1 follows 30 partitions led by broker 0. Its fetcher opens
 * one session on the leader (kafka.server:type=FetchSessionCache shows one session of 30
 * partitions), and once caught up its fetches are incremental: over the fetches that follow (the
 * leader's FetchFollower RequestBytes histogram, count and mean, read twice), a fetch is smaller
 * than a full fetch naming the 30 partitions could be (an idle incremental fetch names none).
 * Replication still works: acks=all produces to several partitions complete and read back, and
 * the ISR keeps both replicas.
 */
jest.setTimeout(60_000);

const TOPIC = 'follower-sessions';
const PARTITIONS = 30;
/** Fetch v11 names each partition in 28 bytes: a full fetch of all 30 is larger than this. */
const FULL_FETCH_MIN_BYTES = PARTITIONS * 28;
/** The mean request size of idle incremental fetches stays under this. */
const IDLE_FETCH_MAX_BYTES = 100;

let cluster: ClusterHandle;
let leader: BrokerHandle;
let zk: ZkClient;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 2, overrides: { 'auto.create.topics.enable': false } });
  leader = cluster.broker(0);
  zk = await connectZk(cluster.zkConnect);
  const assignment = Array.from({ length: PARTITIONS }, () => '0:1').join(',');
  await kafkaTopics(cluster.zkConnect, ['--create', '--topic', TOPIC, '--replica-assignment', assignment]);
  for (let p = 0; p < PARTITIONS; p++) {
    await waitForPartitionState(zk, TOPIC, p, (s) => s.leader === 0 && s.isr.length === 2, 'leader 0, ISR 0,1');
  }
});

afterAll(async () => {
  if (zk) await close(zk);
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

const FOLLOWER_BYTES = 'kafka.network:type=RequestMetrics,name=RequestBytes,request=FetchFollower';
const CACHE = 'kafka.server:type=FetchSessionCache';

test('theFollowerFetchesIncrementallyFromOneSessionAndStillReplicates', async () => {
  await expectEventually(async () => {
    expect(await jolokiaRead(leader, `${CACHE},name=NumIncrementalFetchSessions`)).toBe(1);
    expect(await jolokiaRead(leader, `${CACHE},name=NumIncrementalFetchPartitionsCached`)).toBe(PARTITIONS);
  }, 30_000);
  const histogram = async () => ({
    count: await jolokiaRead(leader, FOLLOWER_BYTES, 'Count'),
    mean: await jolokiaRead(leader, FOLLOWER_BYTES, 'Mean'),
  });
  // a few fetches to let the last partitions added join the session, then the idle ones
  const fetchesAfter = async (from: { count: number; mean: number }) => {
    let now = from;
    await expectEventually(async () => {
      now = await histogram();
      expect(now.count - from.count).toBeGreaterThanOrEqual(4);
    }, 30_000);
    return now;
  };
  const before = await fetchesAfter(await histogram());
  const after = await fetchesAfter(before);
  const meanSince = (after.mean * after.count - before.mean * before.count) / (after.count - before.count);
  // an idle incremental fetch is ~63 bytes (no partition named); one naming all 30 is over 840
  expect(meanSince).toBeLessThan(IDLE_FETCH_MAX_BYTES);
  expect(IDLE_FETCH_MAX_BYTES * 4).toBeLessThan(FULL_FETCH_MIN_BYTES);

  const written = [3, 17, 29];
  for (const p of written) await kcatProduce(cluster.bootstrap, TOPIC, [`v${p}-a`, `v${p}-b`], { partition: p });
  for (const p of written) expect(await kcatConsume(cluster.bootstrap, TOPIC, p)).toEqual([`v${p}-a`, `v${p}-b`]);
  for (const p of written) await waitForPartitionState(zk, TOPIC, p, (s) => s.isr.length === 2, 'ISR 0,1');
  // the same session carried it all: the appends and high watermarks went through incremental fetches
  expect(await jolokiaRead(leader, `${CACHE},name=NumIncrementalFetchSessions`)).toBe(1);
  expect(await jolokiaRead(leader, `${CACHE},name=IncrementalFetchSessionEvictionsPerSec`, 'Count')).toBe(0);
});
