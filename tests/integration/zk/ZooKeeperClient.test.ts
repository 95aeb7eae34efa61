import { ZooKeeperClient, ZooKeeperClientClosedError, ZooKeeperClientTimeoutError } from '@samsa/zk';
import {
  exists,
  expireSession,
  freePort,
  waitFor,
  withTimeout,
  type ZkClient,
  type ZooKeeperHandle,
} from '../../harness';
import { zooKeeperSuite, freshChroot, quietLogger, rootClient } from './support';

jest.setTimeout(30_000);

let zk: ZooKeeperHandle;
const cleanups = zooKeeperSuite('zookeeper zk/ZooKeeperClient.test', (handle) => (zk = handle));

async function client({ chroot = freshChroot(), sessionTimeoutMs = 6000 } = {}): Promise<ZooKeeperClient> {
  const root = await ZooKeeperClient.connect(zk.connectString, {
    sessionTimeoutMs: 6000,
    logger: quietLogger,
  });
  await root.create(chroot, null);
  await root.close();
  const c = await ZooKeeperClient.connect(`${zk.connectString}${chroot}`, {
    sessionTimeoutMs,
    spinDelayMs: 100,
    logger: quietLogger,
  });
  return cleanups.add(() => c.close(), c);
}

function counter(): { count: number; bump: () => void } {
  const c = { count: 0, bump: () => (c.count += 1) };
  return c;
}

