import { Worker } from 'node:worker_threads';
import { crc32c, decodeResponse, type Struct } from '@samsa/protocol';
import type { BrokerHandle, ClusterHandle } from '../../harness/broker';
import {
  errorName,
  expectEventually,
  kcatConsume,
  kcatProduce,
  metadata,
  TestClient,
} from '../../fault/support';

/**
 * What every hardening test checks after its bad request (issue 13's acceptance): the same broker
 * processes still run (pids unchanged, nothing uncaught in their output) and still serve a real
 * client — kcat (librdkafka) produces a fresh value and reads it back. Plus the small writers the
 * tests use to build requests byte by byte, so a bad value reaches the broker exactly as written
 * and not as Samsa's own encoder would shape it.
 */

/** Each broker's pid now, by broker id: what `stillServes` compares against later. */
export function brokerPids(cluster: ClusterHandle): ReadonlyMap<number, number | undefined> {
  return new Map(cluster.brokers.map((b) => [b.brokerId, b.pid]));
}

let servedValues = 0;

/**
 * Fails unless every broker still runs as the process it was (`pids` from `brokerPids` before the
 * bad input), logged nothing uncaught, and a kcat produce (acks=all) to `topic`'s partition 0 is
 * read back by a kcat consume. Returns everything partition 0 holds, for callers that check a
 * refused request left nothing behind.
 */
export async function stillServes(
  cluster: ClusterHandle,
  { pids, topic }: { pids: ReadonlyMap<number, number | undefined>; topic: string },
): Promise<string[]> {
  for (const b of cluster.brokers) {
    expect({ broker: b.brokerId, pid: b.pid }).toEqual({ broker: b.brokerId, pid: pids.get(b.brokerId) });
    expect(b.output()).not.toMatch(/uncaught exception|unhandled rejection/i);
  }
  const value = `still-serves-${process.pid}-${servedValues++}`;
  await kcatProduce(cluster.bootstrap, topic, [value], { partition: 0 });
  const values = await kcatConsume(cluster.bootstrap, topic, 0);
  expect(values).toContain(value);
  return values;
}

// ---- requests as bytes -------------------------------------------------------------------------

/** A request frame's payload (no size prefix: TestClient.sendFrame adds it) with a v1 header. */
export function requestFrame(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  body: readonly Buffer[],
  clientId = 'samsa-hardening',
): Buffer {
  return Buffer.concat([int16(apiKey), int16(apiVersion), int32(correlationId), string(clientId), ...body]);
}

export function int16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
}

export function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}

/** A non-flexible STRING (int16 length), or a null NULLABLE_STRING. */
export function string(s: string | null): Buffer {
  if (s === null) return int16(-1);
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([int16(bytes.length), bytes]);
}

/** A non-flexible ARRAY: int32 count, then the items as given. */
export function array(items: readonly Buffer[]): Buffer {
  return Buffer.concat([int32(items.length), ...items]);
}

/** A non-flexible BYTES / RECORDS field: int32 length, then the bytes. */
export function bytes(b: Buffer): Buffer {
  return Buffer.concat([int32(b.length), b]);
}

/**
 * Waits until `broker` answers Metadata for `topic` without an error: the controller's
 * UpdateMetadata reaches a broker after the partition's state znode is written, and on a loaded
 * machine a request sent in between finds no such topic.
 */
export async function waitUntilServed(broker: BrokerHandle, topic: string): Promise<void> {
  await expectEventually(async () => {
    const md = await metadata(broker, [topic]);
    if (md.topics.map((t: Struct) => errorName(t.errorCode)).join() !== 'NONE') {
      throw new Error(`broker ${broker.brokerId} does not serve ${topic} yet`);
    }
  });
}

let nextCorrelationId = 1;

/**
 * Sends one hand-built request body (bytes as the test wrote them) to `broker` on a connection of its
 * own and decodes the one answer, checking its correlation id.
 */
export async function sendHandBuilt(
  broker: BrokerHandle,
  apiKey: number,
  apiVersion: number,
  body: readonly Buffer[],
): Promise<Struct> {
  const client = await TestClient.connect(broker.port);
  try {
    const id = nextCorrelationId++;
    client.sendFrame(requestFrame(apiKey, apiVersion, id, body));
    await client.waitFrames(1, 15_000);
    if (client.frames.length !== 1) throw new Error(`expected one answer, got ${client.frames.length}`);
    const decoded = decodeResponse(apiKey, apiVersion, client.frames[0]!);
    if (decoded.correlationId !== id) throw new Error(`answer to ${decoded.correlationId}, asked ${id}`);
    return decoded.body;
  } finally {
    client.close();
  }
}

/**
 * Like `sendHandBuilt`, but returns the answer's body as the bytes the broker wrote (after the
 * correlation id), for tests that check the wire itself (an order, a field) rather than a decoding.
 */
