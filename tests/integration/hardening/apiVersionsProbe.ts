import { Worker } from 'node:worker_threads';

/**
 * The stall rows' witness (issue 13): an ApiVersions v0 request every `intervalMs` on a connection
 * of its own, each timed from write to answer. It runs in a worker thread with its own event loop
 * and its own hand-written frames, so the test's work on the main thread (building requests,
 * compressing) does not count as the broker's latency. A sample's `atMs` is wall-clock time, to set
 * beside what the broker was doing then.
 */
export interface ProbeSample {
  readonly atMs: number;
  readonly latencyMs: number;
  /**
   * With the broker's pid (Linux /proc/<pid>/schedstat of its event-loop thread), during this
   * request: how long the broker's thread ran, and how long it was runnable but waited for a CPU
   * (the machine's share, not the broker's).
   */
  readonly brokerOnCpuMs?: number;
  readonly brokerRunQueueMs?: number;
  /**
   * The broker's event-loop thread's state (/proc/<pid>/stat), sampled every 5 ms while the request
   * waited: R running or runnable, S sleeping (idle in epoll, or a futex), D in uninterruptible sleep
   * (a synchronous disk call).
   */
  readonly brokerThreadStates: Readonly<Record<string, number>>;
  /** The longest the probe thread itself did not run (its 5 ms timer's worst lateness) meanwhile. */
  readonly probeGapMs: number;
  /**
   * What the broker's event loop spent while the request waited: its time on a CPU plus its time
   * blocked in a synchronous disk call (D samples × 5 ms), at most the latency. The rest is the
   * machine's: waiting for a CPU, or idle in epoll (S) while the loaded kernel had not yet
   * delivered the request or the answer over loopback. Without /proc: the whole latency.
   */
  readonly brokerShareMs: number;
}

