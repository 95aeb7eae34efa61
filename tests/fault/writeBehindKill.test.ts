import * as path from 'path';
import { ApiKey, decodeBatches } from '@samsa/protocol';
import { liveTrackedProcesses, waitFor } from '../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../harness/broker';
import { errorName, kafkaTopics, rawProduce, rawRequest, recordBatch } from './support';
import { waitUntilServed } from '../integration/hardening/support';

/**
 * Issue 13, row 8, as a scenario: "RF 1 topic in write-behind mode; produce; a consumer reads;
 * kill -9 the broker while a write is still queued; start it again". Every record a consumer saw
 * must still be there at the offset it saw it at: a reader sees a log only as far as write(2) has
 * returned (bytes in the OS survive the process), never the queued bytes a kill -9 loses, whose
 * offsets a restarted broker gives to other records.
 *
 * The broker runs with tests/fault/slowWritesPreload.cjs, which holds each queued write of this
 * topic's segment files for 4 s before write(2): the window a consumer could read, and the kill
 * land, in.
 */
jest.setTimeout(120_000);

const TOPIC = 'slowwrites-rf1';

let cluster: ClusterHandle;
let broker: BrokerHandle;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 1,
    nodeArgs: ['--require', path.join(__dirname, 'slowWritesPreload.cjs')],
    overrides: {
      'auto.create.topics.enable': false,
      'samsa.log.write.mode': 'write-behind',
      'zookeeper.session.timeout.ms': 6000,
    },
  });
  broker = cluster.broker(0);
  await kafkaTopics(cluster.zkConnect, ['--create', '--topic', TOPIC, '--replica-assignment', '0']);
  await waitUntilServed(broker, TOPIC);
});

afterAll(async () => {
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

/** What a consumer's Fetch (v11, no wait) reads of partition 0 from offset 0: offset → value. */
async function consume(): Promise<Map<number, string>> {
  const body = await rawRequest(broker.port, ApiKey.Fetch, 11, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [],
    rackId: '',
  });
  const p = body.responses[0].partitionResponses[0];
  expect(errorName(p.errorCode)).toBe('NONE');
  const seen = new Map<number, string>();
  const bytes = p.recordSet as Buffer | null;
  if (bytes && bytes.length > 0) {
    for (const b of decodeBatches(bytes)) for (const r of b.records) seen.set(r.offset, r.value?.toString() ?? '');
  }
  return seen;
}

test('everyRecordAConsumerSawSurvivesAKill9AtTheSameOffset', async () => {
  const written = await rawProduce(broker.port, TOPIC, 0, recordBatch(['written']), { acks: 1 });
  expect({ error: errorName(written.errorCode), offset: Number(written.baseOffset) }).toEqual({ error: 'NONE', offset: 0 });
  await waitFor(async () => ((await consume()).get(0) === 'written' ? true : null), { what: 'offset 0 to be readable' });

  // Appended at offset 1, its write held for 4 s: the produce answers only when it is written.
  let queuedAnswered = false;
  const queued = rawProduce(broker.port, TOPIC, 0, recordBatch(['queued']), { acks: 1 }).then(
    () => (queuedAnswered = true),
    () => undefined, // its connection dies with the broker
  );
  const seen = new Map<number, string>();
  const until = Date.now() + 1500;
  while (Date.now() < until) {
    for (const [offset, value] of await consume()) seen.set(offset, value);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(queuedAnswered).toBe(false); // the kill lands while the write is still queued
  await broker.kill();
  await queued;
  expect(queuedAnswered).toBe(false);
  // Before the fix the consumer read 'queued' at offset 1 from memory here.
  expect([...seen]).toEqual([[0, 'written']]);

  await broker.restart();
  await waitUntilServed(broker, TOPIC);
  const after = await waitFor(async () => {
    const now = await consume();
    return now.size > 0 ? now : null;
  }, { what: `${TOPIC} to be readable after the restart`, timeoutMs: 30_000 });
  for (const [offset, value] of seen) expect({ offset, value: after.get(offset) }).toEqual({ offset, value });

  // The next record takes the first offset nobody saw.
  const next = await rawProduce(broker.port, TOPIC, 0, recordBatch(['next']), { acks: 1 });
  expect(errorName(next.errorCode)).toBe('NONE');
  expect(Number(next.baseOffset)).toBeGreaterThanOrEqual(1);
  const final = await waitFor(async () => {
    const now = await consume();
    return now.has(Number(next.baseOffset)) ? now : null;
  }, { what: 'the next record to be readable', timeoutMs: 20_000 });
  for (const [offset, value] of seen) expect(final.get(offset)).toBe(value);
});
