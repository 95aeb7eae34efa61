import { Kafka, logLevel } from 'kafkajs';
import { ApiKey, decodeBatches, type Struct } from '@samsa/protocol';
import { close, connectZk, getData, type ZkClient } from '../../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../../harness/broker';
import {
  ErrorCode,
  KCAT,
  TestClient,
  errorName,
  expectEventually,
  kafkaTopics,
  kcatConsume,
  rawRequest,
  requestOn,
  runTool,
} from '../../fault/support';

/**
 * InitProducerId without a transactional id, through the network (issue 14), on two brokers: each
 * broker claims its own block of 1000 producer ids in /latest_producer_id_block at start-up (the
 * znode's data as Kafka writes it, its version counting the claims), answers v0–v4 from that block,
 * claims a fresh block when restarted, bumps the epoch of a producer that brings its id and epoch
 * (v3+, KIP-360), and refuses a half-given id/epoch and an empty transactional id with INVALID_REQUEST.
 * kafkajs and librdkafka (kcat) idempotent producers get a producer id and write with it.
 */
jest.setTimeout(90_000);

const BLOCK_ZNODE = '/latest_producer_id_block';

let cluster: ClusterHandle;
let zk: ZkClient;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 2, overrides: { 'auto.create.topics.enable': false } });
  zk = await connectZk(cluster.zkConnect);
});

afterAll(async () => {
  if (zk) await close(zk);
  await cluster?.stop();
});

/** Kafka's exact JSON for a claimed block (ProducerIdManager.generateProducerIdBlockJson). */
function blockJson(brokerId: number, start: number, end: number): string {
  return `{"version":1,"broker":${brokerId},"block_start":"${start}","block_end":"${end}"}`;
}

/** The blocks a broker process logged as claimed, in order (its "Acquired new producerId block" lines). */
function claimedBlocks(broker: BrokerHandle): Array<{ start: number; end: number }> {
  const re = new RegExp(
    `Acquired new producerId block \\(brokerId:${broker.brokerId},blockStartProducerId:(\\d+),blockEndProducerId:(\\d+)\\)`,
    'g',
  );
  return [...broker.output().matchAll(re)].map((m) => ({ start: Number(m[1]), end: Number(m[2]) }));
}

function initProducerIdBody(
  producerId = -1,
  producerEpoch = -1,
  transactionalId: string | null = null,
): Struct {
  return { transactionalId, transactionTimeoutMs: 60_000, producerId, producerEpoch };
}

async function readBlockZnode(): Promise<{ text: string; version: number }> {
  const { data, stat } = await getData(zk, BLOCK_ZNODE);
  return { text: data === null ? '' : data.toString('utf8'), version: stat.version };
}

/** The producer ids and epochs of the batches in partition 0 of `topic` (Fetch v4 from `leader`). */
async function batchProducers(
  leader: BrokerHandle,
  topic: string,
): Promise<Array<{ producerId: number; producerEpoch: number; records: number }>> {
  const body = await rawRequest(leader.port, ApiKey.Fetch, 4, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
  });
  const p = body.responses[0].partitionResponses[0];
  if (p.errorCode !== ErrorCode.NONE) throw new Error(`fetch ${topic}-0: ${errorName(p.errorCode)}`);
  const records: Buffer | null = p.recordSet;
  return decodeBatches(records ?? Buffer.alloc(0)).map(({ header, records: rs }) => ({
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    records: rs.length,
  }));
}

/** A one-partition topic on `brokerId` alone, so it leads it. */
async function createTopicOn(topic: string, brokerId: number): Promise<void> {
  await kafkaTopics(cluster.zkConnect, [
    '--create',
    '--topic',
    topic,
    '--replica-assignment',
    String(brokerId),
  ]);
}

test('eachBrokerClaimedABlockAtStartUpAndTheZnodeHoldsTheLastClaimAsKafkaWritesIt', async () => {
  const [b0, b1] = cluster.brokers;
  const blocks = [claimedBlocks(b0), claimedBlocks(b1)];
  expect(blocks.map((b) => b.length)).toEqual([1, 1]);
  // the two claims are the first two blocks, one each
  expect([blocks[0][0], blocks[1][0]].sort((a, b) => a.start - b.start)).toEqual([
    { start: 0, end: 999 },
    { start: 1000, end: 1999 },
  ]);
  // created empty with the other persistent paths (version 0), then one setData per claim
  const last = blocks[0][0].start === 1000 ? b0 : b1;
  expect(await readBlockZnode()).toEqual({ text: blockJson(last.brokerId, 1000, 1999), version: 2 });
});

test('initProducerIdV0ToV4AnswersNewIdsFromEachBrokersOwnBlockWithEpoch0', async () => {
  for (const broker of cluster.brokers) {
    const [block] = claimedBlocks(broker);
    const client = await TestClient.connect(broker.port);
    try {
      const versions = await requestOn(client, ApiKey.ApiVersions, 0, {});
      expect(versions.apiKeys).toContainEqual({
        apiKey: ApiKey.InitProducerId,
        minVersion: 0,
        maxVersion: 4,
      });
      const ids: number[] = [];
      for (let version = 0; version <= 4; version++) {
        const r = await requestOn(client, ApiKey.InitProducerId, version, initProducerIdBody());
        expect({ version, ...r }).toMatchObject({
          version,
          throttleTimeMs: 0,
          errorCode: ErrorCode.NONE,
          producerId: expect.any(Number),
          producerEpoch: 0,
        });
        ids.push(r.producerId);
      }
      for (const id of ids) {
        expect(id).toBeGreaterThanOrEqual(block.start);
        expect(id).toBeLessThanOrEqual(block.end);
      }
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    } finally {
      client.close();
    }
  }
});