export interface ProbeReport {
  readonly samples: number;
  readonly maxMs: number;
  readonly p99Ms: number;
  /** Samples at or over the bound given to `stop`, slowest first. */
  readonly over: readonly ProbeSample[];
  /** The largest `brokerShareMs`: the latency the machine's load does not explain. */
  readonly brokerShareMaxMs: number;
  /** The five samples with the largest broker's share. */
  readonly largestBrokerShares: readonly ProbeSample[];
  /** A request still unanswered when the probe stopped, and for how long (0: none). */
  readonly unansweredForMs: number;
  /** The probe thread's own worst event-loop delay: how late its timers ran (machine load). */
  readonly probeLoopDelayMaxMs: number;
  /** A connection error or close, if any. */
  readonly error: string | null;
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const { performance, monitorEventLoopDelay } = require('node:perf_hooks');
const fs = require('node:fs');
const { port, host, intervalMs, brokerPid } = workerData;
function schedstat() {
  if (!brokerPid) return null;
  try {
    const [cpu, wait] = fs.readFileSync('/proc/' + brokerPid + '/schedstat', 'utf8').split(' ').map(Number);
    return { cpu: cpu / 1e6, wait: wait / 1e6 };
  } catch { return null; }
}
function threadState() {
  try {
    const stat = fs.readFileSync('/proc/' + brokerPid + '/stat', 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch { return '?'; }
}
let lastTick = performance.now(), gap = 0, states = {};
const ticker = setInterval(() => {
  const now = performance.now(); gap = Math.max(gap, now - lastTick - 5); lastTick = now;
  if (pending && brokerPid) { const st = threadState(); states[st] = (states[st] || 0) + 1; }
}, 5);
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const samples = [];
let pending = null, id = 0, stopping = false, done = false, error = null, buf = Buffer.alloc(0), timer = null;
const clientId = Buffer.from('apiversions-probe');
function frame(correlationId) {
  const b = Buffer.alloc(14 + clientId.length);
  b.writeInt32BE(b.length - 4, 0); b.writeInt16BE(18, 4); b.writeInt16BE(0, 6);
  b.writeInt32BE(correlationId, 8); b.writeInt16BE(clientId.length, 12); clientId.copy(b, 14);
  return b;
}
function finish() {
  if (done) return;
  done = true;
  if (timer) clearTimeout(timer);
  clearInterval(ticker);
  loop.disable();
  const unansweredForMs = pending ? performance.now() - pending.t0 : 0;
  parentPort.postMessage({ samples, unansweredForMs, probeLoopDelayMaxMs: loop.max / 1e6, error });
  sock.destroy();
}
function send() {
  timer = null;
  if (stopping) return finish();
  gap = 0;
  states = {};
  pending = { id: ++id, t0: performance.now(), at: Date.now(), sched: schedstat() };
  sock.write(frame(pending.id));
}
const sock = net.connect({ host, port }, () => { sock.setNoDelay(true); send(); });
sock.on('data', (d) => {
  buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
  while (buf.length >= 8 && buf.length >= 4 + buf.readInt32BE(0)) {
    const answeredId = buf.readInt32BE(4);
    buf = buf.subarray(4 + buf.readInt32BE(0));
    if (pending && answeredId === pending.id) {
      const now = performance.now();
      const sched = schedstat();
      const tick = now - lastTick - 5;
      const probeGap = Math.max(gap, tick, 0);
      const s0 = pending.sched;
      samples.push([pending.at, now - pending.t0, s0 && sched ? sched.cpu - s0.cpu : null, s0 && sched ? sched.wait - s0.wait : null, probeGap, states]);
      if (samples.length === 1) parentPort.postMessage({ ready: true });
      const wait = Math.max(0, intervalMs - (now - pending.t0));
      pending = null;
      if (stopping) finish(); else timer = setTimeout(send, wait);
    }
  }
});
sock.on('error', (e) => { error = e.message; });
sock.on('close', () => { if (!done) { error = error || 'the broker closed the probe connection'; finish(); } });
parentPort.on('message', () => { stopping = true; if (!pending) finish(); });
`;

export class ApiVersionsProbe {
  private readonly result: Promise<{
    samples: [number, number, number | null, number | null, number, Record<string, number>][];
    unansweredForMs: number;
    probeLoopDelayMaxMs: number;
    error: string | null;
  }>;

  /** Resolves once the first probe was answered (the probe is up); rejects if the worker fails first. */
  readonly ready: Promise<void>;

  private constructor(private readonly worker: Worker) {
    let ready!: () => void;
    this.ready = new Promise((resolve) => (ready = resolve));
    this.result = new Promise((resolve, reject) => {
      worker.on('message', (m: { ready?: boolean }) => {
        if (m.ready === true) ready();
        else resolve(m as Parameters<typeof resolve>[0]);
      });
      worker.once('error', reject);
    });
    // An answer that ends the run (a stop, an error) also means nothing more to wait for.
    void this.result.then(ready, ready);
  }

  /** Starts probing the broker at `port` (127.0.0.1) every `intervalMs`. */
  static start(
    port: number,
    {
      intervalMs = 50,
      host = '127.0.0.1',
      brokerPid,
    }: { intervalMs?: number; host?: string; brokerPid?: number } = {},
  ): ApiVersionsProbe {
    return new ApiVersionsProbe(
      new Worker(WORKER, { eval: true, workerData: { port, host, intervalMs, brokerPid } }),
    );
  }

  /** Stops after the request in flight (if any) is answered, or at once if none is; the figures. */
  async stop(boundMs = 100, waitForLastMs = 5_000): Promise<ProbeReport> {
    this.worker.postMessage('stop');
    const timeout = new Promise<null>((r) => setTimeout(() => r(null), waitForLastMs).unref());
    const r = await Promise.race([this.result, timeout]);
    await this.worker.terminate();
    if (r === null)
      throw new Error(`the ApiVersions probe's last request had no answer after ${waitForLastMs} ms`);
    const latencies = r.samples.map(([, ms]) => ms).sort((a, b) => a - b);
    const round = (ms: number) => Math.round(ms * 10) / 10;
    const samples: ProbeSample[] = r.samples.map(
      ([atMs, latencyMs, onCpu, runQueue, probeGapMs, states]) => ({
        brokerThreadStates: states,
        atMs,
        latencyMs: round(latencyMs),
        ...(onCpu === null ? {} : { brokerOnCpuMs: round(onCpu) }),
        ...(runQueue === null ? {} : { brokerRunQueueMs: round(runQueue) }),
        probeGapMs: round(probeGapMs),
        brokerShareMs: round(onCpu === null ? latencyMs : Math.min(latencyMs, onCpu + (states.D ?? 0) * 5)),
      }),
    );
    return {
      samples: latencies.length,
      maxMs: round(latencies[latencies.length - 1] ?? 0),
      p99Ms: round(latencies[Math.floor(latencies.length * 0.99)] ?? 0),
      over: samples.filter((x) => x.latencyMs >= boundMs).sort((a, b) => b.latencyMs - a.latencyMs),
      brokerShareMaxMs: Math.max(0, ...samples.map((x) => x.brokerShareMs)),
      largestBrokerShares: [...samples].sort((a, b) => b.brokerShareMs - a.brokerShareMs).slice(0, 5),
      unansweredForMs: round(r.unansweredForMs),
      probeLoopDelayMaxMs: round(r.probeLoopDelayMaxMs),
      error: r.error,
    };
  }
}
