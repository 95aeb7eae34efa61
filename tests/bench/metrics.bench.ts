/**
 * What metrics cost (issue #7: produce throughput with metrics on within 3% of off) and what a
 * scrape costs with many partitions.
 *
 * 1. Two single-broker clusters side by side, one with metrics (the default) and one with
 *    samsa.metrics.enabled=false; the same kcat load goes to one, then the other, alternating
 *    (on/off, off/on, …), so that the machine's drift hits both alike:
 *      - "1000 B": kcat -P -X linger.ms=5 -X batch.num.messages=10000 -X acks=1 (the broker
 *        benchmark's load: few large requests);
 *      - "small requests": 100 B records, -X batch.num.messages=50 -X linger.ms=0 (many small
 *        produce requests: the per-request cost of RequestMetrics and BrokerTopicMetrics shows most).
 *    Throughput from kcat's wall time; broker CPU from /proc/<pid>/stat around each run.
 * 2. On the metrics broker, a topic of 1,000 partitions (RF 1): latency of a full GET /metrics and
 *    of a Jolokia read of kafka.log:type=Log,* (4,000 gauges), cold (first) and warm (median of 20).
 * 3. Each load on fresh brokers run with `node --cpu-prof` (sampled every 100 µs), metrics on and
 *    off: busy CPU time per MB in the steady state, and with metrics on the share of it spent with
 *    metrics code on the stack (@samsa/metrics, RequestMetrics, BrokerTopicStats, BrokerMetrics),
 *    and that time per produce request. On a shared machine
 *    this attribution is steadier than the difference of two noisy throughputs.
 *
 * Run: make bench BENCH=metrics  (SAMSA_METRICS_BENCH_MB (default 256), SAMSA_METRICS_BENCH_RUNS (5),
 * SAMSA_METRICS_BENCH_PARTITIONS (1000), SAMSA_METRICS_BENCH_PROFILE_OUT (a path prefix: keep the CPU
 * profiles)).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../harness/broker';
import { profileShare } from './cpuProfile';
import { cpuSeconds, makeLines } from './procStats';
import { createTopic } from '../fault/support';

const MB = 1024 * 1024;
const volumeMb = Number(process.env.SAMSA_METRICS_BENCH_MB ?? 256);
const runs = Number(process.env.SAMSA_METRICS_BENCH_RUNS ?? 5);
const partitions = Number(process.env.SAMSA_METRICS_BENCH_PARTITIONS ?? 1000);

interface Workload {
  readonly name: string;
  readonly lineBytes: number;
  readonly volumeMb: number;
  readonly kcatArgs: readonly string[];
}

const WORKLOADS: readonly Workload[] = [
  { name: '1000 B', lineBytes: 1000, volumeMb, kcatArgs: ['-X', 'linger.ms=5', '-X', 'batch.num.messages=10000', '-X', 'acks=1'] },
  {
    name: 'small requests',
    lineBytes: 100,
    volumeMb,
    kcatArgs: ['-X', 'linger.ms=0', '-X', 'batch.num.messages=50', '-X', 'acks=1'],
  },
];

interface Run {
  readonly MBps: number;
  readonly recordsPerSec: number;
  readonly cpuSecPerGB: number;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function produceRun(broker: BrokerHandle, topic: string, file: string, w: Workload, lines: number): Run {
  const cpu0 = cpuSeconds(broker.pid!);
  const t0 = performance.now();
  execFileSync('kcat', ['-P', '-b', broker.bootstrap, '-t', topic, '-p', '0', ...w.kcatArgs, '-l', file], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(broker.pid!) - cpu0;
  const bytes = lines * w.lineBytes;
  return {
    MBps: +(bytes / MB / seconds).toFixed(1),
    recordsPerSec: Math.round(lines / seconds),
    cpuSecPerGB: +(cpu / (bytes / 1024 / MB)).toFixed(3),
  };
}

async function timedGet(url: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const r = await fetch(url);
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${url}: HTTP ${r.status}`);
  return { ms: performance.now() - t0, bytes: Buffer.byteLength(text) };
}

async function scrapeLatency(broker: BrokerHandle, zkConnect: string): Promise<Record<string, unknown>> {
  await createTopic(zkConnect, 'many', partitions, 1);
  // wait until the broker hosts every partition (its PartitionCount gauge)
  const deadline = Date.now() + 120_000;
  for (;;) {
    const r = await fetch(`${broker.metricsUrl}/jolokia/read/kafka.server:type=ReplicaManager,name=PartitionCount/Value`);
    const v = ((await r.json()) as { value: number }).value;
    if (v >= partitions + 2) break;
    if (Date.now() > deadline) throw new Error(`only ${v} partitions hosted`);
    await new Promise((res) => setTimeout(res, 200));
  }
  const metricsUrl = `${broker.metricsUrl}/metrics`;
  const jolokiaUrl = `${broker.metricsUrl}/jolokia/read/kafka.log:type=Log,*`;
  const coldMetrics = await timedGet(metricsUrl);
  const coldJolokia = await timedGet(jolokiaUrl);
  const warm = { metrics: [] as number[], jolokia: [] as number[] };
  let sizes = { metrics: 0, jolokia: 0 };
  for (let i = 0; i < 20; i++) {
    const m = await timedGet(metricsUrl);
    const j = await timedGet(jolokiaUrl);
    warm.metrics.push(m.ms);
    warm.jolokia.push(j.ms);
    sizes = { metrics: m.bytes, jolokia: j.bytes };
  }
  const text = await (await fetch(metricsUrl)).text();
  return {
    partitionsOnBroker: partitions + 2,
    metricsScrape: {
      coldMs: +coldMetrics.ms.toFixed(1),
      warmMedianMs: +median(warm.metrics).toFixed(1),
      warmMaxMs: +Math.max(...warm.metrics).toFixed(1),
      bytes: sizes.metrics,
      samples: text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length,
    },
    jolokiaLogRead: {
      coldMs: +coldJolokia.ms.toFixed(1),
      warmMedianMs: +median(warm.jolokia).toFixed(1),
      warmMaxMs: +Math.max(...warm.jolokia).toFixed(1),
      bytes: sizes.jolokia,
    },
  };
}

/**
 * One load on a fresh broker under `node --cpu-prof`, metrics on or off: its busy CPU time per MB
 * in the steady state (from a third of the run, at most 2 s, after the first produce: the JIT warms
 * up and the histograms' reservoirs fill before that), and with metrics on, the part of it spent
 * with metrics code on the stack.
 */
