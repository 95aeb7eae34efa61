import * as fs from 'node:fs';
import { createHash } from 'node:crypto';

/** What the benchmarks read about broker processes from /proc, and the line files kcat sends. */
const CLK_TCK = 100;

/** utime + stime of the processes, in seconds (all threads: GC helpers and libuv's pool included). */
export function cpuSeconds(pids: number | readonly number[]): number {
  let t = 0;
  for (const pid of typeof pids === 'number' ? [pids] : pids) {
    const { user, sys } = cpuSplit(pid);
    t += user + sys;
  }
  return t;
}

/** VmRSS (now) or VmHWM (peak) in MiB. */
export function rssMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Writes `totalBytes` of `lineBytes`-long lines (newline included); returns the line count. */
export function makeLines(file: string, lineBytes: number, totalBytes: number): number {
  const line = Buffer.alloc(lineBytes, 'x');
  line[lineBytes - 1] = 0x0a;
  for (let i = 0; i < lineBytes - 1; i++) line[i] = 97 + ((i * 7) % 26);
  const count = Math.floor(totalBytes / lineBytes);
  const chunk = Buffer.concat(Array.from({ length: 1024 }, () => line));
  const fd = fs.openSync(file, 'w');
  let written = 0;
  while (written + 1024 <= count) {
    fs.writeSync(fd, chunk);
    written += 1024;
  }
  for (; written < count; written++) fs.writeSync(fd, line);
  fs.closeSync(fd);
  return count;
}

/**
 * CPU time of a fixed native workload (SHA-256 of 64 MiB, best of 5), in ms: a check that the
 * machine itself ran at its usual speed around a run (~34 ms here).
 */
export function cpuCalibrationMs(): number {
  const data = Buffer.alloc(64 * 1024 * 1024, 1);
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const u0 = process.cpuUsage();
    createHash('sha256').update(data).digest();
    const u = process.cpuUsage(u0);
    best = Math.min(best, (u.user + u.system) / 1000);
  }
  return Math.round(best);
}

/** utime and stime of a process, in seconds. */
export function cpuSplit(pid: number): { user: number; sys: number } {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { user: Number(f[11]) / CLK_TCK, sys: Number(f[12]) / CLK_TCK };
}

/** SAMSA_BENCH_BROKER_PROPS="k=v,k=v": extra broker properties for a benchmark's broker. */
export function brokerPropsFromEnv(): Record<string, string> {
  return Object.fromEntries(
    (process.env.SAMSA_BENCH_BROKER_PROPS ?? '')
      .split(',')
      .filter((kv) => kv.includes('='))
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}
