/**
 * Consumer-group benchmarks (the consumer-group issue): on three brokers with Kafka's default
 * __consumer_offsets (50 partitions, RF 3):
 * 1. rebalance time for 10 kafkajs members over a 100-partition topic — from the first join to
 *    every member holding its share of a complete assignment, then for a member joining and one
 *    leaving an established group;
 * 2. offset commits per second — pipelined OffsetCommit v2 requests (acks -1 to the RF 3 offsets
 *    partition), one partition per request and 100 per request;
 * 3. a new coordinator loading 100k committed offsets — 1,000 groups chosen to hash onto one
 *    offsets partition, 100 offsets each; its leader is stopped (controlled shutdown) and the time
 *    from then until the new coordinator answers OffsetFetch for every group is taken.
 *
 *   npx tsc -b && node --import tsx tests/bench/run.ts groups
 */
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { ApiKey, ErrorCode, type Struct } from '@samsa/protocol';
import { TestClient } from '../../packages/broker/src/network/testing/TestClient';
import { startCluster, type ClusterHandle } from '../harness/broker';
import { connectZk, close, getData, type ZkClient } from '../harness';
import { offsetsPartitionOf } from '../interop/groupMembers';
import { createTopic } from '../fault/support';

const RUNS = Number(process.env.SAMSA_GROUPS_RUNS ?? 3);
const OFFSETS_PARTITIONS = 50;
const now = () => performance.now();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs: number[], unit: string, digits = 0) =>
  `${median(xs).toFixed(digits)} ${unit} [${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}]`;

const partitionFor = (group: string) => offsetsPartitionOf(group, OFFSETS_PARTITIONS);


async function waitUntil<T>(fn: () => Promise<T | null | false | undefined>, timeoutMs: number, what: string, intervalMs = 5): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

let correlation = 1;
/** Sends all `bodies` pipelined on one connection; resolves with the decoded responses in order. */
async function pipelined(client: TestClient, apiKey: number, version: number, bodies: Struct[]): Promise<Struct[]> {
  const first = client.frames.length;
  for (const b of bodies) client.send(apiKey, version, correlation++, b);
  await client.waitFrames(first + bodies.length, 120_000);
  return bodies.map((_, i) => client.decode(first + i, apiKey, version).body);
}

async function coordinatorOf(client: TestClient, group: string): Promise<number> {
  const [r] = await pipelined(client, ApiKey.FindCoordinator, 1, [{ key: group, keyType: 0 }]);
  if (r.errorCode !== ErrorCode.NONE) throw new Error(`FindCoordinator ${group}: error ${r.errorCode}`);
  return r.nodeId as number;
}

function commitBody(group: string, topic: string, partitions: number[], offset: number): Struct {
  return {
    groupId: group,
    generationId: -1,
    memberId: '',
    retentionTimeMs: -1,
    topics: [{ name: topic, partitions: partitions.map((p) => ({ partitionIndex: p, committedOffset: offset, committedMetadata: '' })) }],
  };
}

function commitErrors(responses: Struct[]): number {
  let errors = 0;
  for (const r of responses) for (const t of r.topics as Struct[]) for (const p of t.partitions as Struct[]) if (p.errorCode !== 0) errors++;
  return errors;
}

