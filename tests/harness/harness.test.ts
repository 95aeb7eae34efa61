import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { Exception } from 'node-zookeeper-client';
import {
  close,
  connectZk,
  create,
  exists,
  expireSession,
  fourLetterWord,
  freePort,
  getChildren,
  getData,
  harnessMarker,
  isAlive,
  isPortOpen,
  killAllTracked,
  liveTrackedProcesses,
  sessionIdHex,
  sleep,
  startZooKeeper,
  trackProcess,
  waitFor,
  withTimeout,
  type ConnectZkOptions,
  type ZkClient,
  type ZooKeeperHandle,
  type ZooKeeperOptions,
} from './index';

jest.setTimeout(30_000);

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  // Newest first (clients before their server); one failure must not skip the rest.
  const failures: unknown[] = [];
  while (cleanups.length > 0) await cleanups.pop()!().catch((error: unknown) => failures.push(error));
  if (failures.length > 0) throw failures[0];
});

afterAll(() => {
  expect(liveTrackedProcesses()).toEqual([]);
});

async function zooKeeper(options?: ZooKeeperOptions): Promise<ZooKeeperHandle> {
  const zk = await startZooKeeper(options);
  cleanups.push(() => zk.stop());
  return zk;
}

async function client(zk: ZooKeeperHandle, options?: ConnectZkOptions): Promise<ZkClient> {
  const c = await connectZk(zk.connectString, options);
  cleanups.push(() => close(c));
  return c;
}

function text(data: Buffer | null): string | null {
  return data === null ? null : data.toString('utf8');
}

describe('startZooKeeper', () => {
  test('servesZnodesAndStopRemovesProcessPortAndDirectory', async () => {
    const zk = await zooKeeper();
    const pid = zk.pid!;
    expect(zk.connectString).toBe(`127.0.0.1:${zk.port}`);
    expect(zk.state).toBe('running');
    expect(liveTrackedProcesses().map((p) => p.pid)).toContain(pid);
    // globalTeardown finds leftovers by this marker.
    expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain(harnessMarker());
    expect(fs.existsSync(zk.dataDir)).toBe(true);

    const c = await client(zk);
    await create(c, '/harness', 'hello');
    expect(text((await getData(c, '/harness')).data)).toBe('hello');
    expect(await getChildren(c, '/')).toContain('harness');
    await close(c);

    await zk.stop();
    expect(zk.state).toBe('removed');
    expect(isAlive(pid)).toBe(false);
    expect(await isPortOpen(zk.port)).toBe(false);
    expect(fs.existsSync(zk.dir)).toBe(false);
    expect(liveTrackedProcesses().map((p) => p.pid)).not.toContain(pid);
  });

  test('twoServersAtOnceGetDifferentPortsAndSeparateData', async () => {
    const [a, b] = await Promise.all([zooKeeper(), zooKeeper()]);
    expect(a.port).not.toBe(b.port);
    expect(a.dataDir).not.toBe(b.dataDir);
    const [ca, cb] = await Promise.all([client(a), client(b)]);
    await create(ca, '/only-in-a');
    expect(await exists(ca, '/only-in-a')).not.toBeNull();
    expect(await exists(cb, '/only-in-a')).toBeNull();
  });

  test('aTakenPortFailsWithTheServerLogInTheError', async () => {
    const first = await zooKeeper();
    const failure = await startZooKeeper({ port: first.port }).then(
      () => new Error('a second server started on a taken port'),
      (error: Error) => error,
    );
    expect(failure.message).toMatch(/did not start: the JVM exited[\s\S]*Address already in use/);
    const failedLog = /--- tail of (\S+)/.exec(failure.message)![1];
    expect(fs.existsSync(path.dirname(failedLog))).toBe(false);
    const onThatPort = liveTrackedProcesses().filter((p) => p.label.endsWith(`:${first.port}`));
    expect(onThatPort.map((p) => p.pid)).toEqual([first.pid]);
    const c = await client(first);
    expect(await exists(c, '/')).not.toBeNull();
  });

  test('restartKeepsDataOnTheSamePort', async () => {
    const zk = await zooKeeper();
    const { port } = zk;
    const before = zk.pid;
    const c = await client(zk);
    await create(c, '/kept', 'v1');
    await close(c);

    await zk.restart();
    expect(zk.state).toBe('running');
    expect(zk.port).toBe(port);
    expect(zk.pid).not.toBe(before);
    expect(isAlive(before!)).toBe(false);
    const again = await client(zk);
    expect(text((await getData(again, '/kept')).data)).toBe('v1');
  });

  test('killThenRestartRecoversCommittedData', async () => {
    const zk = await zooKeeper();
    const c = await client(zk);
    await create(c, '/survives-crash', 'v1');
    await close(c);

    const before = zk.pid!;
    await zk.kill();
    expect(zk.state).toBe('stopped');
    expect(zk.pid).toBeUndefined();
    expect(isAlive(before)).toBe(false);
    expect(await isPortOpen(zk.port)).toBe(false);
    expect(fs.existsSync(zk.dataDir)).toBe(true);

    await zk.restart();
    const again = await client(zk);
    expect(text((await getData(again, '/survives-crash')).data)).toBe('v1');
  });

  test('pausedServerAnswersNothingUntilResumed', async () => {
    const zk = await zooKeeper();
    const c = await client(zk, { sessionTimeoutMs: 6000 });
    await create(c, '/before-pause');

    zk.pause();
    expect(zk.state).toBe('paused');
    const request = exists(c, '/before-pause');
    const outcome = await Promise.race([
      request.then(
        () => 'answered',
        () => 'failed',
      ),
      sleep(1000).then(() => 'still waiting'),
    ]);
    expect(outcome).toBe('still waiting');
    await expect(fourLetterWord(zk.port, 'ruok', { timeoutMs: 300 })).rejects.toThrow(/no answer/);

    zk.resume();
    expect(zk.state).toBe('running');
    expect(await withTimeout(request, 5000, 'the request sent while paused')).not.toBeNull();
    expect(await fourLetterWord(zk.port, 'ruok')).toBe('imok');
  });
});

