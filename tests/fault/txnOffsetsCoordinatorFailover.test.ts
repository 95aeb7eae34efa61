import { ApiKey } from '@samsa/protocol';
import { close, connectZk, waitFor, type ZkClient } from '../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../harness/broker';
import { sendTxnMarker, sendTxnOffsetCommit } from '../integration/transactions/txnOffsetsWire';
import { createTopic, ErrorCode, errorName, rawRequest, waitForPartitionState } from './support';

/**
 * kill -9 of a group's coordinator while a transaction that committed the group's offsets is still
 * open: the offsets were replicated to the follower as a transactional batch of the producer; the
 * follower, made leader of the group's __consumer_offsets partition, loads the group with those
 * offsets pending (invisible, the committed ones of earlier transactions visible), and the
 * transaction coordinator's COMMIT marker, sent to the new leader, makes them visible there.
 */
jest.setTimeout(180_000);

const GROUP = 'failover-txn-group';
const TOPIC = 'failover-txn-input';

let cluster: ClusterHandle;
let zk: ZkClient;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 2,
    overrides: {
      'offsets.topic.replication.factor': 2,
      'offsets.topic.num.partitions': 1,
      'auto.create.topics.enable': false,
    },
  });
  zk = await connectZk(cluster.zkConnect);
  await createTopic(cluster.zkConnect, TOPIC, 1, 2);
  await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader >= 0, 'a leader');
}, 90_000);

afterAll(async () => {
  if (zk) await close(zk);
  await cluster?.stop();
});

/** The broker that coordinates GROUP once it answers OffsetFetch (its partition loaded), asked of `via`. */
async function coordinator(via: BrokerHandle): Promise<BrokerHandle> {
  return waitFor(
    async () => {
      const r = await rawRequest(via.port, ApiKey.FindCoordinator, 1, { key: GROUP, keyType: 0 }).catch(
        () => null,
      );
      if (r === null || r.errorCode !== ErrorCode.NONE) return null;
      const b = cluster.brokers.find((x) => x.brokerId === r.nodeId);
      if (!b) return null;
      const f = await rawRequest(b.port, ApiKey.OffsetFetch, 5, { groupId: GROUP, topics: null }).catch(
        () => null,
      );
      return f !== null && f.errorCode === ErrorCode.NONE ? b : null;
    },
    { timeoutMs: 60_000, what: `a loaded coordinator for ${GROUP}` },
  );
}

async function committedOffset(b: BrokerHandle): Promise<number> {
  const r = await rawRequest(b.port, ApiKey.OffsetFetch, 5, {
    groupId: GROUP,
    topics: [{ name: TOPIC, partitionIndexes: [0] }],
  });
  if (r.errorCode !== ErrorCode.NONE) throw new Error(`OffsetFetch: ${errorName(r.errorCode)}`);
  return r.topics[0].partitions[0].committedOffset as number;
}

test('kill -9 of the coordinator with a transaction open: the new one holds its offsets pending until the COMMIT marker', async () => {
  const first = await coordinator(cluster.brokers[0]);
  // an earlier transaction, committed
  expect(await sendTxnOffsetCommit(first, GROUP, 2000, [[TOPIC, 0, 10]])).toEqual([`${TOPIC}:0 NONE`]);
  expect(await sendTxnMarker(first, 2000, true, { __consumer_offsets: [0] })).toEqual([
    '2000 __consumer_offsets:0 NONE',
  ]);
  await waitFor(async () => ((await committedOffset(first)) === 10 ? true : null), {
    timeoutMs: 15_000,
    what: 'the first transaction’s offset committed',
  });
  // the open one: answered once both replicas have it (offsets.commit.required.acks -1)
  expect(await sendTxnOffsetCommit(first, GROUP, 2001, [[TOPIC, 0, 25]])).toEqual([`${TOPIC}:0 NONE`]);
  expect(await committedOffset(first)).toBe(10);

  await first.kill();
  const other = cluster.brokers.find((b) => b !== first)!;
  await waitForPartitionState(
    zk,
    '__consumer_offsets',
    0,
    (s) => s.leader === other.brokerId,
    'the other leader',
  );
  const second = await coordinator(other);
  expect(second.brokerId).toBe(other.brokerId);
  expect(await committedOffset(second)).toBe(10);

  expect(await sendTxnMarker(second, 2001, true, { __consumer_offsets: [0] })).toEqual([
    '2001 __consumer_offsets:0 NONE',
  ]);
  await waitFor(async () => ((await committedOffset(second)) === 25 ? true : null), {
    timeoutMs: 15_000,
    what: 'the open transaction’s offset committed by its marker on the new coordinator',
  });
});
