/**
 * Replication benchmark (the replication issue's figures), against the BUILT broker:
 *   load:      3 brokers, one topic of 6 partitions, RF 3. Produce throughput with kcat -P (librdkafka,
 *              linger.ms=5, batch.num.messages=10000) at acks=1 and acks=all, 1000 B and 100 B
 *              records; p50/p99/max at a fixed 20k records/s of 100 B (replication-latency.py,
 *              confluent-kafka) at acks=1 and acks=all; consume throughput (kcat -C -e, all partitions).
 *   leaderkill: kill -9 of a partition's leader while a confluent-kafka loop produces one record at a
 *              time with acks=all to that partition; time from the kill to the first success after it
 *              (and from the ZooKeeper session's end — /brokers/ids/<id> gone — to that success).
 *   shutdown:  SAMSA_REPL_PARTITIONS partitions (default 3000, in topics of 300, RF 3); SIGTERM the
 *              non-controller broker leading the most; time to "Controlled shutdown succeeded" in its
 *              output and to its exit.
 *   failover:  same topic layout; kill -9 the controller's process; from the moment /controller
 *              disappears (its session timed out: session expiry excluded) to another broker at
 *              /controller, to every partition state znode naming a live leader, and to every live
 *              broker's Metadata showing live leaders for every partition.
 * Each phase starts a fresh cluster per run. Env: SAMSA_REPL_PHASES (comma list, default all),
 * SAMSA_REPL_RUNS (default 3), SAMSA_REPL_MB (1000 B produce volume, default 256),
 * SAMSA_REPL_PARTITIONS (default 3000).
 * Run: node --import tsx tests/bench/run.ts replication
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../harness/broker';
import { close, connectZk, exists, getData, type ZkClient } from '../harness/zkclient';
import { cpuSeconds, makeLines, rssMiB } from './procStats';
import { createTopic } from '../fault/support';

const MB = 1024 * 1024;
const PY = path.join(__dirname, 'replication-latency.py');
const phases = (process.env.SAMSA_REPL_PHASES ?? 'load,leaderkill,shutdown,failover').split(',');
const runs = Number(process.env.SAMSA_REPL_RUNS ?? 3);
const volumeMb = Number(process.env.SAMSA_REPL_MB ?? 256);
const bigPartitions = Number(process.env.SAMSA_REPL_PARTITIONS ?? 3000);
const PER_TOPIC = 300;
const OVERRIDES = {
  'log.segment.bytes': 1073741824,
  'message.max.bytes': 10485760,
  'default.replication.factor': 3,
  'num.partitions': 6,
  'offsets.topic.replication.factor': 3,
  'auto.leader.rebalance.enable': false,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => Number(process.hrtime.bigint()) / 1e6; // ms, monotonic
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};


interface PState {
  leader: number;
  controller_epoch: number;
  isr: number[];
}

async function readStates(zk: ZkClient, topics: [string, number][]): Promise<(PState | null)[]> {
  const jobs: Promise<PState | null>[] = [];
  for (const [t, n] of topics)
    for (let p = 0; p < n; p++)
      jobs.push(
        getData(zk, `/brokers/topics/${t}/partitions/${p}/state`).then(
          (r) => JSON.parse(r.data!.toString('utf8')) as PState,
          () => null,
        ),
      );
  return Promise.all(jobs);
}

async function controllerOf(zk: ZkClient): Promise<{ id: number; epoch: number } | null> {
  try {
    const c = JSON.parse((await getData(zk, '/controller')).data!.toString('utf8')) as { brokerid: number };
    const epoch = Number((await getData(zk, '/controller_epoch')).data!.toString('utf8'));
    return { id: c.brokerid, epoch };
  } catch {
    return null;
  }
}

async function waitUntil<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs: number, what: string, intervalMs = 10): Promise<T> {
  const end = now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Every partition of every topic with a leader (in ZK) and full ISR. */
async function waitAllLed(zk: ZkClient, topics: [string, number][], timeoutMs: number, fullIsr = 3): Promise<PState[]> {
  return waitUntil(
    async () => {
      const s = await readStates(zk, topics);
      return s.every((x) => x !== null && x.leader >= 0 && x.isr.length >= fullIsr) ? (s as PState[]) : null;
    },
    timeoutMs,
    'all partitions led with full ISR',
    200,
  );
}

