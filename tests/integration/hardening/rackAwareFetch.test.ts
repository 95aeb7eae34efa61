import { ApiKey, ErrorCode, type Struct } from '@samsa/protocol';
import { close, connectZk, liveTrackedProcesses, type ZkClient } from '../../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../../harness/broker';
import { expectEventually, KCAT, kafkaTopics, kcatProduce, runTool, waitForPartitionState } from '../../fault/support';
import { array, int32, int64, int8, jolokiaRead, sendHandBuilt, string } from './support';

/**
 * KIP-392 on two brokers in racks rack-0 and rack-1, both with
 * replica.selector.class=RackAwareReplicaSelector; broker 0 leads `racked`, broker 1 follows.
 * On the wire (Fetch v11 written byte by byte): the leader answers a consumer in rack-1 with
 * preferred_read_replica 1 and no records, one in rack-0, in no rack or in an unknown rack with
 * records and no preferred replica; the follower serves a v11 consumer fetch up to its high
 * watermark, and refuses a v10 one (NOT_LEADER_OR_FOLLOWER: no client metadata, leader only).
 * Acceptance: kcat (librdkafka) with client.rack=rack-1 reads every record, and the follower's
 * FetchConsumer request count shows it fetched from broker 1; with client.rack=rack-0 it does not.
 */
jest.setTimeout(60_000);

const TOPIC = 'racked';
const VALUES = Array.from({ length: 20 }, (_, i) => `r${i}`);
const SELECTOR = 'org.apache.kafka.common.replica.RackAwareReplicaSelector';

let cluster: ClusterHandle;
let leader: BrokerHandle;
let follower: BrokerHandle;
let zk: ZkClient;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 2,
    overrides: { 'auto.create.topics.enable': false, 'replica.selector.class': SELECTOR },
    brokerOverrides: (id) => ({ 'broker.rack': `rack-${id}` }),
  });
  [leader, follower] = [cluster.broker(0), cluster.broker(1)];
  zk = await connectZk(cluster.zkConnect);
  await kafkaTopics(cluster.zkConnect, ['--create', '--topic', TOPIC, '--replica-assignment', '0:1']);
  await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader === 0 && s.isr.length === 2, 'leader 0, ISR 0,1');
  await kcatProduce(cluster.bootstrap, TOPIC, VALUES, { partition: 0 });
});

afterAll(async () => {
  if (zk) await close(zk);
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

/** A consumer's Fetch (v10 or v11) of `racked` partition 0 from offset 0, answering at once. */
function fetchBody(version: 10 | 11, rack: string): Buffer[] {
  const partition = Buffer.concat([int32(0), int32(-1), int64(0), int64(-1), int32(1 << 20)]);
  return [
    int32(-1),
    int32(0),
    int32(0),
    int32(1 << 20),
    int8(0),
    int32(0),
    int32(-1),
    array([Buffer.concat([string(TOPIC), array([partition])])]),
    array([]),
    ...(version >= 11 ? [string(rack)] : []),
  ];
}

async function fetchFrom(b: BrokerHandle, version: 10 | 11, rack = ''): Promise<Struct> {
  const body = await sendHandBuilt(b, ApiKey.Fetch, version, fetchBody(version, rack));
  expect(body.errorCode).toBe(ErrorCode.NONE);
  return body.responses[0].partitionResponses[0];
}

const recordBytes = (p: Struct): number => (p.recordSet as Buffer | null)?.length ?? 0;
const FOLLOWER_CONSUMER_FETCHES = 'kafka.network:type=RequestMetrics,name=TotalTimeMs,request=FetchConsumer';

async function kcatConsumeInRack(rack: string): Promise<string[]> {
  const r = await runTool(KCAT, [
    '-C', '-b', cluster.bootstrap, '-t', TOPIC, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\n',
    '-X', 'auto.offset.reset=error', '-X', `client.rack=${rack}`,
  ]);
  if (r.code !== 0) throw new Error(`kcat -C in ${rack} failed (exit ${r.code}): ${r.stderr}`);
  return r.stdout === '' ? [] : r.stdout.replace(/\n$/, '').split('\n');
}

test('theLeaderPointsAConsumerInAFollowersRackToThatFollower', async () => {
  const inRack1 = await fetchFrom(leader, 11, 'rack-1');
  expect([inRack1.errorCode, inRack1.preferredReadReplica, recordBytes(inRack1), inRack1.highWatermark]).toEqual([0, 1, 0, VALUES.length]);
  for (const rack of ['rack-0', '', 'rack-9']) {
    const p = await fetchFrom(leader, 11, rack);
    expect([rack, p.preferredReadReplica]).toEqual([rack, -1]);
    expect(recordBytes(p)).toBeGreaterThan(0);
  }
});

test('theFollowerServesV11ConsumerFetchesUpToItsHighWatermarkAndRefusesOlderOnes', async () => {
  await expectEventually(async () => {
    const p = await fetchFrom(follower, 11, 'rack-1');
    expect([p.errorCode, p.highWatermark, p.preferredReadReplica]).toEqual([0, VALUES.length, -1]);
    expect(recordBytes(p)).toBeGreaterThan(0);
  });
  expect((await fetchFrom(follower, 10)).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
});

test('kcatWithClientRackFetchesFromTheFollowerInItsRack', async () => {
  const before = await jolokiaRead(follower, FOLLOWER_CONSUMER_FETCHES, 'Count');
  expect(await kcatConsumeInRack('rack-1')).toEqual(VALUES);
  const afterRack1 = await jolokiaRead(follower, FOLLOWER_CONSUMER_FETCHES, 'Count');
  expect(afterRack1).toBeGreaterThan(before);

  expect(await kcatConsumeInRack('rack-0')).toEqual(VALUES);
  expect(await jolokiaRead(follower, FOLLOWER_CONSUMER_FETCHES, 'Count')).toBe(afterRack1);
});