describe('zkclient', () => {
  test('closeFinishesWhenTheServerIsDeadOrPaused', async () => {
    const zk = await zooKeeper();
    const [a, b] = await Promise.all([client(zk), client(zk)]);

    zk.pause();
    const pausedStartMs = Date.now();
    await close(a, { timeoutMs: 500 });
    expect(Date.now() - pausedStartMs).toBeLessThan(3000);
    zk.resume();

    await zk.kill();
    await close(b, { timeoutMs: 500 });
    await expect(exists(b, '/')).rejects.toMatchObject({ code: Exception.CONNECTION_LOSS });
  });
});

describe('expireSession', () => {
  test('deletesTheEphemeralZnodesAndTheClientSeesExpired', async () => {
    const zk = await zooKeeper();
    const owner = await client(zk, { sessionTimeoutMs: 6000 });
    const observer = await client(zk);
    await create(owner, '/ephemeral', 'mine', { mode: 'ephemeral' });
    const stat = await exists(observer, '/ephemeral');
    expect(stat?.ephemeralOwner.equals(owner.getSessionId())).toBe(true);

    const sid = sessionIdHex(owner.getSessionId());
    expect(await fourLetterWord(zk.port, 'cons')).toContain(`sid=${sid}`);

    const events: string[] = [];
    owner.on('expired', () => events.push('expired'));
    const startedMs = Date.now();
    await expireSession(zk.connectString, owner);

    expect(events).toEqual(['expired']);
    // Forced, not waited out: well under the 6 s session timeout.
    expect(Date.now() - startedMs).toBeLessThan(6000);
    expect(await exists(observer, '/ephemeral')).toBeNull();
    expect(await fourLetterWord(zk.port, 'cons')).not.toContain(`sid=${sid}`);
    // The expired client stays closed (node-zookeeper-client then answers CONNECTION_LOSS).
    await expect(exists(owner, '/')).rejects.toMatchObject({ code: Exception.CONNECTION_LOSS });
  });
});

describe('process registry', () => {
  test('killAllTrackedKillsWhatIsStillRunning', async () => {
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    const tracked = trackProcess(sleeper, 'sleeper');
    expect(liveTrackedProcesses()).toContain(tracked);

    const killed = await killAllTracked();
    // The registry spans the worker, so anything an earlier file leaked would be killed too.
    expect(killed).toContain(tracked);
    expect(sleeper.signalCode).toBe('SIGKILL');
    expect(liveTrackedProcesses()).toEqual([]);
  });
});

describe('ports and waiting', () => {
  test('freePortCanBeBound', async () => {
    const port = await freePort();
    const server = net.createServer();
    await new Promise<void>((resolve, reject) =>
      server.once('error', reject).listen(port, '127.0.0.1', resolve),
    );
    expect(await isPortOpen(port)).toBe(true);
    await new Promise((resolve) => server.close(resolve));
  });

  test('waitForReturnsTheValueOrNamesWhatTimedOut', async () => {
    let calls = 0;
    expect(await waitFor(() => (++calls >= 3 ? 'ready' : null), { intervalMs: 1, what: 'three calls' })).toBe(
      'ready',
    );
    await expect(waitFor(() => false, { timeoutMs: 100, what: 'pigs to fly' })).rejects.toThrow(
      'Timed out after 100 ms waiting for pigs to fly',
    );
    await expect(
      waitFor(
        () => {
          throw new Error('not yet');
        },
        { timeoutMs: 50, what: 'a throwing condition' },
      ),
    ).rejects.toThrow(/a throwing condition \(last error: not yet\)/);
  });
});
