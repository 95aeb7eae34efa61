/**
 * Security costs (issue 16, benchmark section), one broker, same run, alternating order:
 *   - kcat produce of 1000-byte records (acks=all, one partition, RF 1) and kcat consume of what
 *     was produced, over PLAINTEXT, SSL and SASL_SSL (SCRAM-SHA-256): MB/s and broker CPU-s/GB;
 *   - SCRAM-SHA-256 authentications per second at 4096 iterations: Samsa's wire client opening
 *     SASL_PLAINTEXT connections (SaslHandshake v1 + SaslAuthenticate, then closing), several at
 *     a time, with the broker's CPU per authentication. The client's PBKDF2 of 4096 iterations runs
 *     in this process, as every SCRAM client's does, so the broker's side is reported separately.
 * Run: npx tsc -b && SAMSA_BENCH_MB=256 node --import tsx tests/bench/run.ts security
 *      (SAMSA_BENCH_ROUNDS: alternations, default 3; SAMSA_BENCH_AUTHS: authentications, default 400).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KafkaChannel } from '@samsa/client';
import { freePort, startZooKeeper } from '../harness';
import { startBroker } from '../harness/broker';
import { makeTlsMaterial } from '../harness/tls';
import { addScramUser, saslListenerOverrides } from '../interop/saslSupport';
import { cpuCalibrationMs, cpuSeconds, makeLines } from './procStats';

const MB = 1024 * 1024;
const volumeMb = Number(process.env.SAMSA_BENCH_MB ?? 256);
const rounds = Number(process.env.SAMSA_BENCH_ROUNDS ?? 3);
const auths = Number(process.env.SAMSA_BENCH_AUTHS ?? 400);
const USER = 'bench';
const PASSWORD = 'bench-secret';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

type Listener = 'PLAINTEXT' | 'SSL' | 'SASL_SSL';

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-security-bench-'));
  const tls = makeTlsMaterial(tmp);
  const zk = await startZooKeeper();
  await addScramUser(zk.connectString, USER, PASSWORD, 4096);
  const ports = { PLAINTEXT: await freePort(), SSL: await freePort(), SASL_SSL: await freePort(), SASL_PLAINTEXT: await freePort() };
  const broker = await startBroker({
    zkConnect: zk.connectString,
    brokerId: 0,
    port: ports.PLAINTEXT,
    overrides: {
      listeners: Object.entries(ports)
        .map(([name, port]) => `${name}://127.0.0.1:${port}`)
        .join(','),
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': tls.broker.pemKeystore,
      'ssl.key.password': tls.broker.keyPassword,
      ...saslListenerOverrides('SASL_SSL'),
      ...saslListenerOverrides('SASL_PLAINTEXT'),
      'log.segment.bytes': 1073741824,
      'num.partitions': 1,
      'message.max.bytes': 10485760,
    },
  });
  const pid = broker.pid!;
  const calibration = cpuCalibrationMs();
  const security: Record<Listener, string[]> = {
    PLAINTEXT: [],
    SSL: ['-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${tls.ca.cert}`],
    SASL_SSL: ['-X', 'security.protocol=sasl_ssl', '-X', `ssl.ca.location=${tls.ca.cert}`,
      '-X', 'sasl.mechanisms=SCRAM-SHA-256', '-X', `sasl.username=${USER}`, '-X', `sasl.password=${PASSWORD}`],
  };
  try {
    const file = path.join(tmp, 'lines-1000.txt');
    const count = makeLines(file, 1000, volumeMb * MB);
    const bytes = count * 1000;
    const figures: Record<string, { MBps: number[]; cpuPerGB: number[] }> = {};
    const record = (key: string, seconds: number, cpu: number): void => {
      figures[key] ??= { MBps: [], cpuPerGB: [] };
      figures[key].MBps.push(+(bytes / MB / seconds).toFixed(0));
      figures[key].cpuPerGB.push(+(cpu / (bytes / 1024 / MB)).toFixed(2));
      console.log(key, figures[key].MBps.at(-1), 'MB/s', figures[key].cpuPerGB.at(-1), 'CPU-s/GB');
    };
    const timed = (fn: () => void): { seconds: number; cpu: number } => {
      const cpu0 = cpuSeconds(pid);
      const start = process.hrtime.bigint();
      fn();
      return { seconds: Number(process.hrtime.bigint() - start) / 1e9, cpu: cpuSeconds(pid) - cpu0 };
    };
    const listeners: Listener[] = ['PLAINTEXT', 'SSL', 'SASL_SSL'];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? listeners : [...listeners].reverse();
      for (const l of order) {
        const bootstrap = `127.0.0.1:${ports[l]}`;
        const topic = `security-${l}-${round}`;
        execFileSync('kcat', ['-P', '-b', bootstrap, ...security[l], '-t', topic, '-p', '0'], { input: 'warmup\n' });
        const produced = timed(() =>
          execFileSync('kcat', ['-P', '-b', bootstrap, ...security[l], '-t', topic, '-p', '0', '-X', 'linger.ms=5',
            '-X', 'batch.num.messages=10000', '-X', 'acks=all', '-l', file], { stdio: ['ignore', 'ignore', 'inherit'] }),
        );
        record(`produce ${l}`, produced.seconds, produced.cpu);
        const consumed = timed(() =>
          execFileSync('kcat', ['-C', '-b', bootstrap, ...security[l], '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q',
            '-f', '%s\\n'], { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 30 }),
        );
        record(`consume ${l}`, consumed.seconds, consumed.cpu);
      }
    }
    // SCRAM-SHA-256 authentications, `parallel` at a time.
    const authRate: Record<string, { perSec: number; brokerMsPerAuth: number }> = {};
    for (const parallel of [1, 4]) {
      let next = 0;
      const cpu0 = cpuSeconds(pid);
      const start = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: parallel }, async () => {
          while (next++ < auths) {
            const channel = await KafkaChannel.connect({
              host: '127.0.0.1',
              port: ports.SASL_PLAINTEXT,
              connectTimeoutMs: 10_000,
              security: { securityProtocol: 'SASL_PLAINTEXT', sasl: { mechanism: 'SCRAM-SHA-256', username: USER, password: PASSWORD } },
            });
            channel.close();
          }
        }),
      );
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const cpu = cpuSeconds(pid) - cpu0;
      authRate[`${parallel} at a time`] = { perSec: Math.round(auths / seconds), brokerMsPerAuth: +((cpu * 1000) / auths).toFixed(2) };
      console.log(`SCRAM-SHA-256 x4096, ${parallel} at a time:`, authRate[`${parallel} at a time`]);
    }
    const summary = Object.fromEntries(
      Object.entries(figures).map(([k, v]) => [k, { MBps: median(v.MBps), cpuPerGB: median(v.cpuPerGB), runs: v }]),
    );
    console.log(JSON.stringify({ date: new Date().toISOString(), volumeMb, rounds, cpuCalibrationMs: calibration, ...summary, scramSha256Auth: authRate }));
  } finally {
    await broker.stop().catch(() => broker.kill());
    await broker.remove();
    await zk.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

void main();