async function profiledRun(tmp: string, w: Workload, file: string, linesPerRun: number, metricsOn: boolean): Promise<Record<string, unknown>> {
  let lines = linesPerRun;
  const profDir = path.join(tmp, `prof-${w.lineBytes}-${metricsOn ? 'on' : 'off'}`);
  const cluster = await startCluster({
    brokers: 1,
    overrides: {
      'log.segment.bytes': 1073741824,
      'num.partitions': 1,
      'message.max.bytes': 10485760,
      'samsa.metrics.enabled': metricsOn,
    },
    nodeArgs: ['--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${profDir}`],
  });
  const broker = cluster.brokers[0];
  let requests: number | null = null;
  let seconds = 0;
  try {
    const topic = `prof-${w.lineBytes}`;
    execFileSync('kcat', ['-P', '-b', broker.bootstrap, '-t', topic, '-p', '0'], { input: 'warmup\n' });
    // the 1000 B load is over in well under a second: send it four times for a steady state
    const rounds = w.lineBytes >= 1000 ? 4 : 1;
    const started = performance.now();
    for (let i = 0; i < rounds; i++) produceRun(broker, topic, file, w, linesPerRun);
    seconds = (performance.now() - started) / 1000;
    lines *= rounds;
    if (metricsOn) {
      const r = await fetch(`${broker.metricsUrl}/jolokia/read/kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Produce,*/Count`);
      const byVersion = ((await r.json()) as { value: Record<string, { Count: number }> }).value;
      requests = Object.values(byVersion).reduce((n, v) => n + v.Count, 0);
    }
  } finally {
    await cluster.stop(); // SIGTERM: the profile is written at exit
  }
  const profile = fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!profile) return { error: 'no profile written' };
  // SAMSA_METRICS_BENCH_PROFILE_OUT=prefix keeps the profiles (open them in Chrome DevTools)
  const keep = process.env.SAMSA_METRICS_BENCH_PROFILE_OUT;
  if (keep) fs.copyFileSync(path.join(profDir, profile), `${keep}-${w.lineBytes}-${metricsOn ? 'on' : 'off'}.cpuprofile`);
  // metrics code on the produce path: not the endpoint answering the read above
  const metricsCode = (url: string) =>
    /\/packages\/metrics\/|RequestMetrics\.js|BrokerTopicStats\.js|BrokerMetrics\.js/.test(url) && !/\/(http|jolokia|prometheus)\//.test(url);
  const skipMs = Math.min(2000, (seconds * 1000) / 3);
  const share = profileShare(path.join(profDir, profile), metricsCode, { firstFunction: 'appendRecords', skipMs });
  const steadyFraction = (seconds * 1000 - skipMs) / (seconds * 1000);
  const steadyMb = ((lines * w.lineBytes) / MB) * steadyFraction;
  return {
    load: w.name,
    metrics: metricsOn ? 'on' : 'off',
    seconds: +seconds.toFixed(2),
    busyMsPerMB: +(share.busyMs / steadyMb).toFixed(2),
    ...(metricsOn
      ? {
          produceRequests: requests,
          metricsSharePercent: +((100 * share.chosenMs) / share.busyMs).toFixed(2),
          metricsUsPerProduceRequest: requests ? +((1000 * share.chosenMs) / (requests * steadyFraction)).toFixed(2) : null,
          topMs: share.byFunction.slice(0, 6),
        }
      : {}),
  };
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-metrics-bench-'));
  const base = { 'log.segment.bytes': 1073741824, 'num.partitions': 1, 'message.max.bytes': 10485760 };
  let on: ClusterHandle | undefined;
  let off: ClusterHandle | undefined;
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    loadavgBefore: fs.readFileSync('/proc/loadavg', 'utf8').trim(),
    volumeMb,
    runs,
  };
  try {
    on = await startCluster({ brokers: 1, overrides: base });
    off = await startCluster({ brokers: 1, overrides: { ...base, 'samsa.metrics.enabled': false } });
    const brokers = { on: on.brokers[0], off: off.brokers[0] };
    const files = new Map<Workload, { file: string; lines: number }>();
    for (const w of WORKLOADS) {
      const file = path.join(tmp, `lines-${w.lineBytes}.txt`);
      const lines = makeLines(file, w.lineBytes, w.volumeMb * MB);
      files.set(w, { file, lines });
      const topic = `bench-${w.lineBytes}`;
      for (const b of Object.values(brokers)) {
        execFileSync('kcat', ['-P', '-b', b.bootstrap, '-t', topic, '-p', '0'], { input: 'warmup\n' });
      }
      // one unmeasured run each: the JIT and the metrics' reservoirs warm up
      for (const b of Object.values(brokers)) produceRun(b, topic, file, w, lines);
      const measured: Record<'on' | 'off', Run[]> = { on: [], off: [] };
      for (let i = 0; i < runs; i++) {
        const order: ('on' | 'off')[] = i % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
        for (const which of order) {
          const r = produceRun(brokers[which], topic, file, w, lines);
          measured[which].push(r);
          console.log(`${w.name} run ${i + 1} metrics ${which}:`, r);
        }
      }
      const summary = (which: 'on' | 'off') => ({
        medianMBps: median(measured[which].map((r) => r.MBps)),
        medianRecordsPerSec: median(measured[which].map((r) => r.recordsPerSec)),
        medianCpuSecPerGB: +median(measured[which].map((r) => r.cpuSecPerGB)).toFixed(3),
        MBps: measured[which].map((r) => r.MBps),
        cpuSecPerGB: measured[which].map((r) => r.cpuSecPerGB),
      });
      const s = { on: summary('on'), off: summary('off') };
      results[w.name] = {
        ...s,
        throughputCostPercent: +((1 - s.on.medianMBps / s.off.medianMBps) * 100).toFixed(1),
        cpuCostPercent: +((s.on.medianCpuSecPerGB / s.off.medianCpuSecPerGB - 1) * 100).toFixed(1),
        // the median of each round's on/off ratio: the two runs of a round are back to back, so
        // the machine's drift between rounds cancels out
        pairedThroughputCostPercent: +((1 - median(measured.on.map((r, i) => r.MBps / measured.off[i].MBps))) * 100).toFixed(1),
        pairedCpuCostPercent: +((median(measured.on.map((r, i) => r.cpuSecPerGB / measured.off[i].cpuSecPerGB)) - 1) * 100).toFixed(1),
      };
      console.log(w.name, results[w.name]);
    }
    results.scrape = await scrapeLatency(brokers.on, on.zkConnect);
    console.log('scrape:', results.scrape);
    await on.stop();
    await off.stop();
    on = off = undefined;
    const profiles: Record<string, unknown>[] = [];
    for (const w of WORKLOADS) {
      for (const metricsOn of [true, false]) {
        const p = await profiledRun(tmp, w, files.get(w)!.file, files.get(w)!.lines, metricsOn);
        profiles.push(p);
        console.log('profile:', p);
      }
    }
    results.profiles = profiles;
    results.loadavgAfter = fs.readFileSync('/proc/loadavg', 'utf8').trim();
    console.log(JSON.stringify(results));
  } finally {
    await on?.stop();
    await off?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
