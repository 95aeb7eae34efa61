import * as fs from 'fs';
import * as path from 'path';
import { LocalCluster } from '@samsa/cluster';
import { harnessTempRoot } from '../../harness';
import { KCAT, REPO_ROOT, run, runOk, type RunResult } from '../../interop/support';

/**
 * `make run`'s SASL_SSL listener (issue 16: "make run also starts a SASL_SSL listener on each
 * broker with a CA it generates under .samsa/, and prints a ready client config"): LocalCluster with
 * one broker, saslSsl on, a temporary data dir and no conventional port (an operator's make run
 * keeps 2181/9092/9192). With only the files it writes: kcat -F librdkafka-sasl_ssl.properties
 * produces and consumes, kafka-topics --command-config client-sasl_ssl.properties lists; stop; a
 * second start on the same data dir reuses the CA, the broker keystore and the admin password, and
 * the old client configs still work.
 */
jest.setTimeout(300_000);

const lines: string[] = [];
let dataDir: string;
let cluster: LocalCluster | undefined;

function startCluster(): Promise<LocalCluster> {
  const c = new LocalCluster({
    home: REPO_ROOT,
    dataDir,
    brokers: 1,
    saslSsl: true,
    conventionalPorts: false,
    dashboard: false,
    log: (line) => lines.push(line),
  });
  cluster = c;
  return c.start().then(() => c);
}

async function stopCluster(): Promise<void> {
  const c = cluster;
  cluster = undefined;
  if (c === undefined) return;
  try {
    await c.stop();
  } finally {
    c.killAll();
  }
}

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(harnessTempRoot(), 'make-run-'));
});

afterAll(async () => {
  await stopCluster();
});

function expectOk(r: RunResult): void {
  if (r.code !== 0) throw new Error(`exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
}

/** kcat -F <librdkafka config>: produce `values` to partition 0 of `topic`, read them back. */
async function kcatRoundtrip(config: string, topic: string, values: readonly string[]): Promise<string[]> {
  await runOk(KCAT, ['-F', config, '-P', '-t', topic, '-p', '0', '-X', 'acks=all', '-X', 'message.timeout.ms=60000'], {
    input: values.map((v) => `${v}\n`).join(''),
    timeoutMs: 90_000,
  });
  const r = await runOk(KCAT, ['-F', config, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\n'], {
    timeoutMs: 90_000,
  });
  return r.stdout.split('\n').filter((l) => l !== '');
}

function kafkaTopics(args: readonly string[]): Promise<RunResult> {
  return run(path.join(REPO_ROOT, 'bin', 'kafka-topics.sh'), args, { timeoutMs: 90_000 });
}

describe('make run: the SASL_SSL listener', () => {
  let first: { ca: string; keystore: string; password: string };

  it('serves kcat -F and kafka-topics --command-config with the client configs it writes', async () => {
    const c = await startCluster();
    const secure = c.secure!;
    expect(secure).toBeDefined();
    // the files live in the data dir, the ports are not the conventional ones an operator's run takes
    expect(secure.dir).toBe(path.join(dataDir, 'tls'));
    expect(secure.bootstrap).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(secure.bootstrap).not.toBe('127.0.0.1:9192');
    expect(c.bootstrap).not.toBe('127.0.0.1:9092');
    const java = fs.readFileSync(secure.clientConfigs.java, 'utf8');
    expect(java).toContain(`bootstrap.servers=${secure.bootstrap}`);
    expect(java).toContain('security.protocol=SASL_SSL');
    expect(lines.join('\n')).toMatch(/SASL_SSL: CA .*ca\.pem, admin user admin/);

    const values = ['one', 'two', 'three'];
    expect(await kcatRoundtrip(secure.clientConfigs.librdkafka, 'make-run-kcat', values)).toEqual(values);

    const listed = await kafkaTopics(['--bootstrap-server', secure.bootstrap, '--command-config', secure.clientConfigs.java, '--list']);
    expectOk(listed);
    expect(listed.stdout.split('\n')).toContain('make-run-kcat');

    // the SASL_SSL port refuses a client without the config
    const bare = await kafkaTopics(['--bootstrap-server', secure.bootstrap, '--list']);
    expect(bare.code).toBe(1);

    first = {
      ca: fs.readFileSync(secure.caFile, 'utf8'),
      keystore: fs.readFileSync(secure.keystoreFile, 'utf8'),
      password: secure.adminPassword,
    };
    await stopCluster();
  });

  it('a second start reuses the CA, the keystore and the admin password', async () => {
    expect(first).toBeDefined();
    const c = await startCluster();
    const secure = c.secure!;
    expect(fs.readFileSync(secure.caFile, 'utf8')).toBe(first.ca);
    expect(fs.readFileSync(secure.keystoreFile, 'utf8')).toBe(first.keystore);
    expect(secure.adminPassword).toBe(first.password);

    // the data survived, and the rewritten configs (same CA, same password) still work
    const values = await kcatRoundtrip(secure.clientConfigs.librdkafka, 'make-run-kcat', ['four']);
    expect(values).toEqual(['one', 'two', 'three', 'four']);
    const listed = await kafkaTopics(['--bootstrap-server', secure.bootstrap, '--command-config', secure.clientConfigs.java, '--list']);
    expectOk(listed);
    expect(listed.stdout.split('\n')).toContain('make-run-kcat');
    await stopCluster();
  });
});
