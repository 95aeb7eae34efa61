import { close, connectZk, liveTrackedProcesses, type ZkClient } from '../../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../../harness/broker';
import { expectEventually, kafkaTopics, kcatConsume, kcatProduce, waitForPartitionState } from '../../fault/support';
import { jolokiaRead } from './support';

/**
 * KIP-227 through the followers: broker 1 follows 30 partitions led by broker 0. Its fetcher opens
 * one session on the leader (kafka.server:type=FetchSessionCache shows one session of 30
 * partitions), and once caught up its fetches are incremental: the leader's FetchFollower
 * RequestBytes has a large maximum (the full fetch naming all 30 partitions) and a small minimum
 * (an idle incremental fetch naming none). Replication still works: acks=all produces to several
 * partitions complete and read back, and the ISR keeps both replicas.
 */
jest.setTimeout(60_000);

const TOPIC = 'follower-sessions';
const PARTITIONS = 30;
/** Fetch v11 names each partition in 28 bytes: a full fetch of all 30 is larger than this. */
const FULL_FETCH_MIN_BYTES = PARTITIONS * 28;
/** An incremental fetch naming no partition: header, fixed fields, the topic and forgotten arrays. */
const IDLE_FETCH_MAX_BYTES = 120;

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
    // several idle fetches after the full one
    expect(await jolokiaRead(leader, FOLLOWER_BYTES, 'Count')).toBeGreaterThan(3);
  }, 30_000);
  expect(await jolokiaRead(leader, FOLLOWER_BYTES, 'Max')).toBeGreaterThan(FULL_FETCH_MIN_BYTES);
  expect(await jolokiaRead(leader, FOLLOWER_BYTES, 'Min')).toBeLessThan(IDLE_FETCH_MAX_BYTES);

  const written = [3, 17, 29];
  for (const p of written) await kcatProduce(cluster.bootstrap, TOPIC, [`v${p}-a`, `v${p}-b`], { partition: p });
  for (const p of written) expect(await kcatConsume(cluster.bootstrap, TOPIC, p)).toEqual([`v${p}-a`, `v${p}-b`]);
  for (const p of written) await waitForPartitionState(zk, TOPIC, p, (s) => s.isr.length === 2, 'ISR 0,1');
  // the same session carried it all: the appends and high watermarks went through incremental fetches
  expect(await jolokiaRead(leader, `${CACHE},name=NumIncrementalFetchSessions`)).toBe(1);
  expect(await jolokiaRead(leader, `${CACHE},name=IncrementalFetchSessionEvictionsPerSec`, 'Count')).toBe(0);
});
