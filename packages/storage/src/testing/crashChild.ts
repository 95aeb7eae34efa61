import { writeSync } from 'node:fs';
import { LogConfig } from '../LogConfig';
import { LogManager } from '../LogManager';
import { CRASH_TOPIC, crashBatch } from './crashWorkload';

/**
 * The crash test's writer, run as a child process and killed with SIGKILL at a random moment:
 * appends the deterministic workload forever, flushing now and then, and prints `flushed <offset>`
 * after each flush completes (and `ready` once the log is open). Argument: the log directory, the
 * seed.
 */
async function main(): Promise<void> {
  const [dir, seedArg] = process.argv.slice(2);
  let seed = Number(seedArg) >>> 0 || 1;
  const rand = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
  const manager = new LogManager({
    logDirs: [dir],
    brokerId: 0,
    defaultConfig: LogConfig.of({ segmentBytes: 1024 * 1024, indexIntervalBytes: 4096 }),
    cleaner: { enable: false },
    initialTaskDelayMs: 0,
    flushRecoveryOffsetCheckpointMs: 50,
  });
  await manager.startup();
  const log = manager.getOrCreateLog(CRASH_TOPIC);
  writeSync(1, `ready ${log.logEndOffset}\n`);
  for (;;) {
    const appends = 1 + Math.floor(rand() * 20);
    let last: Promise<void> = Promise.resolve();
    for (let i = 0; i < appends; i++) last = log.appendAsLeader(crashBatch(log.logEndOffset), 1).written;
    if (rand() < 0.3) {
      const target = log.logEndOffset;
      await log.flush(target);
      writeSync(1, `flushed ${target}\n`);
    } else if (rand() < 0.5) {
      await last;
    } else {
      await new Promise((r) => setImmediate(r));
    }
  }
}

main().catch((e) => {
  writeSync(2, `crash child failed: ${(e as Error).stack}\n`);
  process.exit(3);
});
