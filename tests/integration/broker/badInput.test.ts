import { Kafka, logLevel, type Producer } from 'kafkajs';
import { ApiKey, BatchField, decodeResponse, type Struct } from '@samsa/protocol';
import { close, connectZk, exists, liveTrackedProcesses, type ZkClient } from '../../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../../harness/broker';
import {
  closedWithin,
  errorName,
  kafkaTopics,
  kcatConsume,
  metadata,
  rawProduce,
  rawRequest,
  recordBatch,
  requestOn,
  TestClient,
  waitForPartitionState,
} from '../../fault/support';

/**
 * Bad input against a real two-broker cluster: each bad request gets its Kafka answer (an error code,
 * or the connection closed where Kafka closes it), and right after each one the broker still serves
 * others — a connection opened before the bad input, and a real client (kafkajs) producing.
 *
 * Broker settings: auto-creation off, message.max.bytes 4096, socket.request.max.bytes 256 KiB.
 * Topic `good` has one partition, leader 0, follower 1.
 */
jest.setTimeout(60_000);

const MESSAGE_MAX_BYTES = 4096;
const SOCKET_REQUEST_MAX_BYTES = 256 * 1024;

let cluster: ClusterHandle;
let zk: ZkClient;
let leader: BrokerHandle;
let follower: BrokerHandle;
let kafka: Kafka;
let producer: Producer;
/** Opened before any bad input; must keep answering. */
const bystanders: TestClient[] = [];
let goodSent = 0;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 2,
    overrides: {
      'auto.create.topics.enable': false,
      'message.max.bytes': MESSAGE_MAX_BYTES,
      'socket.request.max.bytes': SOCKET_REQUEST_MAX_BYTES,
    },
  });
  zk = await connectZk(cluster.zkConnect);
  leader = cluster.broker(0);
  follower = cluster.broker(1);
  await kafkaTopics(cluster.zkConnect, ['--create', '--topic', 'good', '--replica-assignment', '0:1']);
  await waitForPartitionState(
    zk,
    'good',
    0,
    (s) => s.leader === 0 && s.isr.length === 2,
    'leader 0, ISR [0,1]',
  );
  kafka = new Kafka({
    clientId: 'samsa-bad-input-test',
    brokers: cluster.brokers.map((b) => b.bootstrap),
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 100 },
  });
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  for (const b of cluster.brokers) bystanders.push(await TestClient.connect(b.port));
});

