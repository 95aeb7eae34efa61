#!/usr/bin/env node
/**
 * `samsa-dashboard --zookeeper host:port[/chroot] [--bootstrap-server host:port,…] [--port N]
 * [--host H]` — serves the ops dashboard; prints its URL once listening. SIGTERM/SIGINT stop it.
 * The page binds to loopback unless --host says otherwise; --tls-cert/--tls-key serve it over
 * HTTPS and --password-file asks for a password. The --metrics-* options say how to reach brokers
 * whose metrics endpoints use samsa.metrics.http.tls.* or samsa.metrics.http.password.
 */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { BasicAuthCredentials } from '@samsa/metrics';
import { startDashboard } from '../Dashboard';

const USAGE =
  'USAGE: samsa-dashboard --zookeeper host:port[/chroot] [--bootstrap-server host:port,...] ' +
  '[--port N (default 8080, 0: any free port)] [--host 127.0.0.1] [--interval-ms 1000]\n' +
  '  [--tls-cert PEM --tls-key PEM] [--username samsa --password-file FILE]\n' +
  '  [--metrics-https] [--metrics-ca PEM] [--metrics-username samsa --metrics-password-file FILE]\n';

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

function readFile(option: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    fail(`--${option} ${file}: ${(e as Error).message}`);
  }
}

/** User and password (the file's first line), or none without a password file. */
function credentials(
  username: string | undefined,
  passwordFile: string | undefined,
  option: string,
): BasicAuthCredentials | undefined {
  if (passwordFile === undefined) return undefined;
  const password = readFile(option, passwordFile).toString('utf8').split(/\r?\n/)[0];
  if (password === '') fail(`--${option} ${passwordFile}: the first line (the password) is empty`);
  return { username: username ?? 'samsa', password };
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
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        username: { type: 'string' },
        'password-file': { type: 'string' },
        'metrics-https': { type: 'boolean' },
        'metrics-ca': { type: 'string' },
        'metrics-username': { type: 'string' },
        'metrics-password-file': { type: 'string' },
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
  const str = (name: string): string | undefined =>
    typeof values[name] === 'string' ? (values[name] as string) : undefined;
  const tlsCert = str('tls-cert');
  const tlsKey = str('tls-key');
  if ((tlsCert === undefined) !== (tlsKey === undefined)) fail('--tls-cert and --tls-key go together');
  const metricsCa = str('metrics-ca');
  const dashboard = await startDashboard({
    zookeeper,
    bootstrapServers: bootstrap
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    port: intOption(values.port as string | undefined, 'port', 8080, 0, 65535),
    host: typeof values.host === 'string' ? values.host : '127.0.0.1',
    access: {
      tls:
        tlsCert !== undefined && tlsKey !== undefined
          ? { cert: readFile('tls-cert', tlsCert), key: readFile('tls-key', tlsKey) }
          : undefined,
      basicAuth: credentials(str('username'), str('password-file'), 'password-file'),
    },
    metrics: {
      scheme: values['metrics-https'] === true || metricsCa !== undefined ? 'https' : 'http',
      ca: metricsCa === undefined ? undefined : readFile('metrics-ca', metricsCa),
      basicAuth: credentials(str('metrics-username'), str('metrics-password-file'), 'metrics-password-file'),
    },
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
