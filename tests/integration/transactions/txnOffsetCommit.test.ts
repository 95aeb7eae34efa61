import { partitionFor } from '@samsa/coordinator';
import {
  ApiKey,
  ControlRecordType,
  decodeBatches,
  decodeControlRecordType,
  isControl,
  isTransactional,
} from '@samsa/protocol';
import {
  createTopic,
  ErrorCode,
  errorName,
  expectEventually,
  rawRequest,
  waitForPartitionState,
} from '../../fault/support';
import {
  startSingleBroker,
  stopSingleBroker,
  waitUntilServed,
  type SingleBroker,
} from '../hardening/support';
import { sendTxnMarker, sendTxnOffsetCommit } from './txnOffsetsWire';

/**
 * Transactional offset commits through the network, as a transactional producer's
 * sendOffsetsToTransaction and its coordinator's markers reach the group coordinator (Kafka 2.8's
 * handleTxnOffsetCommitRequest and handleWriteTxnMarkersRequest): TxnOffsetCommit writes the
 * offsets to __consumer_offsets as a transactional batch of the producer, invisible to OffsetFetch
 * until a WriteTxnMarkers COMMIT marker is written there; an ABORT marker drops them; after the
 * broker is killed and restarted, the load replays the control batches (committed offsets back,
 * aborted ones not) and a transaction still open at the kill stays pending until its marker.
 * TxnOffsetCommit v0 and WriteTxnMarkers v0 are built by hand on the wire (the requests librdkafka
 * and the transaction coordinator send).
 */
jest.setTimeout(120_000);

const TOPIC = 'txn-offsets';
const GROUP = 'g-tx';
const OFFSETS_PARTITIONS = 3;
const OFFSETS_PARTITION = partitionFor(GROUP, OFFSETS_PARTITIONS);

let env: SingleBroker;

beforeAll(async () => {
  env = await startSingleBroker(TOPIC, {
    overrides: { 'offsets.topic.num.partitions': OFFSETS_PARTITIONS, 'offsets.topic.replication.factor': 1 },
  });
  await createTopic(env.cluster.zkConnect, 'other', 1, 1);
  await waitForPartitionState(env.zk, 'other', 0, (s) => s.leader === 0, 'leader 0');
  await waitUntilServed(env.broker, 'other');
  await coordinatorReady();
});

afterAll(async () => {
  await stopSingleBroker(env ?? {});
});

/** FindCoordinator (creating __consumer_offsets the first time), then until the group's partition is loaded. */
async function coordinatorReady(): Promise<void> {
  await expectEventually(async () => {
    const r = await rawRequest(env.broker.port, ApiKey.FindCoordinator, 2, { key: GROUP, keyType: 0 });
    if (r.errorCode !== ErrorCode.NONE) throw new Error(`FindCoordinator: ${errorName(r.errorCode)}`);
    const f = await rawRequest(env.broker.port, ApiKey.OffsetFetch, 5, { groupId: GROUP, topics: null });
    if (f.errorCode !== ErrorCode.NONE) throw new Error(`OffsetFetch: ${errorName(f.errorCode)}`);
  }, 60_000);
}

async function txnCommit(
  producerId: number,
  offsets: readonly [string, number, number][],
  groupId = GROUP,
): Promise<string[]> {
  return sendTxnOffsetCommit(env.broker, groupId, producerId, offsets);
}

async function marker(
  producerId: number,
  commit: boolean,
  partitions: Record<string, number[]>,
): Promise<string[]> {
  return sendTxnMarker(env.broker, producerId, commit, partitions);
}

/** The group's committed offsets of TOPIC-0 and other-0 (OffsetFetch v5), "-1" for none. */
async function committed(): Promise<{ error: string; offsets: Record<string, number> }> {
  const r = await rawRequest(env.broker.port, ApiKey.OffsetFetch, 5, {
    groupId: GROUP,
    topics: [
      { name: TOPIC, partitionIndexes: [0] },
      { name: 'other', partitionIndexes: [0] },
    ],
  });
  const offsets: Record<string, number> = {};
  for (const t of r.topics) for (const p of t.partitions) offsets[t.name] = p.committedOffset;
  return { error: errorName(r.errorCode), offsets };
}

async function eventuallyCommitted(expected: Record<string, number>): Promise<void> {
  await expectEventually(async () => {
    expect(await committed()).toEqual({ error: 'NONE', offsets: expected });
  });
}