afterAll(async () => {
  for (const c of bystanders) c.close();
  await producer?.disconnect();
  if (zk) await close(zk);
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

/** After each bad input: both brokers alive, earlier connections answer, a real client produces. */
async function expectStillServing(): Promise<void> {
  for (const b of cluster.brokers) {
    expect(b.output()).not.toMatch(/uncaught exception|unhandled rejection/i);
  }
  for (const c of bystanders) {
    expect(c.isClosed).toBe(false);
    const body = await requestOn(c, ApiKey.ApiVersions, 0, {});
    expect(errorName(body.errorCode)).toBe('NONE');
  }
  const [result] = await producer.send({
    topic: 'good',
    acks: -1,
    messages: [{ value: `still-serving-${goodSent}` }],
  });
  expect(result.errorCode).toBe(0);
  expect(Number(result.baseOffset)).toBe(goodSent);
  goodSent++;
}

/** Log end offset of good-0 on its leader (ListOffsets v1, latest). */
async function goodLogEndOffset(): Promise<number> {
  const body = await rawRequest(leader.port, ApiKey.ListOffsets, 1, {
    replicaId: -1,
    topics: [{ name: 'good', partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
  });
  const p = body.topics[0].partitions[0];
  expect(errorName(p.errorCode)).toBe('NONE');
  return Number(p.offset);
}

/** A request frame with a v1 header and `body` bytes, built by hand (versions no codec knows). */
function handMadeFrame(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  body = Buffer.alloc(0),
): Buffer {
  const clientId = Buffer.from('bad-input');
  const header = Buffer.alloc(10 + clientId.length);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  clientId.copy(header, 10);
  return Buffer.concat([header, body]);
}

test('metadataForAnUnknownTopicWithAutoCreationDisabledAnswersUnknownTopicOrPartition', async () => {
  const v1 = await metadata(leader, ['no-such-topic']);
  expect(v1.topics.map((t: Struct) => [t.name, errorName(t.errorCode)])).toEqual([
    ['no-such-topic', 'UNKNOWN_TOPIC_OR_PARTITION'],
  ]);
  // v4+: the client allows auto-creation, the broker does not.
  const v4 = await rawRequest(follower.port, ApiKey.Metadata, 4, {
    topics: [{ name: 'no-such-topic' }],
    allowAutoTopicCreation: true,
  });
  expect(v4.topics.map((t: Struct) => [t.name, errorName(t.errorCode)])).toEqual([
    ['no-such-topic', 'UNKNOWN_TOPIC_OR_PARTITION'],
  ]);
  expect(await exists(zk, '/brokers/topics/no-such-topic')).toBeNull();
  expect(await exists(zk, '/config/topics/no-such-topic')).toBeNull();
  await expectStillServing();
});

test('produceToAnUnknownTopicOrPartitionAnswersUnknownTopicOrPartition', async () => {
  const topic = await rawProduce(leader.port, 'no-such-topic', 0, recordBatch(['x']));
  expect(errorName(topic.errorCode)).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  const partition = await rawProduce(leader.port, 'good', 7, recordBatch(['x']));
  expect(errorName(partition.errorCode)).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  expect(await exists(zk, '/brokers/topics/no-such-topic')).toBeNull();
  await expectStillServing();
});

test('produceToAFollowerAnswersNotLeaderOrFollower', async () => {
  const before = await goodLogEndOffset();
  const r = await rawProduce(follower.port, 'good', 0, recordBatch(['to-the-follower']));
  expect(errorName(r.errorCode)).toBe('NOT_LEADER_OR_FOLLOWER');
  expect(Number(r.baseOffset)).toBe(-1);
  expect(await goodLogEndOffset()).toBe(before);
  await expectStillServing();
});

test('aBatchOverMessageMaxBytesAnswersMessageTooLarge', async () => {
  const before = await goodLogEndOffset();
  const big = 'x'.repeat(2 * MESSAGE_MAX_BYTES);
  const oneShot = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
  await oneShot.connect();
  try {
    const error = await oneShot.send({ topic: 'good', acks: -1, messages: [{ value: big }] }).then(
      () => null,
      (e: unknown) => e as { type?: string; name?: string; cause?: { type?: string } },
    );
    expect(error).not.toBeNull();
    expect(error!.type ?? error!.cause?.type).toBe('MESSAGE_TOO_LARGE');
  } finally {
    await oneShot.disconnect();
  }
  // The same through the wire, raw: the partition's answer carries the code.
  const raw = await rawProduce(leader.port, 'good', 0, recordBatch([big]));
  expect(errorName(raw.errorCode)).toBe('MESSAGE_TOO_LARGE');
  expect(await goodLogEndOffset()).toBe(before);
  await expectStillServing();
});

test('aBatchWithAWrongCrcAnswersCorruptMessage', async () => {
  const before = await goodLogEndOffset();
  const badCrc = recordBatch(['a', 'b']);
  badCrc.writeUInt32BE((badCrc.readUInt32BE(BatchField.CRC) ^ 0xdeadbeef) >>> 0, BatchField.CRC);
  expect(errorName((await rawProduce(leader.port, 'good', 0, badCrc)).errorCode)).toBe('CORRUPT_MESSAGE');

  // The CRC is right for the header but a record byte changed on the way.
  const flipped = recordBatch(['a', 'b']);
  flipped[flipped.length - 2] ^= 0xff;
  expect(errorName((await rawProduce(leader.port, 'good', 0, flipped)).errorCode)).toBe('CORRUPT_MESSAGE');

  expect(await goodLogEndOffset()).toBe(before);
  await expectStillServing();
});

test('anUnsupportedVersionOfMetadataClosesTheConnection', async () => {
  const client = await TestClient.connect(leader.port);
  try {
    client.sendFrame(handMadeFrame(ApiKey.Metadata, 99, 7, Buffer.from([0xff, 0xff, 0xff, 0xff])));
    expect(await closedWithin(client)).toBe(true);
    expect(client.frames).toEqual([]);
  } finally {
    client.close();
  }
  await expectStillServing();
});

test('anUnsupportedVersionOfApiVersionsAnswersUnsupportedVersionInTheV0Layout', async () => {
  const client = await TestClient.connect(leader.port);
  try {
    // v9 would be flexible; the broker cannot read it and answers in v0's layout (KIP-511).
    client.sendFrame(Buffer.concat([handMadeFrame(ApiKey.ApiVersions, 9, 4242), Buffer.from([0])]));
    await client.waitFrames(1);
    expect(client.frames).toHaveLength(1);
    const { correlationId, body } = decodeResponse(ApiKey.ApiVersions, 0, client.frames[0]);
    expect(correlationId).toBe(4242);
    expect(errorName(body.errorCode)).toBe('UNSUPPORTED_VERSION');
    expect(body.apiKeys).toContainEqual({ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 3 });
    // The client steps down on the same connection, as librdkafka and kafkajs do.
    const v0 = await requestOn(client, ApiKey.ApiVersions, 0, {});
    expect(errorName(v0.errorCode)).toBe('NONE');
    expect(client.isClosed).toBe(false);
  } finally {
    client.close();
  }
  await expectStillServing();
});

test('garbageFramesCloseTheConnection', async () => {
  const garbage: Array<[string, Buffer]> = [
    ['a frame shorter than a request header', Buffer.from([0x00, 0x12, 0x00])],
    ['an api key no broker knows', handMadeFrame(12345, 0, 1)],
    // Produce v7 whose transactional id claims 32767 bytes and the frame ends after 4.
    [
      'a Produce body that does not decode',
      handMadeFrame(ApiKey.Produce, 7, 2, Buffer.from([0x7f, 0xff, 1, 2, 3, 4])),
    ],
    ['random bytes', Buffer.from('d1e2a3d4b5e6e7f8091a2b3c4d5e6f70', 'hex')],
  ];
  for (const [what, frame] of garbage) {
    const client = await TestClient.connect(follower.port);
    try {
      client.sendFrame(frame);
      expect({ what, closed: await closedWithin(client) }).toEqual({ what, closed: true });
      expect({ what, answers: client.frames.length }).toEqual({ what, answers: 0 });
    } finally {
      client.close();
    }
  }
  // Bytes that are not even a frame: a negative size.
  const negative = await TestClient.connect(follower.port);
  try {
    negative.sendRaw(Buffer.from([0xff, 0xff, 0xff, 0xf0]));
    expect(await closedWithin(negative)).toBe(true);
  } finally {
    negative.close();
  }
  await expectStillServing();
});

test('aFrameOverSocketRequestMaxBytesClosesTheConnectionBeforeItsBodyIsRead', async () => {
  const client = await TestClient.connect(leader.port);
  try {
    const size = Buffer.alloc(4);
    size.writeInt32BE(SOCKET_REQUEST_MAX_BYTES + 1);
    // Only the size and a header's worth of bytes: the body never comes, the broker must not wait for it.
    client.sendRaw(Buffer.concat([size, handMadeFrame(ApiKey.Produce, 7, 3)]));
    expect(await closedWithin(client, 3_000)).toBe(true);
    expect(client.frames).toEqual([]);
  } finally {
    client.close();
  }
  // A frame just under the limit is read (and answered: here, an oversized record set is refused).
  const under = await rawProduce(
    leader.port,
    'good',
    0,
    recordBatch(['y'.repeat(SOCKET_REQUEST_MAX_BYTES - 1024)]),
  );
  expect(errorName(under.errorCode)).toBe('MESSAGE_TOO_LARGE');
  await expectStillServing();
});

test('afterAllThatTheGoodTopicHoldsExactlyWhatWasAcknowledged', async () => {
  const values = await kcatConsume(cluster.bootstrap, 'good', 0);
  expect(values).toEqual(Array.from({ length: goodSent }, (_, i) => `still-serving-${i}`));
});