async function rebalanceBench(cluster: ClusterHandle, run: number): Promise<{ initial: number; join: number; leave: number }> {
  const topic = `rebalance-${run}`;
  await createTopic(cluster.zkConnect, topic, 100, 3);
  const kafka = new Kafka({ clientId: 'bench', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await waitUntil(async () => (await admin.fetchTopicOffsets(topic)).length === 100, 60_000, 'topic led');
  await admin.disconnect();
  const group = `rebalance-group-${run}`;
  const assigned = new Map<Consumer, number[]>();
  const consumers: Consumer[] = [];
  const add = async () => {
    // maxWaitTimeInMs 100: kafkajs heartbeats between fetches, so a long fetch wait would be timed here.
    const c = kafka.consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 500, rebalanceTimeout: 30_000, maxWaitTimeInMs: 100 });
    c.on(c.events.GROUP_JOIN, (e) => assigned.set(c, e.payload.memberAssignment[topic] ?? []));
    consumers.push(c);
    await c.connect();
    await c.subscribe({ topics: [topic] });
    await c.run({ eachMessage: async () => undefined });
  };
  const balanced = (members: Consumer[]) => {
    const all = members.flatMap((c) => assigned.get(c) ?? []);
    return new Set(all).size === 100 && all.length === 100 && members.every((c) => (assigned.get(c)?.length ?? 0) > 0);
  };
  let t0 = now();
  await Promise.all(Array.from({ length: 10 }, add));
  await waitUntil(async () => balanced(consumers), 120_000, '10 members balanced');
  const initial = now() - t0;

  for (const c of consumers) assigned.delete(c);
  t0 = now();
  await add();
  await waitUntil(async () => balanced(consumers), 120_000, '11 members balanced');
  const join = now() - t0;

  const leaving = consumers.pop()!;
  for (const c of consumers) assigned.delete(c);
  t0 = now();
  await leaving.disconnect();
  await waitUntil(async () => balanced(consumers), 120_000, '10 members balanced after a leave');
  const leave = now() - t0;
  await Promise.all(consumers.map((c) => c.disconnect()));
  return { initial, join, leave };
}

async function commitBench(cluster: ClusterHandle, run: number): Promise<{ single: number; hundred: number }> {
  const topic = `commits-${run}`;
  await createTopic(cluster.zkConnect, topic, 100, 3);
  const group = `commit-group-${run}`;
  const any = await TestClient.connect(cluster.brokers[0].port);
  // (wrapped: broker id 0 is a falsy answer)
  const { id: coordinatorId } = await waitUntil(async () => ({ id: await coordinatorOf(any, group) }), 60_000, 'coordinator');
  any.close();
  const client = await TestClient.connect(cluster.broker(coordinatorId).port);
  // Warm up (topic metadata on the coordinator, the offsets partition's first segment).
  await waitUntil(async () => commitErrors(await pipelined(client, ApiKey.OffsetCommit, 2, [commitBody(group, topic, [0], 0)])) === 0, 60_000, 'first commit');
  const IN_FLIGHT = 64;
  const measure = async (partitionsPerRequest: number, requests: number): Promise<number> => {
    const parts = Array.from({ length: partitionsPerRequest }, (_, i) => i);
    const t = now();
    let errors = 0;
    for (let sent = 0; sent < requests; sent += IN_FLIGHT) {
      const n = Math.min(IN_FLIGHT, requests - sent);
      errors += commitErrors(await pipelined(client, ApiKey.OffsetCommit, 2, Array.from({ length: n }, (_, i) => commitBody(group, topic, parts, sent + i))));
    }
    if (errors > 0) throw new Error(`${errors} commit errors`);
    return (requests * 1000) / (now() - t);
  };
  const single = await measure(1, 20_000);
  const hundred = await measure(100, 2_000);
  client.close();
  return { single, hundred: hundred * 100 };
}

