import { execFile } from 'child_process';
import * as path from 'path';
import { startCluster, type ClusterHandle } from '../../harness/broker';
import { waitFor } from '../../harness';

/**
 * kafka-topics --bootstrap-server against real brokers: the CLI talks to the cluster only through
 * the Kafka protocol (kafkajs's admin client inside), and prints what Kafka 2.1's tool prints.
 */
jest.setTimeout(120_000);

const CLI = path.resolve(__dirname, '..', '..', '..', 'bin', 'kafka-topics.sh');
let cluster: ClusterHandle;

function topics(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(CLI, ['--bootstrap-server', cluster.bootstrap, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      const status = (error as { code?: unknown } | null)?.code;
      resolve({ code: error ? (typeof status === 'number' ? status : 1) : 0, out: stdout, err: stderr });
    });
  });
}

beforeAll(async () => {
  cluster = await startCluster({ brokers: 3, overrides: { 'auto.create.topics.enable': false } });
});

afterAll(async () => {
  await cluster?.stop();
});

test('createDescribeAlterListDeleteThroughTheBrokers', async () => {
  const created = await topics('--create', '--topic', 'bs', '--partitions', '3', '--replication-factor', '3', '--config', 'retention.ms=3600000');
  expect(created).toMatchObject({ code: 0, out: 'Created topic "bs".\n' });

  const described = await waitFor(
    async () => {
      const d = await topics('--describe', '--topic', 'bs');
      return d.out.includes('Isr: ') && d.out.split('\n').filter((l) => l.includes('Partition: ')).length === 3 ? d : null;
    },
    { timeoutMs: 20_000, what: 'three partitions with leaders' },
  );
  const lines = described.out.trim().split('\n');
  expect(lines[0]).toBe('Topic:bs\tPartitionCount:3\tReplicationFactor:3\tConfigs:retention.ms=3600000');
  for (const line of lines.slice(1)) {
    expect(line).toMatch(/^\tTopic: bs\tPartition: [0-2]\tLeader: [0-2]\tReplicas: \d,\d,\d\tIsr: \d(,\d)*$/);
  }

  expect(await topics('--alter', '--topic', 'bs', '--partitions', '5')).toMatchObject({ code: 0 });
  await waitFor(async () => (await topics('--describe', '--topic', 'bs')).out.includes('PartitionCount:5'), {
    timeoutMs: 20_000,
    what: 'five partitions',
  });

  expect((await topics('--list')).out.split('\n')).toContain('bs');

  expect(await topics('--delete', '--topic', 'bs')).toMatchObject({ code: 0 });
  await waitFor(async () => !(await topics('--list')).out.split('\n').includes('bs'), { timeoutMs: 30_000, what: 'the topic to go' });
});

test('badInputIsOneStderrLineAndANonZeroExit', async () => {
  const tooMany = await topics('--create', '--topic', 'rf', '--partitions', '1', '--replication-factor', '4');
  expect(tooMany.code).not.toBe(0);
  expect(tooMany.err.trim().split('\n')).toHaveLength(1);
  expect(tooMany.err).toMatch(/replication.factor/i);

  const invalid = await topics('--create', '--topic', 'bad name', '--partitions', '1', '--replication-factor', '1');
  expect(invalid.code).not.toBe(0);
  expect(invalid.err.trim().split('\n')).toHaveLength(1);
});
