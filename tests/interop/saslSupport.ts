import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import * as tls from 'tls';
import type { SASLOptions } from 'kafkajs';
import type { TlsIdentity } from '../harness/tls';
import { int16, int32, string } from '../integration/hardening/support';
import { KCAT, PYTHON, REPO_ROOT, run, runOk, type RunResult } from './support';

/**
 * What the SASL interop tests share: a broker's SASL_PLAINTEXT settings as Kafka writes them
 * (listener-prefixed JAAS per mechanism), SCRAM users made with Samsa's own kafka-configs
 * --zookeeper, and kcat / python clients with their SASL options.
 */

export const KAFKA_CONFIGS = path.join(REPO_ROOT, 'bin', 'kafka-configs.sh');
export const SASL_PYTHON_DRIVER = path.join(__dirname, 'python', 'sasl_clients.py');
export const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type Mechanism = (typeof MECHANISMS)[number];

/** PLAIN users of the listener's PlainLoginModule (user_<name>="password"). */
export const PLAIN_USERS: Readonly<Record<string, string>> = { alice: 'alice-secret', admin: 'admin-secret' };

/**
 * server.properties entries of a SASL_PLAINTEXT listener `name` serving all three mechanisms;
 * `plainLogin` (e.g. `username="admin" password="admin-secret" `) is the broker's own PLAIN login,
 * `extraPlainUsers` PLAIN users beyond PLAIN_USERS.
 */
export function saslListenerOverrides(
  name = 'SASL_PLAINTEXT',
  plainLogin = '',
  extraPlainUsers: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const l = name.toLowerCase();
  const users = Object.entries({ ...PLAIN_USERS, ...extraPlainUsers })
    .map(([u, p]) => `user_${u}="${p}"`)
    .join(' ');
  return {
    'sasl.enabled.mechanisms': MECHANISMS.join(','),
    [`listener.name.${l}.plain.sasl.jaas.config`]: `org.apache.kafka.common.security.plain.PlainLoginModule required ${plainLogin}${users};`,
    [`listener.name.${l}.scram-sha-256.sasl.jaas.config`]: 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    [`listener.name.${l}.scram-sha-512.sasl.jaas.config`]: 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
  };
}

/** bin/kafka-configs.sh --zookeeper …; fails unless it exits 0. */
export function kafkaConfigs(zkConnect: string, args: readonly string[]): Promise<RunResult> {
  return runOk(KAFKA_CONFIGS, ['--zookeeper', zkConnect, ...args], { timeoutMs: 60_000 });
}

/** SCRAM-SHA-256 and SCRAM-SHA-512 credentials of `user`, as an operator adds them. */
export function addScramUser(zkConnect: string, user: string, password: string, iterations = 4096): Promise<RunResult> {
  return kafkaConfigs(zkConnect, [
    '--alter',
    '--entity-type',
    'users',
    '--entity-name',
    user,
    '--add-config',
    `SCRAM-SHA-256=[iterations=${iterations},password=${password}],SCRAM-SHA-512=[password=${password}]`,
  ]);
}

/** kcat's SASL options; with `caFile` (a PEM CA) SASL_SSL, verifying the broker's host name. */
export function kcatSaslArgs(mechanism: string, user: string, password: string, caFile?: string): string[] {
  return [
    '-X', `security.protocol=${caFile === undefined ? 'SASL_PLAINTEXT' : 'SASL_SSL'}`,
    '-X', `sasl.mechanisms=${mechanism}`,
    '-X', `sasl.username=${user}`,
    '-X', `sasl.password=${password}`,
    ...(caFile === undefined ? [] : ['-X', `ssl.ca.location=${caFile}`, '-X', 'ssl.endpoint.identification.algorithm=https']),
  ];
}

