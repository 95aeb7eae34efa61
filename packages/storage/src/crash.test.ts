import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, readdirSync, unlinkSync } from 'node:fs';
import * as path from 'node:path';
import { decodeBatches } from '@samsa/protocol';
import { OffsetCheckpointFile } from './checkpoints';
import type { Log } from './Log';
import { LogConfig } from './LogConfig';
import { CRASH_BASE_TIMESTAMP, expectedValue, recordCountAt } from './testing/crashWorkload';
import { Rng, reopen, tempDir, testEnv } from './testing/helpers';

/**
 * The crash test: a child process appends and flushes; it is killed with SIGKILL at a random
 * moment (seeded — replay with SAMSA_SEED=<seed>); sometimes garbage is added after the kill, as a
 * torn write would leave. After each kill, recovery must keep every batch the child reported
 * flushed, leave no partial or wrong batch, and its indexes must answer exactly as indexes rebuilt
 * from scratch.
 */
const ROOT = path.resolve(__dirname, '../../..');
const CHILD = path.join(__dirname, 'testing', 'crashChild.ts');
const TSCONFIG = path.join(__dirname, 'testing', 'tsconfig.child.json');
const KILLS = Number(process.env.SAMSA_CRASH_KILLS ?? 8);

interface ChildRun {
  flushed: number;
  readyAt: number;
  stderr: string;
}

function runAndKill(dir: string, seed: number, killAfterMs: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, String(seed)], {
      cwd: ROOT,
      env: { ...process.env, TSX_TSCONFIG_PATH: TSCONFIG, SAMSA_LOG_LEVEL: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: ChildRun = { flushed: -1, readyAt: -1, stderr: '' };
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const [word, n] = line.split(' ');
        if (word === 'flushed') run.flushed = Math.max(run.flushed, Number(n));
        if (word === 'ready') {
          run.readyAt = Number(n);
          setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        }
      }
    });
    child.stderr.on('data', (c: Buffer) => (run.stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`crash child exited with ${code ?? signal}: ${run.stderr}`));
      else resolve(run);
    });
  });
}

/** What the indexes say: where every offset is, and where sampled timestamps lead. */
function indexAnswers(log: Log): string[] {
  const out: string[] = [];
  const step = Math.max(1, Math.floor((log.logEndOffset - log.logStartOffset) / 3000));
  for (let o = log.logStartOffset; o < log.logEndOffset; o += step) {
    const m = log.read(o, 1).fetchOffsetMetadata;
    out.push(`o${o}:${m.segmentBaseOffset}/${m.relativePositionInSegment}`);
  }
  for (
    let t = CRASH_BASE_TIMESTAMP - 1;
    t < CRASH_BASE_TIMESTAMP + log.logEndOffset + 2;
    t += Math.max(1, step * 3)
  ) {
    out.push(`t${t}:${JSON.stringify(log.fetchOffsetByTimestamp(t))}`);
  }
  for (const s of log.logSegments())
    out.push(`s${s.baseOffset}:${s.size}:${s.readNextOffset()}:${s.maxTimestampSoFar}`);
  return out;
}

/** Every batch whole, valid, where it belongs, with the content written for its offset. */
async function checkContent(log: Log): Promise<void> {
  let expectedOffset = 0;
  for (const segment of log.logSegments()) {
    const bytes = segment.log.readSync(0, segment.size);
    const batches = decodeBatches(bytes); // verifies every CRC
    let consumed = 0;
    for (const b of batches) {
      consumed += 12 + b.header.batchLength;
      expect(b.header.baseOffset).toBe(expectedOffset);
      expect(b.records.length).toBe(recordCountAt(b.header.baseOffset));
      b.records.forEach((r, i) => {
        expect(r.offset).toBe(b.header.baseOffset + i);
        expect(r.value!.equals(expectedValue(b.header.baseOffset, i))).toBe(true);
      });
      expectedOffset = b.header.baseOffset + b.records.length;
    }
    expect(consumed).toBe(segment.size); // no partial batch left anywhere
  }
  expect(expectedOffset).toBe(log.logEndOffset);
}

test(
  'recoveryAfterSigkillKeepsEveryFlushedBatchAndNoPartialOne',
  async () => {
    const seed = process.env.SAMSA_SEED
      ? Number(process.env.SAMSA_SEED)
      : (Date.now() ^ (process.pid << 8)) >>> 0;
    console.log(`crash test seed: ${seed} (replay with SAMSA_SEED=${seed})`);
    const rng = new Rng(seed);
    const { dir, cleanup } = tempDir('samsa-crash-');
    try {
      const logDir = path.join(dir, 'data');
      const partitionDir = path.join(logDir, 'crash-0');
      let everFlushed = 0;
      for (let kill = 0; kill < KILLS; kill++) {
        const run = await runAndKill(logDir, seed + kill, rng.int(20, 400));
        everFlushed = Math.max(everFlushed, run.flushed);
        expect(existsSync(path.join(logDir, '.kafka_cleanshutdown'))).toBe(false);
        // A torn write: garbage after the last batch of the active segment.
        if (rng.next() < 0.4) {
          const logs = readdirSync(partitionDir)
            .filter((f) => f.endsWith('.log'))
            .sort();
          appendFileSync(
            path.join(partitionDir, logs[logs.length - 1]),
            Buffer.alloc(rng.int(1, 300), rng.int(0, 255)),
          );
        }
        const recoveryPoint =
          new OffsetCheckpointFile(path.join(logDir, 'recovery-point-offset-checkpoint'))
            .read()
            .get('crash-0') ?? 0;
        const env = testEnv();
        const cfg = LogConfig.of({ segmentBytes: 1024 * 1024 });
        const log = await reopen(partitionDir, env, { recoveryPoint, config: cfg });
        try {
          expect(log.logEndOffset).toBeGreaterThanOrEqual(everFlushed);
          await checkContent(log);
          const answers = indexAnswers(log);
          await log.close();
          // Indexes rebuilt from nothing must answer the same.
          const copy = path.join(dir, `rebuild-${kill}`, 'crash-0');
          cpSync(partitionDir, copy, { recursive: true });
          for (const f of readdirSync(copy))
            if (/\.(index|timeindex)$/.test(f)) unlinkSync(path.join(copy, f));
          const rebuilt = await reopen(copy, testEnv(), { hadCleanShutdown: true, config: cfg });
          expect(indexAnswers(rebuilt)).toEqual(answers);
          await rebuilt.close();
        } finally {
          log.closeHandlers();
        }
      }
      expect(everFlushed).toBeGreaterThan(0);
    } finally {
      cleanup();
    }
  },
  30_000 + KILLS * 10_000,
);
