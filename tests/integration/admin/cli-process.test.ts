import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort, liveTrackedProcesses, startZooKeeper, type ZooKeeperHandle } from '../../harness';
import { Chroot, Cleanups, runCli } from './support';

/**
 * The CLIs as their own processes (node --import tsx on the entry points): exit status, stdout and
 * stderr as a shell sees them, and a prompt exit — no ZooKeeper session or timer keeps them alive.
 */
jest.setTimeout(90_000);

const ROOT = path.resolve(__dirname, '..', '..', '..');
let zk: ZooKeeperHandle;
const cleanups = new Cleanups();

beforeAll(async () => {
  zk = await startZooKeeper({ label: 'zookeeper admin/cli-process.test' });
});
afterEach(() => cleanups.run());
afterAll(async () => {
  await zk?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

test('kafkaTopicsCreatesListsAndExits', async () => {
  const c = await Chroot.create(zk, cleanups);
  await c.registerBrokers({ id: 0 }, { id: 1 });
  const created = await runCli('kafka-topics', [
    '--zookeeper',
    c.connectString,
    '--create',
    '--topic',
    'T',
    '--partitions',
    '2',
    '--replication-factor',
    '2',
  ]);
  expect({ code: created.code, out: created.out, err: created.err }).toEqual({
    code: 0,
    out: ['Created topic "T".'],
    err: [],
  });
  expect(await c.read('/config/topics/T')).toBe('{"version":1,"config":{}}');
  const listed = await runCli('kafka-topics', ['--zookeeper', c.connectString, '--list']);
  expect({ code: listed.code, out: listed.out, err: listed.err }).toEqual({ code: 0, out: ['T'], err: [] });
  // the session is closed on the way out: no minutes-long wait for it
  expect(listed.elapsedMs).toBeLessThan(15_000);
});

test('kafkaTopicsRefusalsAreOneStderrLineAndStatus1', async () => {
  const c = await Chroot.create(zk, cleanups);
  await c.registerBrokers({ id: 0 });
  const tooMany = await runCli('kafka-topics', [
    '--zookeeper',
    c.connectString,
    '--create',
    '--topic',
    'T',
    '--partitions',
    '1',
    '--replication-factor',
    '2',
  ]);
  expect({ code: tooMany.code, out: tooMany.out, err: tooMany.err }).toEqual({
    code: 1,
    out: [],
    err: ['Error while executing topic command : Replication factor: 2 larger than available brokers: 1.'],
  });
  const unknown = await runCli('kafka-topics', ['--zookeeper', c.connectString, '--list', '--verbose']);
  expect({ code: unknown.code, out: unknown.out, err: unknown.err }).toEqual({
    code: 1,
    out: [],
    err: ['verbose is not a recognized option'],
  });
});

test('kafkaTopicsGivesUpOnAnUnreachableZooKeeperAtTheDeadline', async () => {
  const port = await freePort();
  const result = await runCli('kafka-topics', ['--zookeeper', `127.0.0.1:${port}`, '--list'], {
    SAMSA_ADMIN_TIMEOUT_MS: '1500',
  });
  expect({ code: result.code, out: result.out, err: result.err }).toEqual({
    code: 1,
    out: [],
    err: [
      `Error while executing topic command : Timed out after 1500 ms waiting for a ZooKeeper session with 127.0.0.1:${port} (state CONNECTING)`,
    ],
  });
  expect(result.elapsedMs).toBeLessThan(15_000);
});

test('kafkaDumpLogPrintsWhatKafkasToolPrinted', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dump-log-cli-'));
  cleanups.add(dir, async (d) => fs.rmSync(d, { recursive: true, force: true }));
  const log = path.join(dir, '00000000000000000000.log');
  fs.copyFileSync(
    path.join(ROOT, 'packages', 'protocol', 'src', 'records', 'fixtures', 'kafka-2.1-T-0.log'),
    log,
  );
  const result = await runCli('kafka-dump-log', ['--files', log, '--deep-iteration', '--print-data-log']);
  const capture = fs
    .readFileSync(path.join(ROOT, 'packages', 'admin', 'src', 'fixtures', 'dump-log-T-0.txt'), 'utf8')
    .split('\n');
  const start = capture.findIndex((l) => l.endsWith('.log --deep-iteration --print-data-log'));
  const expected = capture
    .slice(start + 1, start + 8)
    .map((l) => l.split('<log.dir of broker 0>/T-0').join(dir));
  expect({ code: result.code, out: result.out, err: result.err }).toEqual({
    code: 0,
    out: expected,
    err: [],
  });
});