describe('requests', () => {
  test('zooKeeperErrorsComeBackAsTypedCodes', async () => {
    const c = await client();
    expect((await c.getData('/missing')).code).toBe('NONODE');
    expect((await c.create('/a', Buffer.from('x'))).code).toBe('OK');
    expect((await c.create('/a', null)).code).toBe('NODEEXISTS');
    expect((await c.setData('/a', Buffer.from('y'), 7)).code).toBe('BADVERSION');
    expect((await c.create('/a/b', null)).code).toBe('OK');
    expect((await c.delete('/a', -1)).code).toBe('NOTEMPTY');
    const got = await c.getData('/a');
    expect(got).toMatchObject({ code: 'OK', path: '/a', data: Buffer.from('x') });
    expect(got.stat!.version).toBe(0);
    expect((await c.exists('/a/b')).stat!.dataLength).toBe(0);
    expect((await c.getChildren('/a')).children).toEqual(['b']);
  });

  test('sequentialCreateReturnsTheNameZooKeeperChose', async () => {
    const c = await client();
    await c.create('/seq', null);
    const first = await c.create('/seq/n_', null, 'PERSISTENT_SEQUENTIAL');
    const second = await c.create('/seq/n_', null, 'PERSISTENT_SEQUENTIAL');
    expect([first.name, second.name]).toEqual(['/seq/n_0000000000', '/seq/n_0000000001']);
  });

  test('multiIsAllOrNothingAndNamesTheFailingOp', async () => {
    const c = await client();
    const failed = await c.multi([
      { type: 'create', path: '/m', data: null, mode: 'PERSISTENT' },
      { type: 'check', path: '/nothing-here', version: 0 },
    ]);
    expect(failed.code).toBe('NONODE');
    expect(failed.results!.map((r) => r.code)).toEqual(['OK', 'NONODE']);
    expect((await c.exists('/m')).code).toBe('NONODE');
    const ok = await c.multi([
      { type: 'create', path: '/m', data: null, mode: 'PERSISTENT' },
      { type: 'setData', path: '/m', data: Buffer.from('v1'), version: 0 },
    ]);
    expect(ok.code).toBe('OK');
    expect(ok.results![0].name).toBe('/m');
    expect(ok.results![1].stat!.version).toBe(1);
  });

  test('aCheckForVersionZeroIsReallyChecked', async () => {
    // node-zookeeper-client's own Transaction.check() turns version 0 into "any version".
    const c = await client();
    await c.create('/v', null);
    await c.setData('/v', Buffer.from('1'), 0);
    const stale = await c.multi([
      { type: 'check', path: '/v', version: 0 },
      { type: 'setData', path: '/v', data: Buffer.from('2'), version: -1 },
    ]);
    expect(stale.code).toBe('BADVERSION');
    expect((await c.getData('/v')).data!.toString()).toBe('1');
  });

  test('connectGivesUpAtTheDeadlineWhenNoServerAnswers', async () => {
    const port = await freePort();
    const started = Date.now();
    await expect(
      ZooKeeperClient.connect(`127.0.0.1:${port}`, {
        connectionTimeoutMs: 500,
        spinDelayMs: 50,
        logger: quietLogger,
      }),
    ).rejects.toBeInstanceOf(ZooKeeperClientTimeoutError);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('closeEndsTheSessionAndRefusesLaterRequests', async () => {
    const c = await client();
    await c.create('/eph', null, 'EPHEMERAL');
    const root = await rootClient(zk, cleanups);
    await c.close();
    expect(c.connectionState).toBe('CLOSED');
    await expect(c.getData('/eph')).rejects.toBeInstanceOf(ZooKeeperClientClosedError);
    // The session ended with the close, so its ephemeral went at once.
    expect(await exists(root, '/eph')).toBeNull();
  });
});

describe('watches', () => {
  test('aDataWatchFiresOnEveryChangeWhileTheOwnerReReads', async () => {
    const c = await client();
    const seen: string[] = [];
    c.registerZNodeChangeHandler('/w', {
      handleCreation: () => void c.getData('/w').then((r) => seen.push(`created ${r.data}`)),
      handleDataChange: () => void c.getData('/w').then((r) => seen.push(`changed ${r.data}`)),
      handleDeletion: () => void c.exists('/w').then((r) => seen.push(`deleted ${r.code}`)),
    });
    expect((await c.exists('/w')).code).toBe('NONODE'); // arms an existence watch
    await c.create('/w', Buffer.from('0'));
    await waitFor(() => seen.length === 1, { what: 'the creation' });
    for (let i = 1; i <= 4; i++) {
      await c.setData('/w', Buffer.from(String(i)), -1);
      await waitFor(() => seen.length === i + 1, { what: `change ${i}` });
    }
    await c.delete('/w', -1);
    await waitFor(() => seen.length === 6, { what: 'the deletion' });
    expect(seen).toEqual(['created 0', 'changed 1', 'changed 2', 'changed 3', 'changed 4', 'deleted NONODE']);
  });

  test('aWatchIsOneShotUntilTheOwnerReadsAgain', async () => {
    const c = await client();
    const calls = counter();
    c.registerZNodeChangeHandler('/once', { handleDataChange: calls.bump });
    await c.create('/once', Buffer.from('a'));
    await c.getData('/once');
    await c.setData('/once', Buffer.from('b'), -1);
    await c.setData('/once', Buffer.from('c'), -1);
    await waitFor(() => calls.count >= 1, { what: 'the first change' });
    await c.getData('/once'); // a round trip: any second notification would have come first
    expect(calls.count).toBe(1);
  });

  test('aChildWatchFiresOnEveryNewChildWhileTheOwnerReReads', async () => {
    const c = await client();
    await c.create('/parent', null);
    const snapshots: string[][] = [];
    c.registerZNodeChildChangeHandler('/parent', {
      handleChildChange: () => void c.getChildren('/parent').then((r) => snapshots.push(r.children.sort())),
    });
    await c.getChildren('/parent');
    for (const child of ['x', 'y', 'z']) {
      await c.create(`/parent/${child}`, null);
      await waitFor(() => snapshots.length === ['x', 'y', 'z'].indexOf(child) + 1, {
        what: `child ${child}`,
      });
    }
    expect(snapshots).toEqual([['x'], ['x', 'y'], ['x', 'y', 'z']]);
  });

  test('readsWithoutARegisteredHandlerArmNoWatch', async () => {
    const c = await client();
    const calls = counter();
    await c.create('/plain', null);
    await c.getData('/plain');
    c.registerZNodeChangeHandler('/plain', { handleDataChange: calls.bump });
    await c.setData('/plain', Buffer.from('x'), -1);
    await c.getData('/plain'); // now armed
    await c.setData('/plain', Buffer.from('y'), -1);
    await waitFor(() => calls.count === 1, { what: 'the armed change' });
    await c.exists('/plain');
    expect(calls.count).toBe(1);
  });
});

describe('session expiry', () => {
  test('expiryEndsEphemeralsAndAFreshSessionIsCreatedAndAnnounced', async () => {
    const c = await client();
    const events: string[] = [];
    c.registerStateChangeHandler({
      name: 'test',
      beforeInitializingSession: () => void events.push('before'),
      afterInitializingSession: async () => {
        events.push('after');
        await c.create('/eph', Buffer.from('again'), 'EPHEMERAL');
        events.push('re-registered');
      },
    });
    c.on('expired', () => events.push('expired'));
    const reinitialized = new Promise<bigint>((resolve) => c.once('reinitialized', resolve));
    await c.create('/eph', Buffer.from('first'), 'EPHEMERAL');
    const oldSession = c.sessionId;

    await expireSession(zk.connectString, c.currentZooKeeper as ZkClient);
    const newSession = await withTimeout(reinitialized, 10_000, 'the new session');

    expect(newSession).not.toBe(oldSession);
    expect(c.sessionId).toBe(newSession);
    expect(c.connectionState).toBe('CONNECTED');
    await waitFor(() => events.includes('re-registered'), { what: 'the ephemeral to be re-created' });
    expect(events).toEqual(['expired', 'before', 'after', 're-registered']);
    const eph = await c.getData('/eph');
    expect(eph.data!.toString()).toBe('again');
    expect(eph.stat!.ephemeralOwner).toBe(newSession);
  });

  test('watchesAreGoneWithTheSessionUntilTheOwnerReArmsThem', async () => {
    const c = await client();
    const calls = counter();
    await c.create('/watched', null);
    c.registerZNodeChangeHandler('/watched', { handleDataChange: calls.bump });
    c.registerStateChangeHandler({
      name: 'rearm',
      afterInitializingSession: () => void c.exists('/watched'),
    });
    await c.exists('/watched');
    const reinitialized = new Promise((resolve) => c.once('reinitialized', resolve));
    await expireSession(zk.connectString, c.currentZooKeeper as ZkClient);
    await withTimeout(reinitialized, 10_000, 'the new session');
    await c.exists('/watched'); // after the re-arm in afterInitializingSession
    await c.setData('/watched', Buffer.from('x'), -1);
    await waitFor(() => calls.count === 1, { what: 'the re-armed watch' });
  });
});

describe('connection loss', () => {
  test('requestsWaitForTheServerAndTheSessionSurvivesARestart', async () => {
    // A server accepting connections while it starts may hold one without answering (ZooKeeper
    // 3.8); the client's read timeout (4 s here) must end that well inside the session timeout.
    const c = await client({ sessionTimeoutMs: 15_000 });
    await c.create('/eph', null, 'EPHEMERAL');
    const session = c.sessionId;
    const events: string[] = [];
    c.on('disconnected', () => events.push('disconnected'));
    c.on('connected', () => events.push('connected'));
    c.on('expired', () => events.push('expired'));

    await zk.kill();
    await waitFor(() => c.connectionState === 'CONNECTING', { what: 'the client to notice' });
    const whileDown = c.getData('/eph'); // queued until a connection exists
    await zk.restart();
    const answer = await withTimeout(whileDown, 15_000, 'the queued request');

    expect(answer.code).toBe('OK');
    expect(c.sessionId).toBe(session);
    expect(events).toEqual(['disconnected', 'connected']);
  });

  test('aServerThatStopsAnsweringIsDroppedAfterTwoThirdsOfTheSessionTimeout', async () => {
    const c = await client({ sessionTimeoutMs: 3000 });
    expect(c.sessionTimeoutNegotiatedMs).toBe(3000);
    const disconnected = new Promise<number>((resolve) => c.once('disconnected', () => resolve(Date.now())));
    const pausedAt = Date.now();
    zk.pause();
    try {
      const elapsed =
        (await withTimeout(disconnected, 6000, 'the client to give up on the paused server')) - pausedAt;
      expect(elapsed).toBeGreaterThanOrEqual(1500);
      expect(elapsed).toBeLessThan(4000);
    } finally {
      zk.resume();
    }
    // Same session if it reconnects in time, a new one otherwise: either way it works again.
    await waitFor(async () => (await c.exists('/')).code === 'OK', {
      timeoutMs: 10_000,
      what: 'requests to work again',
    });
  });
});
