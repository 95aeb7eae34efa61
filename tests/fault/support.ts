import { spawn } from 'child_process';
import * as path from 'path';
import { ApiKey, buildBatch, ErrorCode, errorInfo, type Struct } from '@samsa/protocol';
import { TestClient } from '../../packages/broker/src/network/testing/TestClient';
import { exists, getData, trackProcess, waitFor, withTimeout, type ZkClient } from '../harness';
import type { BrokerHandle } from '../harness/broker';

/**
 * The small vocabulary of the fault and bad-input scenarios: real tools as operators run them
 * (kcat, bin/kafka-topics.sh), raw requests for fault injection (encodeRequest/decodeResponse over a
 * socket, through the broker package's TestClient), and reads of the cluster's state as ZooKeeper
 * holds it (/controller, /controller_epoch, partition state znodes).
 */

const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const KCAT = '/usr/bin/kcat';
export const KAFKA_TOPICS = path.join(REPO_ROOT, 'bin', 'kafka-topics.sh');

export interface ToolResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a tool to its end (tracked, so a hung one is killed and reported), feeding it `input`. */
export async function runTool(
  file: string,
  args: readonly string[],
  { input, timeoutMs = 30_000 }: { input?: string; timeoutMs?: number } = {},
): Promise<ToolResult> {
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  trackProcess(child, `${path.basename(file)} ${args.join(' ')}`);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  child.stdin!.on('error', () => undefined);
  child.stdin!.end(input ?? '');
  const closed = new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  try {
    const code = await withTimeout(closed, timeoutMs, `${path.basename(file)} ${args.join(' ')} to exit`);
    return { code, stdout, stderr };
  } catch (e) {
    child.kill('SIGKILL');
    await closed;
    throw new Error(`${(e as Error).message}\nstdout: ${stdout}\nstderr: ${stderr}`);
  }
}

/** Produces one message per value with kcat (librdkafka), acks=all; fails on any delivery error. */
export async function kcatProduce(
  bootstrap: string,
  topic: string,
  values: readonly string[],
  { partition }: { partition?: number } = {},
): Promise<void> {
  const args = ['-P', '-b', bootstrap, '-t', topic, '-X', 'acks=all', '-X', 'message.timeout.ms=15000'];
  if (partition !== undefined) args.push('-p', String(partition));
  const r = await runTool(KCAT, args, { input: values.map((v) => `${v}\n`).join('') });
  if (r.code !== 0 || /ERROR|failed/i.test(r.stderr)) {
    throw new Error(`kcat -P to ${topic} failed (exit ${r.code}): ${r.stderr}`);
  }
}

/** Reads a partition from the beginning to its end with kcat; the message values in order. */
export async function kcatConsume(bootstrap: string, topic: string, partition: number): Promise<string[]> {
  const r = await runTool(KCAT, [
    '-C',
    '-b',
    bootstrap,
    '-t',
    topic,
    '-p',
    String(partition),
    '-o',
    'beginning',
    '-e',
    '-q',
    '-f',
    '%s\n',
    // An offset out of range would otherwise make librdkafka jump to the end and exit as if done.
    '-X',
    'auto.offset.reset=error',
  ]);
  if (r.code !== 0)
    throw new Error(`kcat -C from ${topic}-${partition} failed (exit ${r.code}): ${r.stderr}`);
  return r.stdout === '' ? [] : r.stdout.replace(/\n$/, '').split('\n');
}

