#!/usr/bin/env node
/**
 * `samsa-dashboard --zookeeper host:port[/chroot] [--bootstrap-server host:port,…] [--port N]
 * [--host H]` — serves the ops dashboard; prints its URL once listening. SIGTERM/SIGINT stop it.
 */
import { parseArgs } from 'node:util';
import { startDashboard } from '../Dashboard';

const USAGE =
  'USAGE: samsa-dashboard --zookeeper host:port[/chroot] [--bootstrap-server host:port,...] ' +
  '[--port N (default 8080, 0: any free port)] [--host 127.0.0.1] [--interval-ms 1000]\n';

function fail(message: string): never {
  process.stderr.write(`ERROR: ${message}\n${USAGE}`);
  process.exit(1);
}

function intOption(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
    fail(`--${name} must be an integer from ${min} to ${max}, not "${value}"`);
  return Number(value);
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        zookeeper: { type: 'string' },
        'bootstrap-server': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'interval-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      // Process markers such as the test harness's are positional and ignored.
      allowPositionals: true,
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help === true) {
    process.stdout.write(USAGE);
    return;
  }
  const zookeeper = values.zookeeper;
  if (typeof zookeeper !== 'string' || zookeeper === '') fail('--zookeeper is required');
  const bootstrap = typeof values['bootstrap-server'] === 'string' ? values['bootstrap-server'] : '';
  const dashboard = await startDashboard({
    zookeeper,
    bootstrapServers: bootstrap
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    port: intOption(values.port as string | undefined, 'port', 8080, 0, 65535),
    host: typeof values.host === 'string' ? values.host : '127.0.0.1',
    intervalMs: intOption(values['interval-ms'] as string | undefined, 'interval-ms', 1000, 100, 60_000),
    log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
  });
  process.stdout.write(`samsa-dashboard listening on ${dashboard.url}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`received ${signal}, stopping\n`);
    void dashboard.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e: unknown) => {
  process.stderr.write(`samsa-dashboard: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
