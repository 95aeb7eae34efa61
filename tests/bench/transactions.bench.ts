/**
 * Transactions against plain idempotent produce, same broker, same run (issue 15, benchmark
 * section), with python3-confluent-kafka (librdkafka 2.0.2), one producer, 1 KB records to one
 * partition of an RF 1 topic on one broker:
 * - transactions of 100 records, each committed, against the same records without transactions
 *   (idempotent, acks=all, flushed at the end: "plain"; and flushed after every 100 records, the
 *   transactions' own wait for their acks without the transactions: "flushed"): transactions/s,
 *   MB/s, commit latency p50/p99, and the application's own time per transaction before the
 *   commit (begin_transaction and the produce() calls); the goal is ≥ 0.8× the plain MB/s;
 * - kcat reading the transactional topic from the beginning with isolation.level=read_committed
 *   against read_uncommitted: MB/s; the goal is ≥ 0.9×.
 * Runs alternate which side goes first, so drift on a shared machine bills both sides alike.
 * Run: npx tsc -b && SAMSA_BENCH_MB=200 node --import tsx tests/bench/run.ts transactions
 *      (SAMSA_BENCH_ROUNDS: alternations, default 3; SAMSA_BENCH_TXN_RECORDS: records per
 *      transaction, default 100).
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { startCluster } from '../harness/broker';
import { brokerPropsFromEnv, cpuCalibrationMs, cpuSeconds } from './procStats';

const MB = 1024 * 1024;
const RECORD_BYTES = 1000;
/** Records per transaction (SAMSA_BENCH_TXN_RECORDS; the figure is for 100). */
const TXN_RECORDS = Number(process.env.SAMSA_BENCH_TXN_RECORDS ?? 100);
const volumeMb = Number(process.env.SAMSA_BENCH_MB ?? 200);
const rounds = Number(process.env.SAMSA_BENCH_ROUNDS ?? 3);
const DRIVER = path.join(__dirname, 'txn_bench_producer.py');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function main(): Promise<void> {
  const cluster = await startCluster({
    brokers: 1,
    overrides: {
      'log.segment.bytes': 1073741824,
      'num.partitions': 1,
      'offsets.topic.replication.factor': 1,
      'transaction.state.log.replication.factor': 1,
      'transaction.state.log.min.isr': 1,
      ...brokerPropsFromEnv(),
    },
  });
  const broker = cluster.brokers[0];
  const pid = broker.pid!;
  const calibration = cpuCalibrationMs();
  const count = Math.floor((volumeMb * MB) / RECORD_BYTES / TXN_RECORDS) * TXN_RECORDS;
  const bytes = count * RECORD_BYTES;
  try {
    const figures: Record<string, { MBps: number[]; cpuPerGB: number[] }> = {};
    const commits: number[] = [];
    const loops: number[] = [];
    const add = (key: string, seconds: number, cpu: number) => {
      figures[key] ??= { MBps: [], cpuPerGB: [] };
      figures[key].MBps.push(+(bytes / MB / seconds).toFixed(1));
      figures[key].cpuPerGB.push(+(cpu / (bytes / 1024 / MB)).toFixed(2));
      console.log(key, figures[key].MBps.at(-1), 'MB/s', figures[key].cpuPerGB.at(-1), 'broker CPU-s/GB');
    };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? ['plain', 'flushed', 'txn'] : ['txn', 'flushed', 'plain'];
      for (const mode of order) {
        const topic = `bench-${mode}-${round}`;
        const cpu0 = cpuSeconds(pid);
        const out = execFileSync(
          '/usr/bin/python3',
          [DRIVER, broker.bootstrap, topic, mode, String(count), String(RECORD_BYTES), String(TXN_RECORDS)],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * MB },
        );
        const cpu = cpuSeconds(pid) - cpu0;
        const r = JSON.parse(out.trim().split('\n').pop()!) as { seconds: number; commitsMs: number[]; loopsMs: number[] };
        add(`produce ${mode}`, r.seconds, cpu);
        commits.push(...r.commitsMs);
        loops.push(...r.loopsMs);
        if (mode === 'txn') {
          figures['transactions/s'] ??= { MBps: [], cpuPerGB: [] };
          figures['transactions/s'].MBps.push(Math.round(count / TXN_RECORDS / r.seconds));
          const reads =
            round % 2 === 0 ? ['read_uncommitted', 'read_committed'] : ['read_committed', 'read_uncommitted'];
          for (const isolation of reads) {
            const c0 = cpuSeconds(pid);
            const start = process.hrtime.bigint();
            execFileSync(
              'kcat',
              [
                '-C',
                '-b',
                broker.bootstrap,
                '-t',
                topic,
                '-p',
                '0',
                '-o',
                'beginning',
                '-e',
                '-q',
                '-f',
                '%o\n',
                '-X',
                `isolation.level=${isolation}`,
              ],
              { stdio: ['ignore', 'ignore', 'inherit'] },
            );
            add(`consume ${isolation}`, Number(process.hrtime.bigint() - start) / 1e9, cpuSeconds(pid) - c0);
          }
        }
      }
    }
    const summary = Object.fromEntries(
      Object.entries(figures).map(([k, v]) => [
        k,
        { median: median(v.MBps), cpuPerGB: median(v.cpuPerGB), runs: v },
      ]),
    );
    console.log(
      JSON.stringify({
        date: new Date().toISOString(),
        volumeMb,
        recordsPerTransaction: TXN_RECORDS,
        rounds,
        records: count,
        cpuCalibrationMs: calibration,
        commitLatencyMs: {
          p50: +percentile(commits, 50).toFixed(2),
          p99: +percentile(commits, 99).toFixed(2),
          n: commits.length,
        },
        // the application's own time per transaction before commit_transaction (begin_transaction
        // and the produce() calls): the part of a transaction no broker can shorten
        produceCallsMs: { p50: +percentile(loops, 50).toFixed(2), p99: +percentile(loops, 99).toFixed(2) },
        ...summary,
      }),
    );
  } finally {
    await cluster.stop();
  }
}

void main();