/** Samsa's bin/kafka-topics.sh --zookeeper, as an operator runs it; fails unless it exits 0. */
export async function kafkaTopics(zkConnect: string, args: readonly string[]): Promise<string> {
  const r = await runTool(KAFKA_TOPICS, ['--zookeeper', zkConnect, ...args]);
  if (r.code !== 0)
    throw new Error(`kafka-topics ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** `kafka-topics --create` of `topic` with this many partitions and replicas (and `k=v` configs); its stdout. */
export function createTopic(
  zkConnect: string,
  topic: string,
  partitions: number,
  replicationFactor: number,
  configs: readonly string[] = [],
): Promise<string> {
  return kafkaTopics(zkConnect, [
    '--create',
    '--topic',
    topic,
    '--partitions',
    String(partitions),
    '--replication-factor',
    String(replicationFactor),
    ...configs.flatMap((c) => ['--config', c]),
  ]);
}

/** `values` as "<prefix>-0" … */
export function messages(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
}

// ---- ZooKeeper state ----------------------------------------------------------------------------

export interface ControllerInfo {
  readonly brokerId: number;
  readonly epoch: number;
}

/** /controller and /controller_epoch, or null while nobody holds /controller. */
export async function controllerInfo(zk: ZkClient): Promise<ControllerInfo | null> {
  if ((await exists(zk, '/controller')) === null) return null;
  try {
    const controller = JSON.parse((await getData(zk, '/controller')).data!.toString('utf8')) as {
      brokerid: number;
    };
    const epoch = Number((await getData(zk, '/controller_epoch')).data!.toString('utf8'));
    return { brokerId: controller.brokerid, epoch };
  } catch {
    return null; // deleted between the two reads
  }
}

export interface PartitionStateZNode {
  readonly controller_epoch: number;
  readonly leader: number;
  readonly leader_epoch: number;
  readonly isr: number[];
}

export async function partitionState(
  zk: ZkClient,
  topic: string,
  partition: number,
): Promise<PartitionStateZNode> {
  const { data } = await getData(zk, `/brokers/topics/${topic}/partitions/${partition}/state`);
  return JSON.parse(data!.toString('utf8')) as PartitionStateZNode;
}

/** Waits until the partition's state znode satisfies `ok`; resolves with it. */
export function waitForPartitionState(
  zk: ZkClient,
  topic: string,
  partition: number,
  ok: (s: PartitionStateZNode) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<PartitionStateZNode> {
  return waitFor(
    async () => {
      const s = await partitionState(zk, topic, partition);
      return ok(s) ? s : null;
    },
    { timeoutMs, intervalMs: 100, what: `${topic}-${partition}: ${what}` },
  );
}

// ---- raw requests ---------------------------------------------------------------------------------

let correlationIds = 1000;

/** One request on a connection of its own; the decoded response body. */
export async function rawRequest(
  port: number,
  apiKey: number,
  apiVersion: number,
  body: Struct,
  timeoutMs = 10_000,
): Promise<Struct> {
  const client = await TestClient.connect(port);
  try {
    return await requestOn(client, apiKey, apiVersion, body, timeoutMs);
  } finally {
    client.close();
  }
}

/** One request on an open connection (responses are read in order, one at a time). */
export async function requestOn(
  client: TestClient,
  apiKey: number,
  apiVersion: number,
  body: Struct,
  timeoutMs = 10_000,
): Promise<Struct> {
  const index = client.frames.length;
  const correlationId = correlationIds++;
  client.send(apiKey, apiVersion, correlationId, body);
  await client.waitFrames(index + 1, timeoutMs);
  if (client.frames.length <= index) {
    throw new Error(
      `no answer to api ${apiKey} v${apiVersion} (connection ${client.isClosed ? 'closed' : 'open, timed out'})`,
    );
  }
  const decoded = client.decode(index, apiKey, apiVersion);
  expectEqual(decoded.correlationId, correlationId, 'correlation id');
  return decoded.body;
}

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

/** Resolves true if the server closes the connection within `timeoutMs`, false if it stays open. */
export async function closedWithin(client: TestClient, timeoutMs = 5_000): Promise<boolean> {
  if (client.isClosed) return true;
  try {
    await withTimeout(client.closed, timeoutMs, 'the connection to close');
    return true;
  } catch {
    return false;
  }
}

export { TestClient };

/** Metadata v1 for `topics` from one broker (v1: null topics = all). */
export function metadata(broker: BrokerHandle, topics: string[] | null): Promise<Struct> {
  return rawRequest(broker.port, ApiKey.Metadata, 1, {
    topics: topics === null ? null : topics.map((name) => ({ name })),
  });
}

/** The name of a Kafka error code, for readable assertions. */
export function errorName(code: number): string {
  return errorInfo(code).name;
}

/** A valid record batch v2 holding `values`, as a producer sends it (Produce v3+). */
export function recordBatch(values: readonly string[]): Buffer {
  return buildBatch(
    values.map((v, i) => ({ key: null, value: Buffer.from(v), timestamp: Date.now(), offsetDelta: i })),
    {},
  );
}

/** Produce v7 of one batch to one partition; the partition's response. */
export async function rawProduce(
  port: number,
  topic: string,
  partition: number,
  records: Buffer,
  { acks = -1 }: { acks?: number } = {},
): Promise<Struct> {
  const body = await rawRequest(port, ApiKey.Produce, 7, {
    transactionalId: null,
    acks,
    timeoutMs: 10_000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  return body.responses[0].partitionResponses[0];
}

export { ErrorCode };

/** Retries an assertion block until it passes (metadata propagates asynchronously). */
export async function expectEventually(check: () => Promise<void>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Like kcatConsume, with each record's offset: a partition from the beginning to its end. */
export async function kcatConsumeWithOffsets(
  bootstrap: string,
  topic: string,
  partition: number,
): Promise<Array<{ offset: number; value: string }>> {
  const r = await runTool(KCAT, [
    '-C', '-b', bootstrap, '-t', topic, '-p', String(partition), '-o', 'beginning', '-e', '-q',
    '-f', '%o %s\n', '-X', 'auto.offset.reset=error',
  ], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`kcat -C from ${topic}-${partition} failed (exit ${r.code}): ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const space = l.indexOf(' ');
      return { offset: Number(l.slice(0, space)), value: l.slice(space + 1) };
    });
}