/** Broker's Metadata (kcat -L -J against that broker only): topic → partition leaders. */
const metadataPolls: string[] = [];
function metadataLeaders(bootstrap: string): Map<string, number[]> | null {
  const t0 = now();
  const r = metadataLeadersOnce(bootstrap);
  metadataPolls.push(`${bootstrap} ${Math.round(now() - t0)}ms ${r ? 'ok' : 'FAILED'}`);
  return r;
}
function metadataLeadersOnce(bootstrap: string): Map<string, number[]> | null {
  const r = spawnSync('kcat', ['-L', '-J', '-b', bootstrap, '-X', 'topic.metadata.refresh.interval.ms=-1'], {
    encoding: 'utf8',
    maxBuffer: 64 * MB,
    timeout: 10_000,
  });
  if (r.status !== 0) return null;
  try {
    const j = JSON.parse(r.stdout) as { topics: { topic: string; partitions: { partition: number; leader: number }[] }[] };
    const m = new Map<string, number[]>();
    for (const t of j.topics) m.set(t.topic, t.partitions.map((p) => p.leader));
    return m;
  } catch {
    return null;
  }
}

async function bigCluster(): Promise<{ cluster: ClusterHandle; zk: ZkClient; topics: [string, number][]; setupSec: number; zkReadySec: number }> {
  const t0 = now();
  const cluster = await startCluster({ brokers: 3, overrides: OVERRIDES });
  const topics: [string, number][] = [];
  for (let left = bigPartitions, i = 0; left > 0; i++) {
    const n = Math.min(PER_TOPIC, left);
    topics.push([`big${i}`, n]);
    left -= n;
  }
  for (const [t, n] of topics) await createTopic(cluster.zkConnect, t, n, 3);
  // Connected only now: the synchronous kafka-topics runs (seconds in all) would starve a session's
  // pings, and an expired session makes every read below fail for ever.
  const zk = await connectZk(cluster.zkConnect);
  await waitAllLed(zk, topics, 600_000);
  const zkReadySec = (now() - t0) / 1000;
  // ZooKeeper says every partition is led well before the brokers' Metadata does: wait for both.
  await waitUntil(
    async () =>
      cluster.brokers.every((b) => {
        const m = metadataLeadersOnce(b.bootstrap);
        return m !== null && topics.every(([t, n]) => m.get(t)?.length === n && m.get(t)!.every((x) => x >= 0));
      }),
    600_000,
    'every broker Metadata to show every partition led',
    200,
  );
  const setupSec = (now() - t0) / 1000;
  console.log(`  cluster with ${bigPartitions} partitions RF3: all led in ZooKeeper after ${zkReadySec.toFixed(1)} s, in every broker's Metadata after ${setupSec.toFixed(1)} s`);
  return { cluster, zk, topics, setupSec, zkReadySec };
}

function leaderCounts(states: PState[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const s of states) m.set(s.leader, (m.get(s.leader) ?? 0) + 1);
  return m;
}

/** Log lines of a broker's output matching re, with their text (for profiling hints). */
function grepOut(b: BrokerHandle, re: RegExp, from = 0): string[] {
  return b
    .output()
    .slice(from)
    .split('\n')
    .filter((l) => re.test(l));
}

// ---------------------------------------------------------------------------------------------