async function loadBench(cluster: ClusterHandle, zk: ZkClient): Promise<{ loadMs: number; brokerLoadMs: number; offsets: number; from: number; to: number }> {
  const topic = 'load-topic';
  await createTopic(cluster.zkConnect, topic, 100, 3);
  const target = partitionFor('load-group-0');
  const groups: string[] = [];
  for (let i = 0; groups.length < 1000; i++) if (partitionFor(`load-group-${i}`) === target) groups.push(`load-group-${i}`);
  const any = await TestClient.connect(cluster.brokers[0].port);
  const { id: coordinatorId } = await waitUntil(async () => ({ id: await coordinatorOf(any, groups[0]) }), 60_000, 'coordinator');
  any.close();
  const client = await TestClient.connect(cluster.broker(coordinatorId).port);
  const parts = Array.from({ length: 100 }, (_, i) => i);
  await waitUntil(async () => commitErrors(await pipelined(client, ApiKey.OffsetCommit, 2, [commitBody(groups[0], topic, parts, 1)])) === 0, 60_000, 'first commit');
  for (let i = 0; i < groups.length; i += 50) {
    const errors = commitErrors(await pipelined(client, ApiKey.OffsetCommit, 2, groups.slice(i, i + 50).map((g) => commitBody(g, topic, parts, 1000 + i))));
    if (errors > 0) throw new Error(`${errors} commit errors while filling`);
  }
  client.close();
  const stateBefore = JSON.parse((await getData(zk, `/brokers/topics/__consumer_offsets/partitions/${target}/state`)).data!.toString()) as { leader: number };
  const t0 = now();
  await cluster.broker(stateBefore.leader).stop();
  const state = await waitUntil(
    async () => {
      const s = JSON.parse((await getData(zk, `/brokers/topics/__consumer_offsets/partitions/${target}/state`)).data!.toString()) as { leader: number };
      return s.leader >= 0 && s.leader !== stateBefore.leader ? s : null;
    },
    60_000,
    'a new leader of the offsets partition',
    2,
  );
  const newCoordinator = await TestClient.connect(cluster.broker(state.leader).port);
  const fetchBody = (g: string) => ({ groupId: g, topics: [{ name: topic, partitionIndexes: [0] }] });
  await waitUntil(
    async () => {
      const [r] = await pipelined(newCoordinator, ApiKey.OffsetFetch, 1, [fetchBody(groups[groups.length - 1])]);
      const p = ((r.topics as Struct[])[0]?.partitions as Struct[] | undefined)?.[0];
      return p !== undefined && p.errorCode === 0 && Number(p.committedOffset) >= 1000;
    },
    120_000,
    'the new coordinator to answer for the last group',
    2,
  );
  const loadMs = now() - t0;
  // The new coordinator's own account of the load (its log line reaches us through a pipe, a little later).
  const loadedLine = new RegExp(`Finished loading offsets and group metadata from __consumer_offsets-${target} in (\\d+) milliseconds`);
  const brokerLoadMs = await waitUntil(
    async () => {
      const m = loadedLine.exec(cluster.broker(state.leader).output());
      return m ? Number(m[1]) : null;
    },
    10_000,
    'the load to be logged',
    50,
  ).catch(() => NaN);
  // Every group's offsets are there.
  const answers = await pipelined(newCoordinator, ApiKey.OffsetFetch, 1, groups.map(fetchBody));
  const ok = answers.filter((r) => Number(((r.topics as Struct[])[0].partitions as Struct[])[0].committedOffset) >= 1000).length;
  newCoordinator.close();
  if (ok !== groups.length) throw new Error(`only ${ok} of ${groups.length} groups loaded`);
  await cluster.broker(stateBefore.leader).restart();
  return { loadMs, brokerLoadMs, offsets: groups.length * 100, from: stateBefore.leader, to: state.leader };
}

async function main(): Promise<void> {
  console.log(`load average at start: ${require('node:fs').readFileSync('/proc/loadavg', 'utf8').trim()}`);
  const cluster = await startCluster({ brokers: 3, overrides: { 'group.initial.rebalance.delay.ms': 0, 'offsets.topic.replication.factor': 3 } });
  const zk = await connectZk(cluster.zkConnect);
  try {
    const rebalances = [];
    for (let run = 0; run < RUNS; run++) rebalances.push(await rebalanceBench(cluster, run));
    console.log(`  rebalance, 10 kafkajs members over 100 partitions (heartbeat 500 ms, fetch max wait 100 ms, initial delay 0): first join ${fmt(rebalances.map((r) => r.initial), 'ms')}; an 11th joins ${fmt(rebalances.map((r) => r.join), 'ms')}; one leaves ${fmt(rebalances.map((r) => r.leave), 'ms')}`);
    const commits = [];
    for (let run = 0; run < RUNS; run++) commits.push(await commitBench(cluster, run));
    console.log(`  offset commits (OffsetCommit v2, 64 in flight, acks -1 RF 3): ${fmt(commits.map((c) => c.single), 'requests/s')} with 1 partition each; ${fmt(commits.map((c) => c.hundred), 'offsets/s')} with 100 per request`);
    const load = await loadBench(cluster, zk);
    console.log(`  new coordinator loading ${load.offsets} committed offsets (1,000 groups × 100 in one offsets partition): ${load.loadMs.toFixed(0)} ms from the old leader's SIGTERM to the last group answered (broker ${load.from} → ${load.to}), of which the load itself (the new coordinator's log) ${load.brokerLoadMs} ms`);
  } finally {
    await close(zk);
    await cluster.stop();
  }
  console.log(`load average at end: ${require('node:fs').readFileSync('/proc/loadavg', 'utf8').trim()}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
