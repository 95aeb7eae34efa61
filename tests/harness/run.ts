import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Identity of one jest run. globalSetup (in jest's parent process) puts the id and a scratch
 * directory in the environment; workers inherit both. Every process the harness starts carries
 * `harnessMarker()` on its command line, so globalTeardown can find this run's leftovers with
 * pgrep without seeing the workers' in-memory registries, and without touching processes of
 * another run on the same machine.
 */
export const RUN_ID_ENV = 'SAMSA_TEST_RUN_ID';
export const RUN_DIR_ENV = 'SAMSA_TEST_RUN_DIR';
export const MARKER_PROPERTY = 'samsa.test.harness';

/** What globalSetup/globalTeardown look for: ZooKeeper, brokers, and anything we marked. */
export const HARNESS_PROCESS_PATTERN = 'QuorumPeerMain|samsa-broker|samsa\\.test\\.harness=';

const LEAKS_FILE = 'leaks.txt';
/** globalSetup's list of matching processes that existed before the run, in the run directory. */
export const PREEXISTING_FILE = 'preexisting.json';

let adhocRunId: string | undefined;

/** The run id; outside jest (no globalSetup) a per-process id, so markers still work. */
export function harnessRunId(): string {
  const fromEnv = process.env[RUN_ID_ENV];
  if (fromEnv) return fromEnv;
  adhocRunId ??= `adhoc-${process.pid}-${Date.now().toString(36)}`;
  return adhocRunId;
}

/**
 * Where harness processes get their temporary directories: inside the run directory under jest,
 * so globalTeardown's removal of it also removes what leaked processes left; os.tmpdir() outside.
 */
export function harnessTempRoot(): string {
  const runDir = process.env[RUN_DIR_ENV];
  return runDir && fs.existsSync(runDir) ? runDir : os.tmpdir();
}

/** `samsa.test.harness=<runId>`: put it in every child's argv (`-D` for a JVM). */
export function harnessMarker(): string {
  return `${MARKER_PROPERTY}=${harnessRunId()}`;
}

export interface ProcessInfo {
  pid: number;
  commandLine: string;
}

/** Processes whose full command line matches `pattern` (an extended regex), via `pgrep -af`. */
export function findProcesses(pattern: string): Promise<ProcessInfo[]> {
  return new Promise((resolve, reject) => {
    execFile('pgrep', ['-a', '-f', pattern], (error, stdout) => {
      // pgrep exits 1 when nothing matches; anything else is a real failure.
      if (error && error.code !== 1) {
        reject(new Error(`pgrep -af '${pattern}' failed: ${error.message}`));
        return;
      }
      const processes = stdout
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          const space = line.indexOf(' ');
          return { pid: Number(line.slice(0, space)), commandLine: line.slice(space + 1) };
        });
      resolve(processes);
    });
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers signal 0; it is dead for our purposes.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Writes down, synchronously (it runs in 'exit' handlers), that a worker had to kill a process a
 * test left running; globalTeardown reads these and fails the run.
 */
export function recordLeak(description: string): void {
  const runDir = process.env[RUN_DIR_ENV];
  if (!runDir) return;
  try {
    fs.appendFileSync(path.join(runDir, LEAKS_FILE), `${description}\n`);
  } catch {
    // The run directory is gone (teardown already ran): nothing left to report to.
  }
}

export function readLeakRecords(runDir: string): string[] {
  try {
    return fs
      .readFileSync(path.join(runDir, LEAKS_FILE), 'utf8')
      .split('\n')
      .filter((line) => line !== '');
  } catch {
    return [];
  }
}
