/**
 * Fetch sessions (KIP-227), issue 17's figure: the CPU idle replication costs with 3,000 partitions
 * (RF 3, 10 topics of 300) on 3 brokers, fetch sessions on (the default
 * max.incremental.fetch.session.cache.slots=1000: each follower's fetcher holds one session per
 * leader and, once caught up, sends fetches naming no partition) against off (slots=0: every
 * replica fetch names all ~2,000 partitions it follows from that leader, and every answer carries
 * them all). Per mode: a fresh cluster; once every broker reports UnderReplicatedPartitions 0,
 * SAMSA_SESSIONS_SETTLE_S (default 15) s to settle, then the three broker processes' utime+stime
 * (/proc, all threads) over SAMSA_SESSIONS_MEASURE_S (default 30) s of no client traffic. Printed:
 * CPU seconds per second (1.0 = one core) for the three brokers together, per mode and the ratio.
 * Env: SAMSA_SESSIONS_PARTITIONS (default 3000), SAMSA_SESSIONS_RUNS (default 1),
 * SAMSA_SESSIONS_MODES (default off,on; `rf1` adds the same partitions with replication factor 1:
 * the idle brokers' cost without any replication, the floor both modes stand on).
 * Run: node --import tsx tests/bench/run.ts fetchSessions
 */
import * as os from 'node:os';
import { startCluster, type ClusterHandle } from '../harness/broker';
import { createTopic } from '../fault/support';
import { cpuCalibrationMs, cpuSeconds } from './procStats';

const partitions = Number(process.env.SAMSA_SESSIONS_PARTITIONS ?? 3000);
const settleS = Number(process.env.SAMSA_SESSIONS_SETTLE_S ?? 15);
const measureS = Number(process.env.SAMSA_SESSIONS_MEASURE_S ?? 30);
const runs = Number(process.env.SAMSA_SESSIONS_RUNS ?? 1);
type Mode = 'off' | 'on' | 'rf1';
const modes = (process.env.SAMSA_SESSIONS_MODES ?? 'off,on').split(',') as Mode[];
const PER_TOPIC = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function gauge(url: string, mbean: string): Promise<number> {
  const r = await fetch(`${url}/jolokia/read/${mbean}/Value`);
  const body = (await r.json()) as { status: number; value?: unknown };
  if (body.status !== 200) throw new Error(`read ${mbean}: ${JSON.stringify(body)}`);
  return Number(body.value);
}

async function idleCpu(mode: Mode): Promise<{ cpuPerSec: number; setupSec: number; sessionsOnLeaders: number[] }> {
  const t0 = performance.now();
  const cluster: ClusterHandle = await startCluster({
    brokers: 3,
    overrides: {
      'auto.leader.rebalance.enable': false,
      'offsets.topic.replication.factor': 3,
      'max.incremental.fetch.session.cache.slots': mode === 'off' ? 0 : 1000,
    },
  });
  try {
    for (let left = partitions, i = 0; left > 0; i++, left -= PER_TOPIC) {
      await createTopic(cluster.zkConnect, `idle${i}`, Math.min(PER_TOPIC, left), mode === 'rf1' ? 1 : 3);
    }
    const deadline = performance.now() + 900_000;
    for (;;) {
      const counts = await Promise.all(
        cluster.brokers.map(async (b) => ({
          parts: await gauge(b.metricsUrl, 'kafka.server:type=ReplicaManager,name=PartitionCount').catch(() => -1),
          leaders: await gauge(b.metricsUrl, 'kafka.server:type=ReplicaManager,name=LeaderCount').catch(() => -1),
          under: await gauge(b.metricsUrl, 'kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions').catch(() => -1),
        })),
      );
      const hosted = counts.reduce((n, c) => n + (mode === 'rf1' ? c.leaders : c.parts), 0);
      if (hosted === (mode === 'rf1' ? partitions : 3 * partitions) && counts.every((c) => c.under === 0)) break;
      if (performance.now() > deadline) throw new Error(`not all in sync: ${JSON.stringify(counts)}`);
      await sleep(1000);
    }
    const setupSec = (performance.now() - t0) / 1000;
    await sleep(settleS * 1000);
    const pids = cluster.brokers.map((b) => b.pid!);
    const c0 = cpuSeconds(pids);
    const w0 = performance.now();
    await sleep(measureS * 1000);
    const cpuPerSec = (cpuSeconds(pids) - c0) / ((performance.now() - w0) / 1000);
    const sessionsOnLeaders = await Promise.all(
      cluster.brokers.map((b) => gauge(b.metricsUrl, 'kafka.server:type=FetchSessionCache,name=NumIncrementalFetchSessions')),
    );
    return { cpuPerSec, setupSec, sessionsOnLeaders };
  } finally {
    await cluster.stop();
  }
}

async function main(): Promise<void> {
  console.log(`  ${partitions} partitions RF3 on 3 brokers, idle; settle ${settleS} s, measure ${measureS} s; loadavg ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; sha256 calibration ${cpuCalibrationMs()} ms`);
  const by: Record<Mode, number[]> = { off: [], on: [], rf1: [] };
  for (let i = 0; i < runs; i++) {
    for (const mode of modes) {
      const r = await idleCpu(mode);
      by[mode].push(r.cpuPerSec);
      console.log(
        `  ${mode === 'rf1' ? 'RF1 (no replication)' : `sessions ${mode}`}: ${r.cpuPerSec.toFixed(3)} CPU-s/s for the 3 brokers (setup ${r.setupSec.toFixed(0)} s, ` +
          `fetch sessions held per broker ${r.sessionsOnLeaders.join('/')}); loadavg ${os.loadavg()[0].toFixed(2)}`,
      );
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const [on, off] = [by.on, by.off];
  if (on.length > 0 && off.length > 0) {
    console.log(`  idle replication CPU, sessions on / off: ${(mean(on) / mean(off)).toFixed(3)} (on ${mean(on).toFixed(3)}, off ${mean(off).toFixed(3)} CPU-s/s)`);
  }
  if (by.rf1.length > 0 && on.length > 0 && off.length > 0) {
    const floor = mean(by.rf1);
    console.log(`  above the RF1 floor (${floor.toFixed(3)}): on ${(mean(on) - floor).toFixed(3)}, off ${(mean(off) - floor).toFixed(3)}, ratio ${((mean(on) - floor) / (mean(off) - floor)).toFixed(3)}`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
