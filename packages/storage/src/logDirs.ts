import * as path from 'node:path';
import { BrokerMetadataCheckpoint, InconsistentBrokerMetadataError } from './BrokerMetadataCheckpoint';
import { OffsetCheckpointFile } from './checkpoints';
import { disk } from './disk';
import type { Log } from './Log';
import type { LogDirFailureChannel } from './LogDirFailureChannel';
import * as files from './LogFiles';
import type { Logger } from '@samsa/common';
import { topicPartitionKey } from '@samsa/common';

/**
 * Makes a log directory usable, as Kafka's LogManager does at startup: creates it, its `.lock`
 * file and its checkpoint files, and checks or writes `meta.properties`. A directory that belongs
 * to another broker or cluster is refused with InconsistentBrokerMetadataError (fatal, as in Kafka).
 */
export function prepareLogDir(
  dir: string,
  brokerId: number,
  clusterId: string | undefined,
  nowMs: number,
): void {
  disk.mkdirs(dir);
  disk.touch(path.join(dir, files.LOCK_FILE));
  const meta = new BrokerMetadataCheckpoint(path.join(dir, files.META_PROPERTIES_FILE));
  const found = meta.read();
  if (found) {
    if (found.brokerId !== brokerId) {
      throw new InconsistentBrokerMetadataError(
        `Configured broker.id ${brokerId} doesn't match stored broker.id ${found.brokerId} in meta.properties of ${dir}.`,
      );
    }
    if (found.clusterId && clusterId && found.clusterId !== clusterId) {
      throw new InconsistentBrokerMetadataError(
        `The Cluster ID ${clusterId} doesn't match stored clusterId ${found.clusterId} in meta.properties of ${dir}.`,
      );
    }
  }
  if (!found || (clusterId && !found.clusterId)) meta.write({ brokerId, clusterId }, nowMs);
  for (const f of [
    files.RECOVERY_POINT_CHECKPOINT_FILE,
    files.REPLICATION_OFFSET_CHECKPOINT_FILE,
    files.LOG_START_OFFSET_CHECKPOINT_FILE,
    files.CLEANER_OFFSET_CHECKPOINT_FILE,
  ]) {
    new OffsetCheckpointFile(path.join(dir, f)).createIfMissing();
  }
}

/** Runs `jobs` with at most `n` in flight; rejects with the first failure once all settled. */
export async function runWithConcurrency(jobs: (() => Promise<void>)[], n: number): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      try {
        await job();
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, jobs.length)) }, worker));
  if (failure !== null) throw failure;
}

/** `<topic>-<partition>` → offset for the given logs. */
export function offsetsOf(logs: readonly Log[], offset: (l: Log) => number): Map<string, number> {
  return new Map(logs.map((l) => [topicPartitionKey(l.topicPartition), offset(l)]));
}

/**
 * Writes one of a directory's offset checkpoints through the I/O funnel; a failure takes the
 * directory offline and is logged, never thrown (the periodic tasks must go on for the others).
 */
export async function writeOffsetCheckpoint(
  dir: string,
  name: string,
  entries: Map<string, number>,
  o: { sync: boolean; failureChannel: LogDirFailureChannel; logger: Logger },
): Promise<void> {
  if (o.failureChannel.isOffline(dir)) return;
  const file = new OffsetCheckpointFile(path.join(dir, name));
  try {
    await o.failureChannel.maybeHandleIOExceptionAsync(
      dir,
      () => `Error while writing to checkpoint file ${file.path}`,
      async () => {
        if (o.sync) file.write(entries);
        else await file.writeAsync(entries);
      },
    );
  } catch (e) {
    o.logger.error(`Cannot write ${file.path}`, e);
  }
}
