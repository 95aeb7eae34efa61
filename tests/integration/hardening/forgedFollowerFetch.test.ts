import { ApiKey, ErrorCode, type Struct } from '@samsa/protocol';
import { close, connectZk, liveTrackedProcesses, type ZkClient } from '../../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../../harness/broker';
import {
  errorName,
  kafkaTopics,
  kcatProduce,
  rawRequest,
  recordBatch,
  waitForPartitionState,
} from '../../fault/support';
import { array, brokerPids, int32, stillServes, string, sendHandBuilt } from './support';

/**
 * Issue 13, row 3, on two real brokers: a Fetch that claims to come from a follower must not move
 * that follower's position (and so the high watermark) unless the fetch offset is within the
 * leader's log and the replica is assigned. Broker 0 leads `forged` (replicas 0, 1,
 * min.insync.replicas=2); broker 1 is SIGSTOPped, so an acks=all produce cannot complete. A Fetch v11
 * written byte by byte with replica id 1 and offset 1,000,000 answers OFFSET_OUT_OF_RANGE (Kafka's
 * Log.read) and the produce still times out; a replica id outside the assignment gets no records and
 * moves nothing (Kafka 2.8's withEmptyFetchInfo). Then broker 1 resumes and kcat still works.
 */
jest.setTimeout(60_000);

const TOPIC = 'forged';
const PRODUCE_TIMEOUT_MS = 4000;

let cluster: ClusterHandle;
let leader: BrokerHandle;
let follower: BrokerHandle;
let zk: ZkClient;
let pids: ReadonlyMap<number, number | undefined>;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 2,
    // nothing shrinks the ISR or expires a session while broker 1 is stopped: only a forged fetch could complete the produce
    overrides: {
      'auto.create.topics.enable': false,
      'replica.lag.time.max.ms': 30_000,
      'zookeeper.session.timeout.ms': 20_000,
    },
  });
  [leader, follower] = [cluster.broker(0), cluster.broker(1)];
  pids = brokerPids(cluster);
  zk = await connectZk(cluster.zkConnect);
  await kafkaTopics(cluster.zkConnect, [
    '--create',
    '--topic',
    TOPIC,
    '--replica-assignment',
    '0:1',
    '--config',
    'min.insync.replicas=2',
  ]);
  await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader === 0 && s.isr.length === 2, 'leader 0, ISR 0,1');
});

afterAll(async () => {
  follower?.resume();
  if (zk) await close(zk);
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

function int8(v: number): Buffer {
  const b = Buffer.alloc(1);
  b.writeInt8(v);
  return b;
}

function int64(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(v));
  return b;
}

/** Fetch v11 of `forged` partition 0 from `fetchOffset`, as `replicaId`, answering at once. */
function fetchV11(replicaId: number, fetchOffset: number): Buffer[] {
  const partition = Buffer.concat([int32(0), int32(-1), int64(fetchOffset), int64(-1), int32(1 << 20)]);
  return [
    int32(replicaId),
    int32(0), // max wait
    int32(0), // min bytes
    int32(1 << 20), // max bytes
    int8(0), // isolation level
    int32(0), // session id
    int32(-1), // session epoch: a full fetch without a session
    array([Buffer.concat([string(TOPIC), array([partition])])]),
    array([]), // forgotten topics
    string(''), // rack id
  ];
}

/** Sends a hand-built Fetch v11 to the leader; its one partition's answer. */
async function fetchAs(replicaId: number, fetchOffset: number): Promise<Struct> {
  const body = await sendHandBuilt(leader, ApiKey.Fetch, 11, fetchV11(replicaId, fetchOffset));
  expect(body.errorCode).toBe(ErrorCode.NONE);
  return body.responses[0].partitionResponses[0];
}

const recordBytes = (p: Struct): number => (p.recordSet as Buffer | null)?.length ?? 0;

test('aForgedFollowerFetchPastTheLogEndIsOutOfRangeAndDoesNotCompleteAnAcksAllProduce', async () => {
  await kcatProduce(cluster.bootstrap, TOPIC, ['replicated'], { partition: 0 });
  const hw = (await fetchAs(-1, 0)).highWatermark;
  expect(hw).toBe(1);

  follower.pause();
  try {
    const started = Date.now();
    const waiting = rawRequest(leader.port, ApiKey.Produce, 7, {
      transactionalId: null,
      acks: -1,
      timeoutMs: PRODUCE_TIMEOUT_MS,
      topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: recordBatch(['waiting']) }] }],
    });
    await new Promise((r) => setTimeout(r, 300)); // appended on the leader, waiting for broker 1

    // broker 1's id with an offset far past the log end: refused, and broker 1 still holds nothing new
    const forged = await fetchAs(1, 1_000_000);
    expect(errorName(forged.errorCode)).toBe('OFFSET_OUT_OF_RANGE');
    expect(recordBytes(forged)).toBe(0);
    expect((await fetchAs(-1, 0)).highWatermark).toBe(hw); // (before the fix: 2, and the produce completed)

    // a replica id outside the assignment: Kafka 2.8 answers NONE with no records and records nothing
    const consumer = await fetchAs(-1, 0);
    expect(recordBytes(consumer)).toBeGreaterThan(0); // there is something a follower could read
    const stranger = await fetchAs(7, 0);
    expect(errorName(stranger.errorCode)).toBe('NONE');
    expect(recordBytes(stranger)).toBe(0);
    expect(errorName((await fetchAs(7, 1_000_000)).errorCode)).toBe('OFFSET_OUT_OF_RANGE');

    const produced = (await waiting).responses[0].partitionResponses[0];
    expect(errorName(produced.errorCode)).toBe('REQUEST_TIMED_OUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(PRODUCE_TIMEOUT_MS - 100);
    expect((await fetchAs(-1, 0)).highWatermark).toBe(hw);
  } finally {
    follower.resume();
  }
  const values = await stillServes(cluster, { pids, topic: TOPIC });
  expect(values.slice(0, 2)).toEqual(['replicated', 'waiting']);
});