export async function sendHandBuiltRaw(
  broker: BrokerHandle,
  apiKey: number,
  apiVersion: number,
  body: readonly Buffer[],
): Promise<Buffer> {
  const client = await TestClient.connect(broker.port);
  try {
    const id = nextCorrelationId++;
    client.sendFrame(requestFrame(apiKey, apiVersion, id, body));
    await client.waitFrames(1, 15_000);
    if (client.frames.length !== 1) throw new Error(`expected one answer, got ${client.frames.length}`);
    const frame = client.frames[0]!;
    if (frame.readInt32BE(0) !== id) throw new Error(`answer to ${frame.readInt32BE(0)}, asked ${id}`);
    return frame.subarray(4);
  } finally {
    client.close();
  }
}

/**
 * Probes `broker` with ApiVersions v0 on a connection of its own, one after another (the next a few
 * ms after each answer), until `work` settles; returns what `work` gave and each probe's latency in
 * ms, send to answer. The stall rows' bound: every probe answered within 100 ms while the broker
 * serves the heavy request. The probes run in a worker thread with its own event loop, so the test's
 * own work (receiving and decoding a 30 MiB response) does not delay them.
 */
export async function probeApiVersionsWhile<T>(
  broker: BrokerHandle,
  work: Promise<T>,
): Promise<{ result: T; latenciesMs: number[] }> {
  const worker = new Worker(PROBE_WORKER, { eval: true, workerData: { port: broker.port } });
  const latencies = new Promise<number[]>((resolve, reject) => {
    worker.once('message', (m: { latenciesMs?: number[]; error?: string }) =>
      m.error !== undefined ? reject(new Error(m.error)) : resolve(m.latenciesMs ?? []),
    );
    worker.once('error', reject);
  });
  latencies.catch(() => undefined); // awaited below; a failure after terminate() is no one's
  await new Promise<void>((resolve, reject) => {
    worker.once('online', resolve);
    worker.once('error', reject);
  });
  try {
    const result = await work;
    worker.postMessage('stop');
    return { result, latenciesMs: await latencies };
  } finally {
    await worker.terminate();
  }
}

/** The probe loop of probeApiVersionsWhile: plain JavaScript, ApiVersions v0 frames written by hand. */
const PROBE_WORKER = `
const net = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
const latenciesMs = [];
let stop = false;
parentPort.on('message', () => { stop = true; });
const socket = net.connect(workerData.port, '127.0.0.1');
socket.setNoDelay(true);
let pending = Buffer.alloc(0);
let answered = null;
socket.on('data', (d) => {
  pending = Buffer.concat([pending, d]);
  while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
    pending = pending.subarray(4 + pending.readInt32BE(0));
    if (answered) answered();
  }
});
socket.on('error', (e) => parentPort.postMessage({ error: String(e) }));
function frame(correlationId) {
  const clientId = Buffer.from('samsa-probe');
  const b = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length);
  b.writeInt32BE(b.length - 4, 0);
  b.writeInt16BE(18, 4); // ApiVersions
  b.writeInt16BE(0, 6); // v0
  b.writeInt32BE(correlationId, 8);
  b.writeInt16BE(clientId.length, 12);
  clientId.copy(b, 14);
  return b;
}
socket.once('connect', async () => {
  for (let id = 1; !stop; id++) {
    const started = performance.now();
    const got = new Promise((resolve) => { answered = resolve; });
    socket.write(frame(id));
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 30000));
    if ((await Promise.race([got, timeout])) === 'timeout') {
      parentPort.postMessage({ error: 'an ApiVersions probe got no answer within 30 s' });
      return;
    }
    latenciesMs.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  socket.destroy();
  parentPort.postMessage({ latenciesMs });
});
`;

/**
 * A record batch v2 around `records` (the records section as the test wrote it, compressed or not),
 * its 61-byte header written field by field and its CRC-32C computed here: for tests that need a
 * batch our own builder would not make (a count or offsets that lie, a compression bomb).
 */
export function handBuiltBatch(
  records: Buffer,
  o: { readonly count: number; readonly lastOffsetDelta: number; readonly compression: number; readonly baseOffset?: number },
): Buffer {
  const batch = Buffer.alloc(61 + records.length);
  const now = BigInt(Date.now());
  batch.writeBigInt64BE(BigInt(o.baseOffset ?? 0), 0); // base offset
  batch.writeInt32BE(batch.length - 12, 8); // batch length
  batch.writeInt32BE(0, 12); // partition leader epoch
  batch.writeInt8(2, 16); // magic
  batch.writeInt16BE(o.compression, 21); // attributes: the codec, CreateTime
  batch.writeInt32BE(o.lastOffsetDelta, 23);
  batch.writeBigInt64BE(now, 27); // base timestamp
  batch.writeBigInt64BE(now, 35); // max timestamp
  batch.writeBigInt64BE(-1n, 43); // producer id
  batch.writeInt16BE(-1, 51); // producer epoch
  batch.writeInt32BE(-1, 53); // base sequence
  batch.writeInt32BE(o.count, 57);
  records.copy(batch, 61);
  batch.writeUInt32BE(crc32c(batch, 21, batch.length), 17);
  return batch;
}
