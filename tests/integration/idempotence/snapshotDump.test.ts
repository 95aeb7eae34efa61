import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTool } from '../../fault/support';
import { handBuiltBatch, handBuiltRecord, startSingleBroker, stopSingleBroker, type SingleBroker } from '../hardening/support';
import { produceBatch } from './support';

/**
 * Issue 14, `.snapshot` files on disk and kafka-dump-log: Kafka 2.1.1's capture
 * (shared/reference/kafka-2.1-samples/wave2/idempotence.txt) replayed on one real broker. Topic
 * `idem` with segment.bytes=200, so each 118-byte batch rolls a segment; three batches of producer 2,
 * epoch 0, written byte for byte as librdkafka wrote them there (keys k0..k2, values idem-bN-rM, the
 * capture's timestamps). Then, as in the capture:
 * - while the broker runs, snapshots 3 and 6 exist (none at 0) and `bin/kafka-dump-log.sh --files`
 *   prints them line for line as Kafka's DumpLogSegments did, and their bytes are the capture's;
 * - after a clean shutdown (SIGTERM) a snapshot at the log end (9) exists too, printed and stored
 *   as Kafka's.
 */
jest.setTimeout(90_000);

const TOPIC = 'idem';
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const KAFKA_DUMP_LOG = path.join(REPO_ROOT, 'bin', 'kafka-dump-log.sh');

/** The capture's batches: base timestamp and each record's timestamp delta. */
const BATCHES: readonly { base: number; deltas: readonly number[] }[] = [
  { base: 1796623795179, deltas: [0, 0, 0] },
  { base: 1796623795381, deltas: [0, 0, 0] },
  { base: 1796623795701, deltas: [0, 1, 1] },
];

/** The capture's dump lines per snapshot, after its "Dumping <file>" line. */
const DUMPED: Readonly<Record<number, string>> = {
  3: 'producerId: 2 producerEpoch: 0 coordinatorEpoch: -1 currentTxnFirstOffset: None firstSequence: 0 lastSequence: 2 lastOffset: 2 offsetDelta: 2 timestamp: 1796623795179',
  6: 'producerId: 2 producerEpoch: 0 coordinatorEpoch: -1 currentTxnFirstOffset: None firstSequence: 3 lastSequence: 5 lastOffset: 5 offsetDelta: 2 timestamp: 1796623795381',
  9: 'producerId: 2 producerEpoch: 0 coordinatorEpoch: -1 currentTxnFirstOffset: None firstSequence: 6 lastSequence: 8 lastOffset: 8 offsetDelta: 2 timestamp: 1796623795702',
};

/** The capture's `xxd` of each snapshot, as hex. */
const BYTES: Readonly<Record<number, string>> = {
  3: '0001a04dcbfe000000010000000000000002000000000002000000000000000200000002000001a24f1f83ebffffffffffffffffffffffff',
  6: '00016ea28efa000000010000000000000002000000000005000000000000000500000002000001a24f1f84b5ffffffffffffffffffffffff',
  9: '000168026c17000000010000000000000002000000000008000000000000000800000002000001a24f1f85f6ffffffffffffffffffffffff',
};

let env: SingleBroker;

beforeAll(async () => {
  env = await startSingleBroker(TOPIC, { topicConfigs: ['segment.bytes=200'] });
});

afterAll(async () => {
  await stopSingleBroker(env ?? {});
});

function captureBatch(index: number): Buffer {
  const { base, deltas } = BATCHES[index];
  const records = Buffer.concat(
    deltas.map((timestampDelta, i) =>
      handBuiltRecord({ offsetDelta: i, timestampDelta, key: Buffer.from(`k${i}`), value: Buffer.from(`idem-b${index}-r${i}`) }),
    ),
  );
  return handBuiltBatch({
    records,
    count: 3,
    baseTimestamp: base,
    maxTimestamp: base + Math.max(...deltas),
    producerId: 2,
    producerEpoch: 0,
    baseSequence: 3 * index,
  });
}

const partitionDir = () => path.join(env.broker.logDir, `${TOPIC}-0`);
const snapshotFile = (offset: number) => path.join(partitionDir(), `${String(offset).padStart(20, '0')}.snapshot`);
const snapshotsOnDisk = () =>
  fs
    .readdirSync(partitionDir())
    .filter((f) => f.endsWith('.snapshot'))
    .sort();

/** `bin/kafka-dump-log.sh --files` of these snapshots; its stdout lines. */
async function dumpSnapshots(offsets: readonly number[]): Promise<string[]> {
  const r = await runTool(KAFKA_DUMP_LOG, ['--files', offsets.map(snapshotFile).join(',')]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  return r.stdout.replace(/\n$/, '').split('\n');
}

const expectedDump = (offsets: readonly number[]) => offsets.flatMap((o) => [`Dumping ${snapshotFile(o)}`, DUMPED[o]]);

test('snapshotsAtEachRollAndAtTheCleanShutdownAreKafkasBytesAndKafkaDumpLogPrintsThemAsKafkaDoes', async () => {
  for (let i = 0; i < 3; i++) {
    const batch = captureBatch(i);
    expect(batch.length).toBe(118);
    expect(await produceBatch(env.broker, TOPIC, batch)).toEqual({ error: 'NONE', baseOffset: 3 * i });
  }

  expect(snapshotsOnDisk()).toEqual(['00000000000000000003.snapshot', '00000000000000000006.snapshot']);
  expect(await dumpSnapshots([3, 6])).toEqual(expectedDump([3, 6]));
  for (const o of [3, 6]) expect(fs.readFileSync(snapshotFile(o)).toString('hex')).toBe(BYTES[o]);

  await env.broker.stop();
  expect(snapshotsOnDisk()).toEqual([
    '00000000000000000003.snapshot',
    '00000000000000000006.snapshot',
    '00000000000000000009.snapshot',
  ]);
  expect(await dumpSnapshots([3, 6, 9])).toEqual(expectedDump([3, 6, 9]));
  for (const o of [3, 6, 9]) expect(fs.readFileSync(snapshotFile(o)).toString('hex')).toBe(BYTES[o]);
});
