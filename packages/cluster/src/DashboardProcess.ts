import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { LOOPBACK } from './ports';
import { SAMSA_HOME, type ProcessHooks } from './ProcessHooks';
import { waitFor, withTimeout } from './wait';

/**
 * The built `samsa-dashboard` as its own process (as operators run it), for `samsa-cluster` and the
 * browser test: started against a cluster's ZooKeeper and bootstrap servers, stopped with SIGTERM.
 */
const LISTENING = /samsa-dashboard listening on (http:\/\/\S+)/;

export interface DashboardOptions extends ProcessHooks {
  readonly zkConnect: string;
  readonly bootstrap: string;
  /** 0 (default): any free port. */
  readonly port?: number;
  readonly host?: string;
  readonly startTimeoutMs?: number;
  /** Also write its output here (make run: a log file). */
  readonly echo?: NodeJS.WritableStream;
  /** The checkout holding packages/dashboard/dist; default the one this package runs from. */
  readonly home?: string;
}

export interface DashboardHandle {
  /** "http://127.0.0.1:PORT/" */
  readonly url: string;
  readonly pid: number | undefined;
  output(): string;
  /** SIGTERM and wait for exit (SIGKILL after the timeout). */
  stop(timeoutMs?: number): Promise<void>;
}

export async function startDashboard(options: DashboardOptions): Promise<DashboardHandle> {
  const bin = path.join(options.home ?? SAMSA_HOME, 'packages', 'dashboard', 'dist', 'bin', 'samsa-dashboard.js');
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: build first (npx tsc -b)`);
  const args = [
    bin,
    '--zookeeper',
    options.zkConnect,
    '--bootstrap-server',
    options.bootstrap,
    '--port',
    String(options.port ?? 0),
    '--host',
    options.host ?? LOOPBACK,
    ...(options.marker === undefined ? [] : [options.marker]),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  options.onSpawn?.(child, 'samsa-dashboard');
  let out = '';
  const take = (d: Buffer): void => {
    out += d.toString();
    options.echo?.write(d);
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let exitCode: number | null | undefined;
  child.once('exit', (code) => (exitCode = code));
  const url = await waitFor(
    () => {
      if (exitCode !== undefined) throw new Error(`samsa-dashboard exited with ${exitCode}:\n${out}`);
      return LISTENING.exec(out)?.[1];
    },
    { timeoutMs: options.startTimeoutMs ?? 20_000, intervalMs: 50, what: 'samsa-dashboard to listen' },
  ).catch(async (e: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw e;
  });
  return {
    url,
    pid: child.pid,
    output: () => out,
    async stop(timeoutMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      try {
        await withTimeout(exited, timeoutMs, 'samsa-dashboard to stop');
      } catch {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
