import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildBatch, type BuildBatchOptions, type RecordInput } from '@samsa/protocol';
import { LogDirFailureChannel } from '../LogDirFailureChannel';
import { LogConfig, type LogConfigValues } from '../LogConfig';
import { createLog, loadLog } from '../LogLoader';
import type { Log } from '../Log';
import { MemoryLogger } from '@samsa/common';
import { Scheduler } from '../Scheduler';
import { MockTime } from '@samsa/common';
import type { WriteMode } from '../FileRecords';

/** Test helpers shared by the storage tests (not part of the package's API). */

/** A fresh temporary directory; `cleanup()` removes it. */
export function tempDir(prefix = 'samsa-storage-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  // retried: a test that leaves a log open may have a write of it land while rmSync walks the
  // directory (ENOTEMPTY failed CI runs twice); rmSync retries that error itself
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 }) };
}

/** A batch of `n` records with values `${prefix}-${i}` (keys when `keys` is given). */
export function batchOf(
  n: number,
  opts: BuildBatchOptions & {
    prefix?: string;
    keys?: (i: number) => string | null;
    valueBytes?: number;
  } = {},
): Buffer {
  const records: RecordInput[] = [];
  for (let i = 0; i < n; i++) {
    const value =
      opts.valueBytes !== undefined
        ? Buffer.alloc(opts.valueBytes, 97 + (i % 26))
        : `${opts.prefix ?? 'v'}-${i}`;
    records.push({ key: opts.keys ? opts.keys(i) : null, value });
  }
  return buildBatch(records, opts);
}

export interface TestEnv {
  readonly time: MockTime;
  readonly scheduler: Scheduler;
  readonly logger: MemoryLogger;
  readonly failureChannel: LogDirFailureChannel;
}

export function testEnv(): TestEnv {
  const time = new MockTime();
  const logger = new MemoryLogger();
  return {
    time,
    logger,
    scheduler: new Scheduler({ time, logger, useTimers: false }),
    failureChannel: new LogDirFailureChannel(logger),
  };
}

export function config(values: Partial<LogConfigValues> = {}): LogConfig {
  return LogConfig.of(values);
}

/** A new log in `<parent>/<topic>-<partition>`. */
export function newLog(
  parent: string,
  env: TestEnv,
  cfg: LogConfig = config(),
  name = 'test-0',
  writeMode: WriteMode = 'adaptive',
): Log {
  const tpDash = name.lastIndexOf('-');
  return createLog({
    ...env,
    writeMode,
    dir: path.join(parent, name),
    topicPartition: { topic: name.slice(0, tpDash), partition: Number(name.slice(tpDash + 1)) },
    config: cfg,
  });
}

/** Opens an existing log directory as LogManager would. */
export function reopen(
  dir: string,
  env: TestEnv,
  opts: {
    config?: LogConfig;
    hadCleanShutdown?: boolean;
    recoveryPoint?: number;
    logStartOffset?: number;
  } = {},
): Promise<Log> {
  const name = path.basename(dir);
  const tpDash = name.lastIndexOf('-');
  return loadLog({
    ...env,
    dir,
    topicPartition: { topic: name.slice(0, tpDash), partition: Number(name.slice(tpDash + 1)) },
    config: opts.config ?? config(),
    logStartOffset: opts.logStartOffset ?? 0,
    recoveryPoint: opts.recoveryPoint ?? 0,
    hadCleanShutdown: opts.hadCleanShutdown ?? false,
  });
}

/**
 * Every record (offset, value as string) readable from `log` from its start, once every append so
 * far is written: readers see no further than the written end (Log.writtenEndOffset), and an
 * adaptive log queues its writes for a while after a slow one (a loaded machine).
 */
export async function readAll(
  log: Log,
): Promise<{ offset: number; key: string | null; value: string | null }[]> {
  await log.whenWritten().catch(() => undefined);
  const { decodeBatches } = await import('@samsa/protocol');
  const out: { offset: number; key: string | null; value: string | null }[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const info = log.read(offset, 1024 * 1024);
    const bytes = await info.records.read();
    if (bytes.length === 0) break;
    let last = offset - 1;
    for (const b of decodeBatches(bytes)) {
      for (const r of b.records) {
        if (r.offset >= offset)
          out.push({ offset: r.offset, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null });
      }
      last = b.header.baseOffset + b.header.lastOffsetDelta;
    }
    if (last < offset) break;
    offset = last + 1;
  }
  return out;
}

/** The seeded PRNG every package's tests share (tests print their seed). */
export { Rng } from '../../../protocol/src/testing/random';