test('v3AndV4WithAnIdAndEpochBumpTheEpochAndKeepTheId', async () => {
  const broker = cluster.brokers[0];
  const first = await rawRequest(broker.port, ApiKey.InitProducerId, 4, initProducerIdBody());
  expect(first.errorCode).toBe(ErrorCode.NONE);
  for (const version of [3, 4]) {
    const bumped = await rawRequest(
      broker.port,
      ApiKey.InitProducerId,
      version,
      initProducerIdBody(first.producerId, 7),
    );
    expect([bumped.errorCode, bumped.producerId, bumped.producerEpoch]).toEqual([
      ErrorCode.NONE,
      first.producerId,
      8,
    ]);
  }
  // the epoch never reaches Short.MaxValue: a new id with epoch 0 instead
  const exhausted = await rawRequest(
    broker.port,
    ApiKey.InitProducerId,
    4,
    initProducerIdBody(first.producerId, 32766),
  );
  expect(exhausted.errorCode).toBe(ErrorCode.NONE);
  expect(exhausted.producerId).not.toBe(first.producerId);
  expect(exhausted.producerEpoch).toBe(0);
});

test('aHalfGivenIdOrEpochAndAnEmptyTransactionalIdAreInvalidRequest', async () => {
  const broker = cluster.brokers[1];
  for (const [version, body, error] of [
    [3, initProducerIdBody(1234, -1), 'INVALID_REQUEST'],
    [4, initProducerIdBody(-1, 0), 'INVALID_REQUEST'],
    // issue 15 serves transactional ids: a broker that is not the id's transaction coordinator
    // (here no __transaction_state exists) answers NOT_COORDINATOR, as Kafka 2.8 does
    [0, initProducerIdBody(-1, -1, 'a-transaction'), 'NOT_COORDINATOR'],
    [4, initProducerIdBody(-1, -1, 'a-transaction'), 'NOT_COORDINATOR'],
    [4, initProducerIdBody(-1, -1, ''), 'INVALID_REQUEST'],
  ] as const) {
    const r = await rawRequest(broker.port, ApiKey.InitProducerId, version, body);
    expect({
      version,
      error: errorName(r.errorCode),
      producerId: r.producerId,
      epoch: r.producerEpoch,
    }).toEqual({
      version,
      error,
      producerId: -1,
      epoch: -1,
    });
  }
});

test('aKafkajsIdempotentProducerGetsAProducerIdAndWritesWithIt', async () => {
  const topic = 'pid-kafkajs';
  const leader = cluster.brokers[0];
  await createTopicOn(topic, leader.brokerId);
  const kafka = new Kafka({ clientId: 'pid-test', brokers: [leader.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
  } finally {
    await producer.disconnect();
  }
  const batches = await batchProducers(leader, topic);
  expect(batches).toHaveLength(1);
  expect(batches[0]).toMatchObject({ producerEpoch: 0, records: 3 });
  // kafkajs asks the controller for a producer id when it has no transactional id: either broker
  const owners = cluster.brokers.filter((b) =>
    claimedBlocks(b).some((k) => k.start <= batches[0].producerId && batches[0].producerId <= k.end),
  );
  expect(owners).toHaveLength(1);
});

test('librdkafkaWithEnableIdempotenceProducesWithAProducerId', async () => {
  const topic = 'pid-kcat';
  const leader = cluster.brokers[1];
  await createTopicOn(topic, leader.brokerId);
  const values = ['r0', 'r1', 'r2', 'r3'];
  const args = ['-P', '-b', leader.bootstrap, '-t', topic, '-p', '0'];
  args.push('-X', 'enable.idempotence=true', '-X', 'message.timeout.ms=20000');
  const r = await runTool(KCAT, args, { input: values.map((v) => `${v}\n`).join('') });
  expect({ code: r.code, stderr: r.stderr }).toEqual({
    code: 0,
    stderr: expect.not.stringMatching(/ERROR|fail/i),
  });
  await expectEventually(async () => expect(await kcatConsume(leader.bootstrap, topic, 0)).toEqual(values));
  const batches = await batchProducers(leader, topic);
  expect(batches.length).toBeGreaterThan(0);
  // librdkafka asks any usable broker for its producer id: the id lies in one broker's block
  for (const b of batches) {
    expect(b.producerEpoch).toBe(0);
    const owners = cluster.brokers.filter((x) =>
      claimedBlocks(x).some((k) => k.start <= b.producerId && b.producerId <= k.end),
    );
    expect(owners).toHaveLength(1);
  }
});

test('aRestartedBrokerClaimsAFreshBlockAfterEveryIdHandedOutBefore', async () => {
  const broker = cluster.brokers[0];
  const before = await readBlockZnode();
  await broker.stop();
  await broker.restart(); // resolves once it logged "started", which comes after the claim
  // its output holds both runs: the first run's block, then the fresh one
  const blocks = claimedBlocks(broker);
  expect(blocks).toHaveLength(2);
  expect(blocks[1]).toEqual({ start: 2000, end: 2999 });
  expect(await readBlockZnode()).toEqual({
    text: blockJson(broker.brokerId, 2000, 2999),
    version: before.version + 1,
  });
  const r = await rawRequest(broker.port, ApiKey.InitProducerId, 4, initProducerIdBody());
  expect(r.errorCode).toBe(ErrorCode.NONE);
  expect(r.producerId).toBeGreaterThanOrEqual(2000);
  expect(r.producerId).toBeLessThanOrEqual(2999);
});
