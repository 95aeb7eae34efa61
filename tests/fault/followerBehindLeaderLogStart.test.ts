import * as fs from 'fs';
import * as path from 'path';
import { ApiKey } from '@samsa/protocol';
import { close, connectZk, liveTrackedProcesses, waitFor, type ZkClient } from '../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../harness/broker';
import {
  errorName,
  kafkaTopics,
  kcatConsume,
  kcatProduce,
  messages,
  rawRequest,
  waitForPartitionState,
} from './support';

/**
 * Issue 13, row 12, as a scenario on two brokers: "stop the follower, write, DeleteRecords on the
 * leader past the follower's log end, start the follower again". Its fetch at its old log end is
 * OFFSET_OUT_OF_RANGE; the leader's log end is above the follower's and its log start is above the
 * follower's end too, so (Kafka 2.8's fetchOffsetAndTruncate) the follower truncates fully and
 * starts at the leader's log start offset — and then holds exactly the leader's records from there:
 * led by it, a consumer reads them all at the same offsets. (The case where the follower must keep
 * its log — the leader's log covers its end again by the time it asks — needs a race the cluster
 * cannot be made to run on demand; `outOfRangeTruncation`'s unit tests cover it.)
 */
jest.setTimeout(120_000);

const TOPIC = 'behind-start';

let cluster: ClusterHandle;
let leader: BrokerHandle;
let follower: BrokerHandle;
let zk: ZkClient;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 2, overrides: { 'auto.create.topics.enable': false } });
  [leader, follower] = [cluster.broker(0), cluster.broker(1)];
  zk = await connectZk(cluster.zkConnect);
  await kafkaTopics(cluster.zkConnect, ['--create', '--topic', TOPIC, '--replica-assignment', '0:1']);
  await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader === 0 && s.isr.length === 2, 'leader 0, ISR 0,1');
});

afterAll(async () => {
  if (zk) await close(zk);
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

/** The base offsets of the partition's segment files in a broker's log dir. */
function segmentBaseOffsets(broker: BrokerHandle): number[] {
  const dir = path.join(broker.logDir, `${TOPIC}-0`);
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{20}\.log$/.test(f))
    .map((f) => Number(f.slice(0, 20)))
    .sort((a, b) => a - b);
}

test('aFollowerBehindTheLeadersLogStartStartsOverThereAndHoldsTheLeadersRecords', async () => {
  const before = messages('before', 5);
  const during = messages('during', 20);
  await kcatProduce(cluster.bootstrap, TOPIC, before, { partition: 0 }); // acks=all: the follower holds 0..4

  await follower.stop(); // controlled shutdown: broker 0 keeps leading, alone in the ISR
  await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader === 0 && s.isr.join() === '0', 'leader 0, ISR 0');
  await kcatProduce(leader.bootstrap, TOPIC, during, { partition: 0 }); // offsets 5..24

  const deleted = await rawRequest(leader.port, ApiKey.DeleteRecords, 1, {
    topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, offset: 15 }] }],
    timeoutMs: 10_000,
  });
  const d = deleted.topics[0].partitions[0];
  expect({ error: errorName(d.errorCode), lowWatermark: Number(d.lowWatermark) }).toEqual({ error: 'NONE', lowWatermark: 15 });

  const outputFrom = follower.output().length;
  await follower.restart();
  await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader === 0 && s.isr.length === 2, 'broker 1 back in the ISR', 60_000);
  const said = follower.output().slice(outputFrom);
  expect(said).toMatch(new RegExp(`Reset fetch offset for ${TOPIC}-0 from 5 to the leader's start offset 15`));
  // Its old segment is gone. The leader's start (15) fell inside the batch of offsets 5..24 that the
  // leader sends for it, so the follower's first segment starts at that batch (Kafka's
  // appendRecordsToFollowerOrFutureReplica) and its log start offset follows the leader's.
  expect(said).not.toMatch(/Unexpected offset in append/);
  const segments = segmentBaseOffsets(follower);
  expect(segments).not.toContain(0);
  expect(segments[0]).toBeGreaterThanOrEqual(5);
  expect(segments[0]).toBeLessThanOrEqual(15);

  // Broker 1 leads now: what a consumer reads comes from its log alone.
  await leader.stop();
  await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader === 1, 'leader 1');
  await waitFor(async () => ((await kcatConsume(follower.bootstrap, TOPIC, 0)).length > 0 ? true : null), {
    what: 'broker 1 to serve the partition',
    timeoutMs: 20_000,
  });
  expect(await kcatConsume(follower.bootstrap, TOPIC, 0)).toEqual(during.slice(10));
  const earliest = await rawRequest(follower.port, ApiKey.ListOffsets, 1, {
    replicaId: -1,
    topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, timestamp: -2 }] }],
  });
  expect(Number(earliest.topics[0].partitions[0].offset)).toBe(15);

  await leader.restart();
  await kcatProduce(cluster.bootstrap, TOPIC, ['after'], { partition: 0 });
  expect(await kcatConsume(cluster.bootstrap, TOPIC, 0)).toEqual([...during.slice(10), 'after']);
});
