import { decodeResponse, type Struct } from '@samsa/protocol';
import { rssMiB } from '../../bench/procStats';
import { ApiVersionsProbe, type ProbeReport } from './apiVersionsProbe';
import { close, connectZk, liveTrackedProcesses, type ZkClient } from '../../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../../harness/broker';
import {
  createTopic,
  errorName,
  expectEventually,
  kcatConsume,
  kcatProduce,
  metadata,
  TestClient,
  waitForPartitionState,
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
 * own and returns the one answer's frame, its correlation id checked.
 */
async function exchangeHandBuilt(broker: BrokerHandle, apiKey: number, apiVersion: number, body: readonly Buffer[]): Promise<Buffer> {
  const client = await TestClient.connect(broker.port);
  try {
    const id = nextCorrelationId++;
    client.sendFrame(requestFrame(apiKey, apiVersion, id, body));
    await client.waitFrames(1, 15_000);
    if (client.frames.length !== 1) throw new Error(`expected one answer, got ${client.frames.length}`);
    const frame = client.frames[0]!;
    if (frame.readInt32BE(0) !== id) throw new Error(`answer to ${frame.readInt32BE(0)}, asked ${id}`);
    return frame;
  } finally {
    client.close();
  }
}

/** `exchangeHandBuilt`, the answer decoded. */
export async function sendHandBuilt(
  broker: BrokerHandle,
  apiKey: number,
  apiVersion: number,
  body: readonly Buffer[],
): Promise<Struct> {
  return decodeResponse(apiKey, apiVersion, await exchangeHandBuilt(broker, apiKey, apiVersion, body)).body;
}

/**
 * `exchangeHandBuilt`, the answer's body as the bytes the broker wrote (after the correlation id),
 * for tests that check the wire itself (an order, a field) rather than a decoding.
 */
export async function sendHandBuiltRaw(
  broker: BrokerHandle,
  apiKey: number,
  apiVersion: number,
  body: readonly Buffer[],
): Promise<Buffer> {
  return (await exchangeHandBuilt(broker, apiKey, apiVersion, body)).subarray(4);
}

// ---- memory and stall probes (memory rows assert RSS growth, stall rows the ApiVersions probe) ----

/** Resident set size of process `pid`, in bytes (Linux: /proc/<pid>/status VmRSS). */
export function rssBytes(pid: number): number {
  const mib = rssMiB(pid, 'VmRSS');
  if (Number.isNaN(mib)) throw new Error(`no VmRSS for pid ${pid}`);
  return mib * 1024 * 1024;
}

/** The stall rows' bound (issue 13): no ApiVersions answer may wait longer on the broker. */
export const PROBE_BOUND_MS = 100;

/**
 * Starts an ApiVersionsProbe (its own connection, its own worker thread, a request every 10 ms),
 * waits until it has been answered once, runs `work` and returns what `work` gave and the probe's
 * report. See `expectNoStall` for what a stall row asserts on it.
 */
export async function probeApiVersionsWhile<T>(broker: BrokerHandle, work: () => Promise<T>): Promise<{ result: T; report: ProbeReport }> {
  const probe = ApiVersionsProbe.start(broker.port, { intervalMs: 10, brokerPid: broker.pid });
  let result: T;
  try {
    await probe.ready;
    result = await work();
  } catch (e) {
    await probe.stop(PROBE_BOUND_MS).catch(() => undefined);
    throw e;
  }
  return { result, report: await probe.stop(PROBE_BOUND_MS) };
}

/**
 * A stall row's assertion: the probe was answered throughout, and no answer waited 100 ms on the
 * broker — its event-loop thread's time on a CPU or blocked in a disk call while the probe waited
 * (`ProbeReport.brokerShareMaxMs`; a loaded machine's waits for a CPU are not the broker's). The raw
 * latencies are printed beside; SAMSA_STRICT_PROBE=1 holds them to the bound too.
 */
export function expectNoStall(report: ProbeReport, what: string): void {
  console.log(
    `${what}: ${report.samples} probes, latency max ${report.maxMs} ms (p99 ${report.p99Ms}), broker's share max ` +
      `${report.brokerShareMaxMs} ms; slowest ${JSON.stringify(report.over.slice(0, 3))}`,
  );
  expect(report.error).toBeNull();
  expect(report.samples).toBeGreaterThan(0);
  expect(report.unansweredForMs).toBeLessThan(PROBE_BOUND_MS);
  expect(report.brokerShareMaxMs).toBeLessThan(PROBE_BOUND_MS);
  if (process.env.SAMSA_STRICT_PROBE === '1') expect(report.maxMs).toBeLessThan(PROBE_BOUND_MS);
}

// ---- record batches v2 by hand (bad content under a valid CRC) ----------------------------------

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32C (Castagnoli), computed here rather than by Samsa's own addon. */
export function crc32c(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const b of buf) crc = CRC32C_TABLE[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A zigzag varint (record fields), as bytes. */
export function varint(v: number): Buffer {
  let raw = ((v << 1) ^ (v >> 31)) >>> 0;
  const out: number[] = [];
  while (raw >= 0x80) {
    out.push((raw & 0x7f) | 0x80);
    raw >>>= 7;
  }
  out.push(raw);
  return Buffer.from(out);
}

/**
 * One v2 record as bytes: length, attributes 0, timestamp delta, offset delta, key, value, headers.
 * `body` replaces everything after the length (to write a record that does not frame).
 */
export function handBuiltRecord(r: {
  offsetDelta: number;
  timestampDelta?: number;
  key?: Buffer | null;
  value?: Buffer | null;
  headers?: readonly [string, Buffer | null][];
  body?: Buffer;
}): Buffer {
  const lengthPrefixed = (b: Buffer | null | undefined) => (b == null ? varint(-1) : Buffer.concat([varint(b.length), b]));
  const body =
    r.body ??
    Buffer.concat([
      Buffer.from([0]),
      varint(r.timestampDelta ?? 0),
      varint(r.offsetDelta),
      lengthPrefixed(r.key),
      lengthPrefixed(r.value),
      varint(r.headers?.length ?? 0),
      ...(r.headers ?? []).map(([k, v]) => Buffer.concat([lengthPrefixed(Buffer.from(k)), lengthPrefixed(v)])),
    ]);
  return Buffer.concat([varint(body.length), body]);
}

/**
 * A v2 record batch around `records` (already framed, or compressed with `attributes`' codec), its
 * header fields as given or as a producer writes them, and a CRC-32C that is valid over whatever the
 * content is.
 */
export function handBuiltBatch(b: {
  records: Buffer;
  count: number;
  lastOffsetDelta?: number;
  attributes?: number;
  baseTimestamp?: number;
  maxTimestamp?: number;
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  /** An idempotent producer's id, epoch and first sequence (default -1: none). */
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
}): Buffer {
  const out = Buffer.alloc(61 + b.records.length);
  out.writeBigInt64BE(BigInt(b.baseOffset ?? 0), 0);
  out.writeInt32BE(out.length - 12, 8);
  out.writeInt32BE(b.partitionLeaderEpoch ?? -1, 12);
  out.writeInt8(2, 16);
  out.writeInt16BE(b.attributes ?? 0, 21);
  out.writeInt32BE(b.lastOffsetDelta ?? b.count - 1, 23);
  const now = BigInt(b.baseTimestamp ?? Date.now());
  out.writeBigInt64BE(now, 27);
  out.writeBigInt64BE(BigInt(b.maxTimestamp ?? Number(now)), 35);
  out.writeBigInt64BE(BigInt(b.producerId ?? -1), 43);
  out.writeInt16BE(b.producerEpoch ?? -1, 51);
  out.writeInt32BE(b.baseSequence ?? -1, 53);
  out.writeInt32BE(b.count, 57);
  b.records.copy(out, 61);
  out.writeUInt32BE(crc32c(out.subarray(21)), 17);
  return out;
}

/** Produce v3–8 (non-flexible) as bytes: transactional id, acks, timeout, topics → partitions → records. */
export function produceBody(
  acks: number,
  topics: readonly { name: string; partitions: readonly [number, Buffer][] }[],
  /** Transactional batches need one (Kafka refuses them without: TRANSACTIONAL_ID_AUTHORIZATION_FAILED). */
  transactionalId: string | null = null,
): Buffer[] {
  return [
    string(transactionalId),
    int16(acks),
    int32(10_000),
    array(
      topics.map((t) =>
        Buffer.concat([
          string(t.name),
          array(t.partitions.map(([index, records]) => Buffer.concat([int32(index), bytes(records)]))),
        ]),
      ),
    ),
  ];
}

// ---- the single-broker set-up most rows share ---------------------------------------------------

/** One broker and the topic a row's test works on. */
export interface SingleBroker {
  readonly cluster: ClusterHandle;
  readonly broker: BrokerHandle;
  readonly zk: ZkClient;
  /** The broker's pid once started (for `stillServes`). */
  readonly pids: ReadonlyMap<number, number | undefined>;
}

/**
 * Starts one broker (auto topic creation off, plus `overrides`) and creates `topic` (one partition
 * on it, with `topicConfigs` as `k=v`); returns once the broker leads and serves it. Stops what it
 * started if a step fails.
 */
export async function startSingleBroker(
  topic: string,
  o: { overrides?: Readonly<Record<string, string | number | boolean>>; topicConfigs?: readonly string[] } = {},
): Promise<SingleBroker> {
  const cluster = await startCluster({ brokers: 1, overrides: { 'auto.create.topics.enable': false, ...o.overrides } });
  let zk: ZkClient | undefined;
  try {
    const broker = cluster.broker(0);
    zk = await connectZk(cluster.zkConnect);
    await createTopic(cluster.zkConnect, topic, 1, 1, o.topicConfigs ?? []);
    await waitForPartitionState(zk, topic, 0, (s) => s.leader === 0, 'leader 0');
    await waitUntilServed(broker, topic);
    return { cluster, broker, zk, pids: brokerPids(cluster) };
  } catch (e) {
    await stopSingleBroker({ cluster, zk }).catch(() => undefined);
    throw e;
  }
}

/** Stops what `startSingleBroker` started, and checks no process of the test is left. */
export async function stopSingleBroker(env: { readonly cluster?: ClusterHandle; readonly zk?: ZkClient }): Promise<void> {
  if (env.zk) await close(env.zk);
  await env.cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
}

// ---- more wire builders (transactions) ----------------------------------------------------------

export function int8(v: number): Buffer {
  const b = Buffer.alloc(1);
  b.writeInt8(v);
  return b;
}

export function int64(v: number | bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(v));
  return b;
}

// ---- metrics ----------------------------------------------------------------------------------

/** One attribute of an MBean on `broker`'s metrics endpoint (Jolokia read), as a number. */
export async function jolokiaRead(broker: BrokerHandle, mbean: string, attribute = 'Value'): Promise<number> {
  const r = await fetch(`${broker.metricsUrl}/jolokia/read/${mbean}/${attribute}`);
  const body = (await r.json()) as { status: number; value?: unknown };
  if (body.status !== 200) throw new Error(`read ${mbean}/${attribute}: ${JSON.stringify(body)}`);
  return Number(body.value);
}
