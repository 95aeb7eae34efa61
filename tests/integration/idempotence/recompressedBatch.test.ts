import * as path from 'node:path';
import { kcatConsume, runTool } from '../../fault/support';
import { startSingleBroker, stopSingleBroker, type SingleBroker } from '../hardening/support';
import { logEndOffset, produceIdempotent, type ProduceAnswer } from './support';

/**
 * Issue 14, a batch the leader rebuilds: on a topic with compression.type=gzip an uncompressed
 * producer batch is recompressed by the leader (Kafka's LogValidator.buildRecordsAndAssignOffsets),
 * which keeps the batch's producer id, epoch and first sequence, so the idempotence checks hold on
 * such a topic too: a retry answers its original offset, a gap is refused, and the stored batch
 * (kafka-dump-log) carries the producer's fields under its new codec.
 */
jest.setTimeout(90_000);

const TOPIC = 'idem-gzip';
const PID = 31337;
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const KAFKA_DUMP_LOG = path.join(REPO_ROOT, 'bin', 'kafka-dump-log.sh');

let env: SingleBroker;

beforeAll(async () => {
  env = await startSingleBroker(TOPIC, { topicConfigs: ['compression.type=gzip'] });
});

afterAll(async () => {
  await stopSingleBroker(env ?? {});
});

const send = (baseSequence: number): Promise<ProduceAnswer> =>
  produceIdempotent(env.broker, TOPIC, { producerId: PID, producerEpoch: 5, baseSequence, values: [`s${baseSequence}`, `s${baseSequence + 1}`] });

test('aBatchRecompressedByTheLeaderKeepsItsProducerFieldsAndItsRetriesAreRecognised', async () => {
  expect(await send(0)).toEqual({ error: 'NONE', baseOffset: 0 });
  expect(await send(0)).toEqual({ error: 'NONE', baseOffset: 0 });
  expect(await send(4)).toEqual({ error: 'OUT_OF_ORDER_SEQUENCE_NUMBER', baseOffset: -1 });
  expect(await send(2)).toEqual({ error: 'NONE', baseOffset: 2 });
  expect(await send(2)).toEqual({ error: 'NONE', baseOffset: 2 });
  expect(await logEndOffset(env.broker, TOPIC)).toBe(4);
  expect(await kcatConsume(env.cluster.bootstrap, TOPIC, 0)).toEqual(['s0', 's1', 's2', 's3']);

  const segment = path.join(env.broker.logDir, `${TOPIC}-0`, '00000000000000000000.log');
  const r = await runTool(KAFKA_DUMP_LOG, ['--files', segment]);
  expect(r.code).toBe(0);
  const batches = r.stdout.split('\n').filter((l) => l.startsWith('baseOffset:'));
  expect(batches).toHaveLength(2);
  expect(batches[0]).toMatch(/^baseOffset: 0 lastOffset: 1 count: 2 baseSequence: 0 lastSequence: 1 producerId: 31337 producerEpoch: 5 .* compresscodec: GZIP /);
  expect(batches[1]).toMatch(/^baseOffset: 2 lastOffset: 3 count: 2 baseSequence: 2 lastSequence: 3 producerId: 31337 producerEpoch: 5 .* compresscodec: GZIP /);
});
