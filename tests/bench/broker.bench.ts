/**
 * One broker, one partition, RF 1, everything on loopback, load from librdkafka (kcat), as the
 * "first working cluster" issue measures Apache Kafka 2.1.1 on this kind of machine:
 *   produce: kcat -P -X linger.ms=5 -X batch.num.messages=10000 -X acks=1, fed 1000-byte lines
 *   consume: kcat -C -e
 *   100-byte records/s, produce latency at a fixed 20k records/s (confluent-kafka), broker RSS.
 * Broker CPU comes from /proc/<pid>/stat (utime + stime) around each phase.
 * Run: make bench BENCH=broker   (SAMSA_BENCH_MB=… sets the produce volume, default 512)
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startCluster } from '../harness/broker';
import { brokerPropsFromEnv, cpuCalibrationMs, cpuSeconds, cpuSplit, makeLines, rssMiB } from './procStats';

const MB = 1024 * 1024;
const volumeMb = Number(process.env.SAMSA_BENCH_MB ?? 512);
/** SAMSA_BENCH_BROKER_PROPS="k=v,k=v": extra broker properties (e.g. samsa.metrics.enabled=false). */
const extraOverrides = brokerPropsFromEnv;

function timed<T>(fn: () => T): { result: T; seconds: number } {
  const start = process.hrtime.bigint();
  const result = fn();
  return { result, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-bench-'));
  const cluster = await startCluster({
    brokers: 1,
    overrides: { 'log.segment.bytes': 1073741824, 'num.partitions': 1, 'message.max.bytes': 10485760, ...extraOverrides() },
    // SAMSA_BENCH_NODE_ARGS="--trace-gc --cpu-prof …": node options for the broker, for diagnosis.
    nodeArgs: (process.env.SAMSA_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== ''),
  });
  const broker = cluster.brokers[0];
  const pid = broker.pid!;
  const bootstrap = broker.bootstrap;
  const results: Record<string, unknown> = { date: new Date().toISOString().slice(0, 10), volumeMb };
  const calibrationBefore = cpuCalibrationMs();
  try {
    const kcatProduce = (topic: string, file: string) =>
      execFileSync('kcat', ['-P', '-b', bootstrap, '-t', topic, '-p', '0', '-X', 'linger.ms=5', '-X', 'batch.num.messages=10000', '-X', 'acks=1', '-l', file], { stdio: ['ignore', 'ignore', 'inherit'] });
    // Topics are auto-created with 1 partition; touch each first so creation is not timed.
    for (const t of ['bench1k', 'bench100']) {
      spawnSync('kcat', ['-P', '-b', bootstrap, '-t', t, '-p', '0'], { input: 'warmup\n' });
    }

    // 0. Latency at a fixed 20k records/s of 100 B (confluent-kafka's delivery reports,
    // tests/bench/replication-latency.py; 10 s measured after 3 s of the same load unmeasured), first,
    // on the fresh broker: the RSS goal is for this load, so VmRSS is sampled every 100 ms while it
    // runs and the largest kept. The 1 GB phases after it
    // grow the heap; their RSS and the peak over the whole run (VmHWM) are reported too.
    const py = path.join(__dirname, 'replication-latency.py');
    let rssUnderLatencyLoad = 0;
    const sampler = setInterval(() => (rssUnderLatencyLoad = Math.max(rssUnderLatencyLoad, rssMiB(pid, 'VmRSS'))), 100);
    const lat = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('/usr/bin/python3', [py, bootstrap, 'benchlat', '20000', '10', '1', '3']);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    clearInterval(sampler);
    if (lat.status === 0) {
      results.latency20k = {
        ...JSON.parse(lat.stdout.trim().split('\n').pop()!),
        brokerMaxRssMiB: +rssUnderLatencyLoad.toFixed(0),
      };
      console.log('latency at 20k/s:', results.latency20k);
    } else {
      results.latency20k = `not measured: ${lat.stderr.trim().split('\n').pop()}`;
      console.log(results.latency20k);
    }

    // 1. produce 1000-byte lines
    const file1k = path.join(tmp, 'lines-1000.txt');
    const n1k = makeLines(file1k, 1000, volumeMb * MB);
    const bytes1k = n1k * 1000;
    let cpu0 = cpuSeconds(pid);
    let split0 = cpuSplit(pid);
    const p1 = timed(() => kcatProduce('bench1k', file1k));
    let cpu = cpuSeconds(pid) - cpu0;
    const userSys = (from: { user: number; sys: number }) => {
      const now = cpuSplit(pid);
      return `${(now.user - from.user).toFixed(2)}/${(now.sys - from.sys).toFixed(2)}`;
    };
    results.produce1k = {
      records: n1k,
      seconds: +p1.seconds.toFixed(2),
      MBps: +(bytes1k / MB / p1.seconds).toFixed(0),
      recordsPerSec: Math.round(n1k / p1.seconds),
      brokerCpuSecPerGB: +(cpu / (bytes1k / 1024 / MB)).toFixed(2),
      brokerRssMiB: +rssMiB(pid, 'VmRSS').toFixed(0),
      brokerUserSysSec: userSys(split0),
    };
    console.log('produce 1000 B:', results.produce1k);

    // 2. consume it all back
    cpu0 = cpuSeconds(pid);
    split0 = cpuSplit(pid);
    const c1 = timed(() =>
      spawnSync('kcat', ['-C', '-b', bootstrap, '-t', 'bench1k', '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\n'], {
        stdio: ['ignore', 'ignore', 'inherit'],
        maxBuffer: 1,
      }),
    );
    cpu = cpuSeconds(pid) - cpu0;
    results.consume1k = {
      seconds: +c1.seconds.toFixed(2),
      MBps: +(bytes1k / MB / c1.seconds).toFixed(0),
      brokerCpuSecPerGB: +(cpu / (bytes1k / 1024 / MB)).toFixed(2),
      brokerUserSysSec: userSys(split0),
    };
    console.log('consume:', results.consume1k);

    // 3. 100-byte records
    const file100 = path.join(tmp, 'lines-100.txt');
    const n100 = makeLines(file100, 100, Math.min(volumeMb, 256) * MB);
    cpu0 = cpuSeconds(pid);
    split0 = cpuSplit(pid);
    const p100 = timed(() => kcatProduce('bench100', file100));
    cpu = cpuSeconds(pid) - cpu0;
    results.produce100 = {
      records: n100,
      recordsPerSec: Math.round(n100 / p100.seconds),
      MBps: +((n100 * 100) / MB / p100.seconds).toFixed(0),
      brokerCpuSecPerGB: +(cpu / ((n100 * 100) / 1024 / MB)).toFixed(2),
      brokerUserSysSec: userSys(split0),
    };
    console.log('produce 100 B:', results.produce100);

    results.brokerPeakRssMiB = +rssMiB(pid, 'VmHWM').toFixed(0);
    console.log('broker peak RSS (VmHWM):', results.brokerPeakRssMiB, 'MiB');
    results.cpuCalibrationMs = [calibrationBefore, cpuCalibrationMs()];
    console.log('CPU calibration (SHA-256 of 64 MiB, ms, before/after; ~34 here):', results.cpuCalibrationMs);
    console.log(JSON.stringify(results));
    if (process.env.SAMSA_BENCH_BROKER_OUTPUT) fs.writeFileSync(process.env.SAMSA_BENCH_BROKER_OUTPUT, broker.output());
  } finally {
    await cluster.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
