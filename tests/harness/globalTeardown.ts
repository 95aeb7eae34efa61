import * as fs from 'fs';
import * as path from 'path';
import {
  findProcesses,
  HARNESS_PROCESS_PATTERN,
  harnessMarker,
  isAlive,
  PREEXISTING_FILE,
  readLeakRecords,
  RUN_DIR_ENV,
  type ProcessInfo,
} from './run';
import { waitFor } from './wait';

/**
 * Runs once in jest's parent process after every suite. Fails the run when a test left a
 * process behind, the way Kafka's ZooKeeperTestHarness does:
 *  1. a process carrying this run's marker is still alive: kill it, then fail;
 *  2. a worker's exit hook had to kill one (recorded in the run directory): fail.
 * New ZooKeeper/broker processes without this run's marker belong to someone else (another run on
 * the same machine); they are reported but left alone.
 */
export default async function globalTeardown(): Promise<void> {
  const runDir = process.env[RUN_DIR_ENV];
  if (!runDir) throw new Error(`${RUN_DIR_ENV} is not set: did globalSetup run?`);
  try {
    const preexisting = readPreexisting(runDir);
    const isNew = (p: ProcessInfo): boolean =>
      !preexisting.some((q) => q.pid === p.pid && q.commandLine === p.commandLine);
    const fresh = (await findProcesses(HARNESS_PROCESS_PATTERN)).filter(isNew);
    const marker = harnessMarker();
    const ours = fresh.filter((p) => p.commandLine.includes(marker));
    const foreign = fresh.filter((p) => !p.commandLine.includes(marker));

    if (foreign.length > 0) {
      console.warn(
        `New ZooKeeper/broker processes not started by this run (left alone):\n${describe(foreign)}`,
      );
    }
    for (const p of ours) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    if (ours.length > 0) {
      await waitFor(() => ours.every((p) => !isAlive(p.pid)), {
        timeoutMs: 5000,
        what: 'leaked processes to die',
      });
    }

    const killedByWorkers = readLeakRecords(runDir);
    if (ours.length > 0 || killedByWorkers.length > 0) {
      const lines = [
        'Tests leaked processes (a test must stop what it starts):',
        ...(ours.length > 0 ? [`still running after all suites, now killed:\n${describe(ours)}`] : []),
        ...(killedByWorkers.length > 0
          ? [`killed by a jest worker's exit hook:\n${killedByWorkers.map((l) => `  ${l}`).join('\n')}`]
          : []),
      ];
      throw new Error(lines.join('\n'));
    }
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}

function readPreexisting(runDir: string): ProcessInfo[] {
  try {
    return JSON.parse(fs.readFileSync(path.join(runDir, PREEXISTING_FILE), 'utf8')) as ProcessInfo[];
  } catch {
    return [];
  }
}

function describe(processes: ProcessInfo[]): string {
  return processes.map((p) => `  pid ${p.pid}: ${p.commandLine}`).join('\n');
}
