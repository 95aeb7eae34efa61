import { ApiKey, ErrorCode, type Struct } from '@samsa/protocol';
import { createTopic, kcatProduce, waitForPartitionState } from '../../fault/support';
import { array, int32, int64, int8, sendHandBuilt, startSingleBroker, stillServes, stopSingleBroker, string, waitUntilServed, type SingleBroker } from './support';

/**
 * Fetch sessions (KIP-227) on the wire, with Fetch v7 and v11 requests written byte by byte (no
 * client library we test with uses sessions): a full fetch with epoch 0 creates a session and
 * answers every partition; incremental fetches (the session id, the next epoch) read the whole
 * session and answer only partitions with something new; forgotten partitions leave it; a wrong
 * epoch answers INVALID_FETCH_SESSION_EPOCH, an unknown id FETCH_SESSION_ID_NOT_FOUND (top-level,
 * no partitions, session id 0); epoch -1 creates no session; a full fetch naming a session closes
 * it. Then kcat still produces and consumes on the same broker process.
 */
jest.setTimeout(60_000);

const TOPIC = 'sessions';
let env: SingleBroker;

beforeAll(async () => {
  env = await startSingleBroker('sessions-probe');
  await createTopic(env.cluster.zkConnect, TOPIC, 3, 1);
  for (const p of [0, 1, 2]) await waitForPartitionState(env.zk, TOPIC, p, (s) => s.leader === 0, 'leader 0');
  await waitUntilServed(env.broker, TOPIC);
});

afterAll(async () => {
  await stopSingleBroker(env ?? {});
});

interface FetchSpec {
  readonly version: 7 | 11;
  readonly sessionId: number;
  readonly epoch: number;
  /** [partition, fetch offset] of TOPIC */
  readonly partitions?: readonly (readonly [number, number])[];
  readonly forgotten?: readonly number[];
}

/** A consumer's Fetch (replica id -1, no wait) as bytes: v7 fields, plus v9's leader epoch and v11's rack id. */
function fetchBody(f: FetchSpec): Buffer[] {
  const partitions = (f.partitions ?? []).map(([p, offset]) =>
    Buffer.concat([int32(p), ...(f.version >= 9 ? [int32(-1)] : []), int64(offset), int64(-1), int32(1 << 20)]),
  );
  return [
    int32(-1), // replica id
    int32(0), // max wait
    int32(0), // min bytes
    int32(1 << 20), // max bytes
    int8(0), // isolation level
    int32(f.sessionId),
    int32(f.epoch),
    array(partitions.length > 0 ? [Buffer.concat([string(TOPIC), array(partitions)])] : []),
    array(f.forgotten?.length ? [Buffer.concat([string(TOPIC), array(f.forgotten.map(int32))])] : []),
    ...(f.version >= 11 ? [string('')] : []),
  ];
}

async function fetchSession(f: FetchSpec): Promise<{ errorCode: number; sessionId: number; answered: Map<number, Struct> }> {
  const body = await sendHandBuilt(env.broker, ApiKey.Fetch, f.version, fetchBody(f));
  const answered = new Map<number, Struct>();
  for (const t of body.responses as Struct[]) {
    expect(t.topic).toBe(TOPIC);
    for (const p of t.partitionResponses as Struct[]) answered.set(p.partition as number, p);
  }
  return { errorCode: body.errorCode as number, sessionId: body.sessionId as number, answered };
}

const ALL: readonly (readonly [number, number])[] = [
  [0, 0],
  [1, 0],
  [2, 0],
];

test('aSessionAnswersOnlyWhatChangedAndRefusesWrongEpochsAndUnknownIds', async () => {
  const full = await fetchSession({ version: 7, sessionId: 0, epoch: 0, partitions: ALL });
  expect(full.errorCode).toBe(ErrorCode.NONE);
  expect(full.sessionId).not.toBe(0);
  expect([...full.answered.keys()].sort()).toEqual([0, 1, 2]);
  const id = full.sessionId;

  // nothing new: an incremental fetch naming no partition answers none
  const idle = await fetchSession({ version: 7, sessionId: id, epoch: 1 });
  expect(idle).toEqual({ errorCode: ErrorCode.NONE, sessionId: id, answered: new Map() });

  // a record on partition 1: only partition 1 comes back, with it (and its new high watermark)
  await kcatProduce(env.cluster.bootstrap, TOPIC, ['one'], { partition: 1 });
  const changed = await fetchSession({ version: 7, sessionId: id, epoch: 2 });
  expect(changed.sessionId).toBe(id);
  expect([...changed.answered.keys()]).toEqual([1]);
  expect(changed.answered.get(1)!.highWatermark).toBe(1);
  expect((changed.answered.get(1)!.recordSet as Buffer).length).toBeGreaterThan(0);

  // the fetcher moves partition 1's offset past the record: nothing to answer any more
  const moved = await fetchSession({ version: 11, sessionId: id, epoch: 3, partitions: [[1, 1]] });
  expect(moved).toEqual({ errorCode: ErrorCode.NONE, sessionId: id, answered: new Map() });

  // replaying epoch 3, or skipping to 9: INVALID_FETCH_SESSION_EPOCH, no partitions, session id 0
  for (const epoch of [3, 9]) {
    expect(await fetchSession({ version: 7, sessionId: id, epoch })).toEqual({
      errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH,
      sessionId: 0,
      answered: new Map(),
    });
  }
  // an id the broker never gave out
  const unknown = id === 0x7fffffff ? 1 : id + 1;
  expect(await fetchSession({ version: 7, sessionId: unknown, epoch: 1, partitions: ALL })).toEqual({
    errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND,
    sessionId: 0,
    answered: new Map(),
  });

  // the session is still there at epoch 4: forgetting partition 0 keeps it out of later answers
  expect((await fetchSession({ version: 7, sessionId: id, epoch: 4, forgotten: [0] })).errorCode).toBe(ErrorCode.NONE);
  await kcatProduce(env.cluster.bootstrap, TOPIC, ['zero'], { partition: 0 });
  await kcatProduce(env.cluster.bootstrap, TOPIC, ['two'], { partition: 2 });
  const afterForget = await fetchSession({ version: 7, sessionId: id, epoch: 5 });
  expect([...afterForget.answered.keys()]).toEqual([2]);

  // a full fetch naming the session closes it; the old id is then unknown
  const reopened = await fetchSession({ version: 11, sessionId: id, epoch: 0, partitions: ALL });
  expect(reopened.errorCode).toBe(ErrorCode.NONE);
  expect(reopened.sessionId).not.toBe(id);
  expect([...reopened.answered.keys()].sort()).toEqual([0, 1, 2]);
  expect((await fetchSession({ version: 7, sessionId: id, epoch: 6 })).errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  // the new one works from epoch 1
  expect((await fetchSession({ version: 7, sessionId: reopened.sessionId, epoch: 1 })).errorCode).toBe(ErrorCode.NONE);
});

test('epochMinusOneIsAFullFetchWithoutASession', async () => {
  const r = await fetchSession({ version: 11, sessionId: 0, epoch: -1, partitions: ALL });
  expect(r.errorCode).toBe(ErrorCode.NONE);
  expect(r.sessionId).toBe(0);
  expect([...r.answered.keys()].sort()).toEqual([0, 1, 2]);
  await stillServes(env.cluster, { pids: env.pids, topic: 'sessions-probe' });
});