async function phaseLoad(results: Record<string, unknown>): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-repl-bench-'));
  const file1k = path.join(tmp, 'l1000');
  const n1k = makeLines(file1k, 1000, volumeMb * MB);
  const file100 = path.join(tmp, 'l100');
  const n100 = makeLines(file100, 100, Math.min(volumeMb, 128) * MB);
  const out: Record<string, unknown[]> = {};
  const push = (k: string, v: unknown) => {
    (out[k] ??= []).push(v);
    console.log(`  ${k}:`, JSON.stringify(v));
  };
  try {
    for (let run = 0; run < runs; run++) {
      console.log(`load run ${run + 1}/${runs}`);
      const cluster = await startCluster({ brokers: 3, overrides: OVERRIDES });
      const zk = await connectZk(cluster.zkConnect);
      const pids = cluster.brokers.map((b) => b.pid!);
      try {
        const topicsList = ['t1k-acks1', 't1k-acksall', 't100-acks1', 't100-acksall', 'tlat-acks1', 'tlat-acksall'];
        for (const t of topicsList) await createTopic(cluster.zkConnect, t, 6, 3);
        await waitAllLed(zk, topicsList.map((t) => [t, 6]), 60_000);
        const produce = (topic: string, file: string, acks: string) => {
          const cpu0 = cpuSeconds(pids);
          const t0 = now();
          execFileSync('kcat', ['-P', '-b', cluster.bootstrap, '-t', topic, '-X', 'linger.ms=5', '-X', 'batch.num.messages=10000', '-X', `acks=${acks}`, '-l', file], {
            stdio: ['ignore', 'ignore', 'inherit'],
          });
          return { sec: (now() - t0) / 1000, cpu: cpuSeconds(pids) - cpu0 };
        };
        for (const acks of ['1', 'all']) {
          const r = produce(`t1k-acks${acks}`, file1k, acks);
          const gb = (n1k * 1000) / 1024 / MB;
          push(`produce1k_acks${acks}`, { MBps: +((n1k * 1000) / MB / r.sec).toFixed(0), sec: +r.sec.toFixed(2), cpuSecPerGB3Brokers: +(r.cpu / gb).toFixed(2) });
        }
        for (const acks of ['1', 'all']) {
          const r = produce(`t100-acks${acks}`, file100, acks);
          push(`produce100_acks${acks}`, { recordsPerSec: Math.round(n100 / r.sec), MBps: +((n100 * 100) / MB / r.sec).toFixed(0), sec: +r.sec.toFixed(2) });
        }
        // The synchronous kcat runs starved this process's ZooKeeper session: check with a new one.
        const zk2 = await connectZk(cluster.zkConnect);
        await waitAllLed(zk2, topicsList.map((t) => [t, 6]), 120_000);
        await close(zk2).catch(() => undefined);
        {
          const cpu0 = cpuSeconds(pids);
          const t0 = now();
          const r = spawnSync('kcat', ['-C', '-b', cluster.bootstrap, '-t', 't1k-acksall', '-o', 'beginning', '-e', '-q', '-f', '%s\n'], { stdio: ['ignore', 'ignore', 'inherit'] });
          const sec = (now() - t0) / 1000;
          if (r.status !== 0) throw new Error('kcat -C failed');
          push('consume1k', { MBps: +((n1k * 1000) / MB / sec).toFixed(0), sec: +sec.toFixed(2), cpuSecPerGB3Brokers: +((cpuSeconds(pids) - cpu0) / ((n1k * 1000) / 1024 / MB)).toFixed(2) });
        }
        for (const acks of ['1', 'all']) {
          const lat = spawnSync('/usr/bin/python3', [PY, cluster.bootstrap, `tlat-acks${acks}`, '20000', '10', acks], { encoding: 'utf8' });
          if (lat.status !== 0) throw new Error(`latency.py failed: ${lat.stderr}`);
          push(`latency20k_acks${acks}`, JSON.parse(lat.stdout.trim().split('\n').pop()!));
        }
        push('rssMiB', { peak: pids.map((p) => +rssMiB(p, 'VmHWM').toFixed(0)) });
      } finally {
        await close(zk).catch(() => undefined);
        await cluster.stop();
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  results.load = out;
}

async function phaseLeaderKill(results: Record<string, unknown>): Promise<void> {
  const rows: unknown[] = [];
  for (let run = 0; run < runs; run++) {
    console.log(`leaderkill run ${run + 1}/${runs}`);
    const cluster = await startCluster({ brokers: 3, overrides: OVERRIDES });
    const zk = await connectZk(cluster.zkConnect);
    try {
      await createTopic(cluster.zkConnect, 'lk', 6, 3);
      const states = await waitAllLed(zk, [['lk', 6]], 60_000);
      const ctl = await controllerOf(zk);
      // A partition led by a broker that is not the controller (a controller kill is the failover phase).
      const part = states.findIndex((s) => s.leader !== ctl!.id);
      const victim = cluster.broker(states[part].leader);
      const lines: string[] = [];
      const py = spawn('/usr/bin/python3', [PY, '--loop', cluster.bootstrap, 'lk', String(part), '60'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let buf = '';
      py.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const parts = buf.split('\n');
        buf = parts.pop()!;
        lines.push(...parts);
      });
      const pyExit = new Promise((r) => py.once('exit', r));
      await waitUntil(async () => lines.filter((l) => l.startsWith('ok')).length > 50, 30_000, 'producer loop to run');
      const killWall = Date.now() / 1000;
      const killMono = now();
      await victim.kill();
      // Session end: /brokers/ids/<id> disappears (zookeeper.session.timeout.ms after the kill).
      await waitUntil(async () => (await exists(zk, `/brokers/ids/${victim.brokerId}`)) === null, 30_000, 'the dead broker session to end', 5);
      const sessionGoneWall = killWall + (now() - killMono) / 1000;
      const firstOk = await waitUntil(
        async () => {
          // Sent after the kill: a record acked by the old leader just before it died does not count.
          const l = lines.find((x) => x.startsWith('ok ') && Number(x.split(' ')[2]) > killWall);
          return l ? Number(l.split(' ')[1]) : null;
        },
        45_000,
        'a successful acks=all produce after the kill',
      );
      py.kill('SIGTERM');
      await pyExit;
      const errs = lines.filter((l) => l.startsWith('err') && Number(l.split(' ')[1]) > killWall).length;
      const lastOkBefore = Math.max(...lines.filter((l) => l.startsWith('ok ') && Number(l.split(' ')[1]) <= killWall).map((l) => Number(l.split(' ')[1])));
      const row = {
        partition: part,
        killedLeader: victim.brokerId,
        killToFirstAcksAllSuccessMs: Math.round((firstOk - killWall) * 1000),
        sessionEndToFirstSuccessMs: Math.round((firstOk - sessionGoneWall) * 1000),
        killToSessionEndMs: Math.round((sessionGoneWall - killWall) * 1000),
        lastSuccessBeforeKillMsAgo: Math.round((killWall - lastOkBefore) * 1000),
        failedSendsAfterKill: errs,
      };
      rows.push(row);
      console.log('  ', JSON.stringify(row));
    } finally {
      await close(zk).catch(() => undefined);
      await cluster.stop();
    }
  }
  results.leaderkill = rows;
}

async function phaseShutdown(results: Record<string, unknown>): Promise<void> {
  const rows: unknown[] = [];
  for (let run = 0; run < runs; run++) {
    console.log(`shutdown run ${run + 1}/${runs}`);
    const { cluster, zk, topics, setupSec, zkReadySec } = await bigCluster();
    try {
      const states = (await readStates(zk, topics)) as PState[];
      const ctl = (await controllerOf(zk))!;
      const counts = leaderCounts(states);
      const victimId = [...counts.entries()].filter(([id]) => id !== ctl.id).sort((a, b) => b[1] - a[1])[0][0];
      const victim = cluster.broker(victimId);
      const ctlBroker = cluster.broker(ctl.id);
      const from = victim.output().length;
      const ctlFrom = ctlBroker.output().length;
      const exited = victim.stop(60_000);
      const t0 = now();
      let succeededMs = NaN;
      let exitMs = NaN;
      void exited.then(() => (exitMs = now() - t0));
      await waitUntil(
        async () => {
          if (Number.isNaN(succeededMs) && victim.output().includes('Controlled shutdown succeeded', from)) succeededMs = now() - t0;
          return !Number.isNaN(exitMs);
        },
        60_000,
        'the broker to exit',
        2,
      );
      const after = (await readStates(zk, topics)) as PState[];
      const stillOnVictim = after.filter((s) => s.leader === victimId).length;
      const row = {
        partitions: bigPartitions,
        setupSec: +setupSec.toFixed(1),
        zkReadySec: +zkReadySec.toFixed(1),
        broker: victimId,
        controller: ctl.id,
        ledBefore: counts.get(victimId),
        sigtermToSucceededMs: Math.round(succeededMs),
        sigtermToExitMs: Math.round(exitMs),
        leadersStillOnItAfter: stillOnVictim,
        controlledShutdownLines: grepOut(victim, /[Cc]ontrolled shutdown|retry/, from).slice(0, 6),
        controllerLines: grepOut(ctlBroker, /[Ss]hutting down broker|ControlledShutdown|took|ms\b/, ctlFrom).slice(0, 12),
      };
      rows.push(row);
      console.log('  ', JSON.stringify(row));
    } finally {
      await close(zk).catch(() => undefined);
      await cluster.stop();
    }
  }
  results.shutdown = rows;
}

async function phaseFailover(results: Record<string, unknown>): Promise<void> {
  const rows: unknown[] = [];
  for (let run = 0; run < runs; run++) {
    console.log(`failover run ${run + 1}/${runs}`);
    const { cluster, zk, topics, setupSec, zkReadySec } = await bigCluster();
    try {
      const ctl = (await controllerOf(zk))!;
      const before = (await readStates(zk, topics)) as PState[];
      const ledByOld = before.filter((s) => s.leader === ctl.id).length;
      const old = cluster.broker(ctl.id);
      const live = cluster.brokers.filter((b) => b !== old);
      const outFrom = new Map(live.map((b) => [b.brokerId, b.output().length]));
      const tKill = now();
      await old.kill();
      await waitUntil(async () => (await exists(zk, '/controller')) === null, 30_000, '/controller to disappear', 2);
      const t0 = now();
      const killToGoneMs = t0 - tKill;
      const nc = await waitUntil(async () => {
        const c = await controllerOf(zk);
        return c && c.id !== ctl.id && c.epoch > ctl.epoch ? c : null;
      }, 30_000, 'a new controller', 2);
      const newControllerMs = now() - t0;
      let sweeps = 0;
      const sweepMs: number[] = [];
      await waitUntil(
        async () => {
          const s0 = now();
          const s = await readStates(zk, topics);
          sweeps++;
          sweepMs.push(now() - s0);
          return s.every((x) => x !== null && x.leader >= 0 && x.leader !== ctl.id);
        },
        60_000,
        'every partition state znode to name a live leader',
        0,
      );
      const zkLeadersMs = now() - t0;
      metadataPolls.length = 0;
      const cpu0 = live.map((b) => cpuSeconds([b.pid!]));
      const tCpu0 = now();
      await waitUntil(
        async () =>
          live.every((b) => {
            const m = metadataLeaders(b.bootstrap);
            if (!m) return false;
            let bad = 0;
            for (const [t, n] of topics) {
              const l = m.get(t);
              if (l === undefined || l.length !== n) bad += n;
              else bad += l.filter((x) => x < 0 || x === ctl.id).length;
            }
            metadataPolls[metadataPolls.length - 1] += ` bad=${bad}`;
            return bad === 0;
          }),
        60_000,
        'every live broker Metadata to show live leaders',
        0,
      );
      const metadataMs = now() - t0;
      const liveCpuPct = live.map((b, i) => `broker ${b.brokerId}: ${Math.round(((cpuSeconds([b.pid!]) - cpu0[i]) * 100000) / (now() - tCpu0))}%`);
      const after = (await readStates(zk, topics)) as PState[];
      const withNewEpoch = after.filter((s) => s.controller_epoch === nc.epoch).length;
      const newCtl = cluster.broker(nc.id);
      const row = {
        partitions: bigPartitions,
        setupSec: +setupSec.toFixed(1),
        zkReadySec: +zkReadySec.toFixed(1),
        oldController: ctl.id,
        ledByOld,
        newController: nc.id,
        killToControllerZnodeGoneMs: Math.round(killToGoneMs),
        goneToNewControllerMs: Math.round(newControllerMs),
        goneToAllZkLeadersLiveMs: Math.round(zkLeadersMs),
        goneToAllMetadataLiveMs: Math.round(metadataMs),
        zkSweepMedianMs: Math.round(median(sweepMs)),
        sweeps,
        statesWithNewControllerEpoch: withNewEpoch,
        liveCpuPctWhileWaitingForMetadata: liveCpuPct,
        metadataPolls: [...metadataPolls],
        warnings: live.flatMap((b) => grepOut(b, /WARN|ERROR/, outFrom.get(b.brokerId)).map((l) => l.slice(0, 220))).slice(0, 12),
        controllerLog: grepOut(newCtl, /elected as the controller|Ready to serve|Broker failure callback|Initializing controller context|Sending update metadata|Currently active|took|ms\b/, outFrom.get(nc.id)).map((l) => l.slice(0, 200)).slice(0, 20),
      };
      rows.push(row);
      console.log('  ', JSON.stringify(row));
    } finally {
      await close(zk).catch(() => undefined);
      await cluster.stop();
    }
  }
  results.failover = rows;
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = { date: new Date().toISOString(), runs, volumeMb, bigPartitions, loadavg: os.loadavg() };
  console.log('loadavg at start:', os.loadavg().map((x) => x.toFixed(2)).join(' '));
  if (phases.includes('load')) await phaseLoad(results);
  if (phases.includes('leaderkill')) await phaseLeaderKill(results);
  if (phases.includes('shutdown')) await phaseShutdown(results);
  if (phases.includes('failover')) await phaseFailover(results);
  console.log(JSON.stringify(results));
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
