import { ClusterMonitor } from './ClusterMonitor';
import type { GroupsAdmin } from './collect/GroupsReader';
import { nodeHttpRequester } from './collect/http';
import type { ClusterViewModel } from './model/viewModel';
import { FakeMetricsEndpoint } from './testing/FakeMetricsEndpoint';
import { FakeZkSource } from './testing/FakeZkSource';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const BYTES_IN = 'kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec';

describe('ClusterMonitor', () => {
  const http = nodeHttpRequester();
  let zk: FakeZkSource;
  let endpoints: FakeMetricsEndpoint[];
  let clock: number;
  let logged: string[];

  beforeEach(async () => {
    clock = 1_700_000_000_000;
    logged = [];
    endpoints = await Promise.all([0, 1, 2].map((id) => FakeMetricsEndpoint.start(id)));
    zk = new FakeZkSource();
    for (const e of endpoints) {
      zk.registerBroker(e.status.brokerId, 9092 + e.status.brokerId, e.port);
      e.mbeans.set(BYTES_IN, { Count: 0 });
    }
    zk.controllerId = 1;
    zk.controllerEpoch = 2;
    zk.createTopic('orders', [
      [0, 1, 2],
      [1, 2, 0],
    ]);
  });

  afterEach(() => Promise.all(endpoints.map((e) => e.close())));
  afterAll(() => http.close());

  function monitor(
    options: { connectAdmin?: (registered: readonly string[]) => Promise<GroupsAdmin>; zkTimeoutMs?: number } = {},
  ): ClusterMonitor {
    return new ClusterMonitor({
      zkConnect: 'zk:2181',
      connectZk: async () => zk,
      connectAdmin: options.connectAdmin ?? null,
      http,
      requestTimeoutMs: 300,
      zkTimeoutMs: options.zkTimeoutMs ?? 1000,
      nowMs: () => clock,
      log: (line) => logged.push(line),
    });
  }

  test('aRoundShowsEveryBrokerUpWithItsStatusAndRates', async () => {
    const m = monitor();
    const views: ClusterViewModel[] = [];
    m.subscribe((v) => views.push(v));
    await m.pollRound();
    for (const e of endpoints) e.mbeans.set(BYTES_IN, { Count: 3000 });
    clock += 1000;
    await m.pollRound();
    const view = m.view();
    expect(views).toHaveLength(2);
    expect(view.health).toBe('ok');
    expect(view.brokers.map((b) => [b.id, b.state, b.isController, b.version])).toEqual([
      [0, 'up', false, '0.1.0'],
      [1, 'up', true, '0.1.0'],
      [2, 'up', false, '0.1.0'],
    ]);
    expect(view.brokers[0].bytesInPerSec).toBe(3000);
    expect(view.series.bytesInPerSec).toEqual([0, 9000].map((v, i) => (i === 0 ? null : v)));
  });

  test('aBrokerWhoseEndpointDiesIsUnresponsiveThenDownWhenItDeregisters', async () => {
    const m = monitor();
    await m.pollRound();
    await endpoints[2].close();
    await m.pollRound();
    expect(m.view().brokers[2]).toMatchObject({ state: 'unresponsive', metricsError: 'connection refused' });
    expect(logged).toContain('broker 2: connection refused');
    // The ZooKeeper session ends: deregistered, out of the ISRs.
    zk.registrations.delete(2);
    zk.setState({ topic: 'orders', partition: 0 }, 0, [0, 1]);
    zk.setState({ topic: 'orders', partition: 1 }, 1, [1, 0]);
    await m.pollRound();
    const view = m.view();
    expect(view.brokers[2]).toMatchObject({ state: 'down', endpoint: '127.0.0.1:9094' });
    expect(view.partitions.map((p) => p.state)).toEqual(['under-replicated', 'under-replicated']);
    expect(view.health).toBe('critical');
  });

  test('eventsOfEveryBrokerAreMergedAndPolledIncrementally', async () => {
    endpoints[1].addEvent({
      timeMs: 100,
      type: 'ControllerElected',
      controllerEpoch: 2,
      detail: 'broker 1 elected',
    });
    endpoints[0].addEvent({
      timeMs: 200,
      type: 'IsrShrunk',
      topic: 'orders',
      partition: 0,
      detail: 'isr 0,1,2 -> 0,1',
    });
    const m = monitor();
    await m.pollRound();
    endpoints[1].addEvent({ timeMs: 300, type: 'BrokerLost', detail: 'broker 2 lost' });
    await m.pollRound();
    expect(m.view().events.map((e) => [e.brokerId, e.type])).toEqual([
      [1, 'BrokerLost'],
      [0, 'IsrShrunk'],
      [1, 'ControllerElected'],
    ]);
    expect(endpoints[1].eventRequests.map((r) => r.since)).toEqual([0, 1]);
  });

  test('zooKeeperFailureKeepsTheLastViewMarkedAndRecovers', async () => {
    const m = monitor();
    await m.pollRound();
    zk.fail = new Error('KeeperErrorCode = ConnectionLoss');
    clock += 1000;
    await m.pollRound();
    let view = m.view();
    expect(view.zookeeper).toMatchObject({ ok: false, error: 'KeeperErrorCode = ConnectionLoss' });
    expect(view.brokers).toHaveLength(3);
    expect(view.health).toBe('critical');
    zk.fail = null;
    await m.pollRound();
    view = m.view();
    expect(view.zookeeper.ok).toBe(true);
    expect(view.health).toBe('ok');
    expect(logged).toEqual(['zookeeper: KeeperErrorCode = ConnectionLoss', 'zookeeper: ok again']);
  });

  test('aHungZooKeeperTimesOutAndIsNotAskedTwice', async () => {
    const m = monitor({ zkTimeoutMs: 100 });
    zk.hang = true;
    let calls = 0;
    const list = zk.getSortedBrokerList.bind(zk);
    zk.getSortedBrokerList = () => {
      calls++;
      return list();
    };
    await m.pollRound();
    await m.pollRound();
    expect(m.view().zookeeper.error).toBe('ZooKeeper: no answer within 100 ms');
    expect(calls).toBe(1);
  });

  test('aFailingZooKeeperConnectIsRetriedNextRound', async () => {
    let attempts = 0;
    const m = new ClusterMonitor({
      zkConnect: 'zk:2181',
      connectZk: async () => {
        if (++attempts === 1) throw new Error('connection timed out');
        return zk;
      },
      connectAdmin: null,
      http,
      nowMs: () => clock,
    });
    await m.pollRound();
    expect(m.view().zookeeper).toMatchObject({ ok: false, error: 'connection timed out' });
    await m.pollRound();
    expect(m.view().zookeeper.ok).toBe(true);
    expect(attempts).toBe(2);
  });

  test('aConnectFinishingAfterItsWaitIsKeptNotOpenedAgain', async () => {
    let attempts = 0;
    let connected: (source: FakeZkSource) => void = () => undefined;
    const m = new ClusterMonitor({
      zkConnect: 'zk:2181',
      connectZk: () => {
        attempts++;
        return new Promise((resolve) => (connected = resolve));
      },
      connectAdmin: null,
      http,
      zkTimeoutMs: 50,
      nowMs: () => clock,
    });
    await m.pollRound();
    expect(m.view().zookeeper.error).toBe('connecting to ZooKeeper: no answer within 50 ms');
    connected(zk);
    await m.pollRound();
    expect(m.view().zookeeper.ok).toBe(true);
    expect(attempts).toBe(1);
  });

  test('groupsErrorsShowInTheViewWithoutStoppingTheRounds', async () => {
    const admin = {
      listGroups: () => Promise.reject(new Error('There is no leader for this topic-partition')),
    } as unknown as GroupsAdmin;
    const m = monitor({ connectAdmin: async () => admin });
    await m.pollGroups();
    await m.pollRound();
    const view = m.view();
    expect(view.groups).toMatchObject({
      status: 'error',
      error: 'There is no leader for this topic-partition',
    });
    expect(view.brokers.every((b) => b.state === 'up')).toBe(true);
  });

  test('aFailedGroupsReadConnectsAfreshSeededWithTheRegisteredBrokers', async () => {
    const seeds: string[][] = [];
    let reads = 0;
    const admin = {
      listGroups: () => (++reads === 1 ? Promise.reject(new Error('connect ECONNREFUSED')) : Promise.resolve({ groups: [] })),
    } as unknown as GroupsAdmin;
    const m = monitor({
      connectAdmin: async (registered: readonly string[]) => {
        seeds.push([...registered]);
        return admin;
      },
    });
    await m.pollRound();
    await m.pollGroups();
    expect(m.view().groups).toMatchObject({ status: 'error' });
    await m.pollGroups();
    expect(m.view().groups.status).not.toBe('error');
    expect(seeds).toHaveLength(2);
    expect(seeds[1].length).toBeGreaterThan(0);
  });

  test('startRunsRoundsUntilStopped', async () => {
    const m = new ClusterMonitor({
      zkConnect: 'zk',
      connectZk: async () => zk,
      connectAdmin: null,
      http,
      intervalMs: 20,
    });
    const views: ClusterViewModel[] = [];
    m.subscribe((v) => views.push(v));
    m.start();
    for (let waitedMs = 0; views.length < 2 && waitedMs < 10_000; waitedMs += 10) await sleep(10);
    m.stop();
    const seen = views.length;
    expect(seen).toBeGreaterThanOrEqual(2);
    await sleep(200);
    // A round already under way may still publish once; none is started after stop().
    expect(views.length).toBeLessThanOrEqual(seen + 1);
  });
});
