import type { ChildProcess } from 'child_process';
import * as vm from 'vm';
import type { ProcessHooks } from '@samsa/cluster';
import { harnessMarker, harnessTempRoot, recordLeak } from './run';

/** A child process the harness started and must not leave behind. */
export interface TrackedProcess {
  readonly child: ChildProcess;
  readonly label: string;
  readonly pid: number;
  readonly startedAt: Date;
}

interface Registry {
  readonly tracked: Set<TrackedProcess>;
  hookInstalled: boolean;
}

const REGISTRY_KEY = Symbol.for('samsa.test.harness.processRegistry');
const FATAL_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * jest runs every test file in its own vm context, with its own module registry and a copy of
 * `process` whose 'exit' event never fires. So the registry and the exit hook live on the real
 * Node process, which code compiled in the main context returns: one registry per worker, shared
 * by all the test files the worker runs, and one hook, installed once.
 */
function realProcess(): NodeJS.Process {
  return vm.runInThisContext('process') as NodeJS.Process;
}

function registry(): Registry {
  const host = realProcess() as unknown as Record<symbol, Registry | undefined>;
  let found = host[REGISTRY_KEY];
  if (found === undefined) {
    found = { tracked: new Set(), hookInstalled: false };
    host[REGISTRY_KEY] = found;
  }
  return found;
}

function isRunning(entry: TrackedProcess): boolean {
  return entry.child.exitCode === null && entry.child.signalCode === null;
}

/** Registers `child` until it exits; `label` names it in leak reports. */
export function trackProcess(child: ChildProcess, label: string): TrackedProcess {
  if (child.pid === undefined) throw new Error(`cannot track ${label}: it has no pid (spawn failed)`);
  const reg = registry();
  const entry: TrackedProcess = { child, label, pid: child.pid, startedAt: new Date() };
  reg.tracked.add(entry);
  child.once('exit', () => reg.tracked.delete(entry));
  installExitHook(reg);
  return entry;
}

/** Tracked processes that have not exited, in start order. */
export function liveTrackedProcesses(): TrackedProcess[] {
  return [...registry().tracked].filter(isRunning);
}

/** SIGKILLs every live tracked process and waits for each to exit. Returns the ones it killed. */
export async function killAllTracked(): Promise<TrackedProcess[]> {
  const live = liveTrackedProcesses();
  await Promise.all(
    live.map(
      (entry) =>
        new Promise<void>((resolve) => {
          if (!isRunning(entry)) return resolve();
          entry.child.once('exit', () => resolve());
          entry.child.kill('SIGKILL');
        }),
    ),
  );
  return live;
}

/**
 * Kills what is still running when the worker dies, and writes each one down as a leak for
 * globalTeardown. 'exit' covers a normal end and an uncaught exception; the signal handlers cover
 * jest's forced worker shutdown. Nothing covers a SIGKILLed worker: globalTeardown's pgrep does.
 */
function installExitHook(reg: Registry): void {
  if (reg.hookInstalled) return;
  reg.hookInstalled = true;
  const real = realProcess();
  const killNow = (reason: string): void => {
    for (const entry of reg.tracked) {
      if (!isRunning(entry)) continue;
      entry.child.kill('SIGKILL');
      recordLeak(
        `${entry.label} (pid ${entry.pid}) was still running at ${reason} of jest worker ${real.pid}; killed it`,
      );
    }
  };
  real.on('exit', () => killNow('exit'));
  for (const signal of FATAL_SIGNALS) {
    const onSignal = (): void => {
      killNow(signal);
      // A listener disables the default "die on this signal"; restore it if we are alone.
      if (real.listenerCount(signal) === 1) {
        real.removeListener(signal, onSignal);
        real.kill(real.pid, signal);
      }
    };
    real.on(signal, onSignal);
  }
}

/**
 * What the harness adds to every process @samsa/cluster starts for a test: this run's marker on
 * the command line, leak tracking, and temporary directories inside the run directory.
 */
export function harnessProcessHooks(): ProcessHooks {
  return { marker: harnessMarker(), onSpawn: trackProcess, tempRoot: harnessTempRoot() };
}