/** The batches of __consumer_offsets-<OFFSETS_PARTITION> (Fetch v4, read_uncommitted). */
async function offsetsBatches(): Promise<string[]> {
  const body = await rawRequest(env.broker.port, ApiKey.Fetch, 4, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [
      {
        topic: '__consumer_offsets',
        partitions: [{ partition: OFFSETS_PARTITION, fetchOffset: 0, partitionMaxBytes: 1 << 20 }],
      },
    ],
  });
  const p = body.responses[0].partitionResponses[0];
  if (p.errorCode !== ErrorCode.NONE) throw new Error(`fetch: ${errorName(p.errorCode)}`);
  return decodeBatches(p.recordSet ?? Buffer.alloc(0)).map(({ header, records }) => {
    const kind = isControl(header.attributes)
      ? decodeControlRecordType(records[0].key) === ControlRecordType.COMMIT
        ? 'COMMIT'
        : 'ABORT'
      : `${records.length} offsets`;
    return `${kind} pid ${header.producerId} epoch ${header.producerEpoch} seq ${header.baseSequence} txn ${isTransactional(header.attributes)}`;
  });
}

test('offsetsCommittedInATransactionAreInvisibleUntilTheCommitMarkerIsWritten', async () => {
  expect(
    await txnCommit(1000, [
      [TOPIC, 0, 9],
      ['other', 0, 4],
    ]),
  ).toEqual([`${TOPIC}:0 NONE`, 'other:0 NONE']);
  expect(await committed()).toEqual({ error: 'NONE', offsets: { [TOPIC]: -1, other: -1 } });
  expect(await marker(1000, true, { __consumer_offsets: [OFFSETS_PARTITION], [TOPIC]: [0] })).toEqual([
    `1000 __consumer_offsets:${OFFSETS_PARTITION} NONE`,
    `1000 ${TOPIC}:0 NONE`,
  ]);
  await eventuallyCommitted({ [TOPIC]: 9, other: 4 });
  // as Kafka 2.1.1 wrote them: the offsets as a transactional batch of the producer with base
  // sequence 0 (offsets-txn.txt's snapshot: firstSequence 0), then the COMMIT control batch
  expect(await offsetsBatches()).toEqual([
    '2 offsets pid 1000 epoch 0 seq 0 txn true',
    'COMMIT pid 1000 epoch 0 seq -1 txn true',
  ]);
});

test('anAbortMarkerDropsTheTransactionsOffsets', async () => {
  expect(await txnCommit(1001, [[TOPIC, 0, 15]])).toEqual([`${TOPIC}:0 NONE`]);
  expect(await marker(1001, false, { __consumer_offsets: [OFFSETS_PARTITION] })).toEqual([
    `1001 __consumer_offsets:${OFFSETS_PARTITION} NONE`,
  ]);
  // a later transaction's commit becoming visible shows the abort was handled (one scheduler)
  expect(await txnCommit(1002, [['other', 0, 20]])).toEqual(['other:0 NONE']);
  expect(await marker(1002, true, { __consumer_offsets: [OFFSETS_PARTITION] })).toHaveLength(1);
  await eventuallyCommitted({ [TOPIC]: 9, other: 20 });
});

test('refusalsAreAsKafkas', async () => {
  expect(await txnCommit(1000, [['no-such-topic', 0, 1]])).toEqual([
    'no-such-topic:0 UNKNOWN_TOPIC_OR_PARTITION',
  ]);
  expect(await txnCommit(1000, [[TOPIC, 0, 1]], '')).toEqual([`${TOPIC}:0 INVALID_GROUP_ID`]);
  expect(await marker(1000, true, { 'no-such-topic': [0], [TOPIC]: [7] })).toEqual([
    '1000 no-such-topic:0 UNKNOWN_TOPIC_OR_PARTITION',
    `1000 ${TOPIC}:7 UNKNOWN_TOPIC_OR_PARTITION`,
  ]);
});

test('afterAKillAndRestartTheLoadReplaysTheMarkersAndAnOpenTransactionStaysPendingUntilItsMarker', async () => {
  expect(await txnCommit(1003, [[TOPIC, 0, 30]])).toEqual([`${TOPIC}:0 NONE`]);
  await env.broker.kill();
  await env.broker.restart();
  await coordinatorReady();
  // committed (1000, 1002) back, aborted (1001) not, open (1003) invisible
  expect(await committed()).toEqual({ error: 'NONE', offsets: { [TOPIC]: 9, other: 20 } });
  expect(await marker(1003, true, { __consumer_offsets: [OFFSETS_PARTITION] })).toEqual([
    `1003 __consumer_offsets:${OFFSETS_PARTITION} NONE`,
  ]);
  await eventuallyCommitted({ [TOPIC]: 30, other: 20 });
});