/** kcat produces `values` to partition 0, then reads the partition back; the values read. */
export async function kcatSaslRoundtrip(
  bootstrap: string,
  topic: string,
  sasl: readonly string[],
  values: readonly string[],
): Promise<string[]> {
  await runOk(KCAT, ['-P', '-b', bootstrap, '-t', topic, '-p', '0', '-X', 'acks=all', '-X', 'message.timeout.ms=30000', ...sasl], {
    input: values.map((v) => `${v}\n`).join(''),
  });
  const r = await runOk(KCAT, ['-C', '-b', bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\n', ...sasl]);
  return r.stdout === '' ? [] : r.stdout.replace(/\n$/, '').split('\n');
}

/** kcat -L over SASL: exit status and stderr (librdkafka prints the broker's error message). */
export function kcatSaslMetadata(bootstrap: string, sasl: readonly string[]): Promise<RunResult> {
  return run(KCAT, ['-L', '-b', bootstrap, '-m', '5', ...sasl], { timeoutMs: 30_000 });
}

export interface PythonRoundtrip {
  readonly produced?: number;
  readonly consumed?: string[];
  readonly error?: string;
  /** kafka-python: the errors its connections were closed with ("<type>: <message>"). */
  readonly connection_errors?: string[];
}

/**
 * tests/interop/python/sasl_clients.py roundtrip with confluent-kafka or kafka-python; with
 * `caFile` (a PEM CA) over SASL_SSL.
 */
export async function pythonSaslRoundtrip(
  lib: 'confluent' | 'kafka-python',
  bootstrap: string,
  topic: string,
  mechanism: string,
  user: string,
  password: string,
  count: number,
  caFile?: string,
): Promise<PythonRoundtrip> {
  const args = [SASL_PYTHON_DRIVER, 'roundtrip', lib, bootstrap, topic, mechanism, user, password, String(count)];
  if (caFile !== undefined) args.push(caFile);
  const r = await run(PYTHON, args, {
    timeoutMs: 120_000,
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as PythonRoundtrip;
  } catch {
    throw new Error(`sasl_clients.py ${lib} printed no JSON (exit ${r.code}):\n${r.stdout.slice(-2000)}\n--- stderr\n${r.stderr.slice(-3000)}`);
  }
}

/**
 * server.properties entries of a SASL_SSL listener `name`: the SASL settings of
 * saslListenerOverrides plus the listener's TLS keystore (`listener.name.<l>.ssl.*`), PEM (Kafka's
 * KIP-651 file: encrypted key then chain) or PKCS12.
 */
export function saslSslListenerOverrides(
  broker: TlsIdentity,
  keystore: 'PEM' | 'PKCS12',
  name = 'SASL_SSL',
  plainLogin = '',
): Record<string, string> {
  const l = name.toLowerCase();
  const tls: Record<string, string> =
    keystore === 'PEM'
      ? {
          [`listener.name.${l}.ssl.keystore.type`]: 'PEM',
          [`listener.name.${l}.ssl.keystore.location`]: broker.pemKeystore,
          [`listener.name.${l}.ssl.key.password`]: broker.keyPassword,
        }
      : {
          [`listener.name.${l}.ssl.keystore.type`]: 'PKCS12',
          [`listener.name.${l}.ssl.keystore.location`]: broker.p12,
          [`listener.name.${l}.ssl.keystore.password`]: broker.password,
        };
  return { ...saslListenerOverrides(name, plainLogin), ...tls };
}

/** kafkajs's `ssl` and `sasl` options for a SASL_SSL listener whose CA is `caFile`. */
export function kafkajsSaslSsl(
  mechanism: Mechanism,
  user: string,
  password: string,
  caFile: string,
): { ssl: { ca: string[] }; sasl: SASLOptions } {
  return {
    ssl: { ca: [fs.readFileSync(caFile, 'utf8')] },
    sasl: { mechanism: mechanism.toLowerCase(), username: user, password } as SASLOptions,
  };
}

/**
 * Opens a connection to `port` (TLS trusting `caFile` when given: SASL_SSL; else SASL_PLAINTEXT),
 * authenticates `user` with PLAIN through a hand-built SaslHandshake v1 and SaslAuthenticate v0
 * (the token built byte by byte, not by our client), then sends each of `frames` (request payloads
 * without the size prefix, e.g. from requestFrame) and returns the response frames to them
 * (correlation id first). Throws if the handshake or authentication is refused.
 */
export async function saslExchange(opts: {
  readonly port: number;
  readonly caFile?: string;
  readonly user: string;
  readonly password: string;
  readonly frames: readonly Buffer[];
  readonly timeoutMs?: number;
}): Promise<Buffer[]> {
  const socket =
    opts.caFile === undefined
      ? net.connect({ host: '127.0.0.1', port: opts.port })
      : tls.connect({ host: '127.0.0.1', port: opts.port, ca: fs.readFileSync(opts.caFile), servername: 'localhost' });
  const received: Buffer[] = [];
  let pending = Buffer.alloc(0);
  let wake: (() => void) | undefined;
  let closed = false;
  socket.on('data', (d: Buffer) => {
    pending = Buffer.concat([pending, d]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      received.push(pending.subarray(4, 4 + pending.readInt32BE(0)));
      pending = pending.subarray(4 + pending.readInt32BE(0));
    }
    wake?.();
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed = true;
    wake?.();
  });
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  const frame = (payload: Buffer): Buffer => Buffer.concat([int32(payload.length), payload]);
  const next = async (n: number): Promise<Buffer> => {
    while (received.length < n) {
      if (closed) throw new Error(`the broker closed the connection after ${received.length} responses`);
      if (Date.now() > deadline) throw new Error(`no response ${n} within the time`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 100);
      });
    }
    return received[n - 1]!;
  };
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once(opts.caFile === undefined ? 'connect' : 'secureConnect', resolve);
      socket.once('error', reject);
    });
    // SaslHandshake v1 (key 17): mechanism PLAIN
    socket.write(frame(Buffer.concat([int16(17), int16(1), int32(1), string('hand-built'), string('PLAIN')])));
    const handshake = await next(1);
    if (handshake.readInt16BE(4) !== 0) throw new Error(`SaslHandshake error ${handshake.readInt16BE(4)}`);
    // SaslAuthenticate v0 (key 36): the PLAIN token authzid \0 user \0 password
    const token = Buffer.from(`\u0000${opts.user}\u0000${opts.password}`, 'utf8');
    socket.write(frame(Buffer.concat([int16(36), int16(0), int32(2), string('hand-built'), int32(token.length), token])));
    const authenticated = await next(2);
    if (authenticated.readInt16BE(4) !== 0) throw new Error(`SaslAuthenticate error ${authenticated.readInt16BE(4)}`);
    for (const f of opts.frames) socket.write(frame(f));
    await next(2 + opts.frames.length);
    return received.slice(2, 2 + opts.frames.length);
  } finally {
    socket.destroy();
  }
}
