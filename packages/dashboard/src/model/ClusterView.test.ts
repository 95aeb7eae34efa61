import { buildClusterView, metricsUrlOf, partitionStateOf, type ClusterViewInput } from './ClusterView';
import type { BrokerProbe, PartitionSnapshot, RegisteredBroker, ZkSnapshot } from './snapshots';
import type { SeriesView } from './viewModel';

const NOW = 1_700_000_000_000;
const EMPTY_SERIES: SeriesView = {
  timesMs: [],
  bytesInPerSec: [],
  bytesOutPerSec: [],
  messagesInPerSec: [],
  produceP99Ms: [],
  fetchP99Ms: [],
};

function broker(id: number, jmxPort = 9990 + id): RegisteredBroker {
  return { id, host: '127.0.0.1', port: 9092 + id, rack: null, jmxPort };
}

function partition(
  topic: string,
  p: number,
  replicas: number[],
  leader: number,
  isr: number[],
): PartitionSnapshot {
  return { topic, partition: p, replicas, leader, leaderEpoch: 0, isr };
}

function zkSnapshot(overrides: Partial<ZkSnapshot> = {}): ZkSnapshot {
  return {
    readAtMs: NOW,
    brokers: [broker(0), broker(1), broker(2)],
    controllerId: 1,
    controllerEpoch: 4,
    topics: [
      {
        name: 'orders',
        partitions: [
          partition('orders', 0, [0, 1, 2], 0, [0, 1, 2]),
          partition('orders', 1, [1, 2, 0], 1, [1, 2, 0]),
        ],
      },
    ],
    topicsMarkedForDeletion: [],
    ...overrides,
  };
}

function okProbe(brokerId: number): BrokerProbe {
  return {
    ok: true,
    brokerId,
    atMs: NOW,
    status: {
      brokerId,
      version: '0.1.0',
      startTimeMs: NOW - 60_000,
      uptimeMs: 60_000,
      isController: brokerId === 1,
      controllerEpoch: 4,
      rssBytes: 100 << 20,
      heapUsedBytes: 50 << 20,
      listeners: [`PLAINTEXT://127.0.0.1:${9092 + brokerId}`],
      zkSessionState: 'CONNECTED',
    },
    metrics: {
      bytesInTotal: 1000,
      bytesOutTotal: 2000,
      messagesInTotal: 10,
      requestsTotal: 50,
      produceP99Ms: 3,
      fetchP99Ms: 500,
    },
  };
}

function input(overrides: Partial<ClusterViewInput> = {}): ClusterViewInput {
  const zk = zkSnapshot();
  return {
    nowMs: NOW,
    zkConnect: '127.0.0.1:2181',
    zk: { value: zk, lastOkMs: NOW, error: null },
    knownBrokers: new Map(zk.brokers.map((b) => [b.id, b])),
    probes: new Map([0, 1, 2].map((id) => [id, okProbe(id)])),
    rates: new Map([[0, { bytesInPerSec: 10, bytesOutPerSec: 20, messagesInPerSec: 1, requestsPerSec: 5 }]]),
    groups: { value: { readAtMs: NOW, groups: [] }, lastOkMs: NOW, error: null },
    series: EMPTY_SERIES,
    events: [],
    ...overrides,
  };
}

describe('ClusterView', () => {
  test('healthyClusterIsOkWithEveryBrokerUpAndTheControllerMarked', () => {
    const view = buildClusterView(input());
    expect(view.health).toBe('ok');
    expect(view.alerts).toEqual([]);
    expect(view.brokers.map((b) => [b.id, b.state, b.isController])).toEqual([
      [0, 'up', false],
      [1, 'up', true],
      [2, 'up', false],
    ]);
    expect(view.controller).toEqual({ brokerId: 1, epoch: 4 });
    expect(view.totals).toMatchObject({
      brokersUp: 3,
      brokers: 3,
      topics: 1,
      partitions: 2,
      underReplicated: 0,
      offline: 0,
    });
    const b0 = view.brokers[0];
    expect(b0).toMatchObject({
      endpoint: '127.0.0.1:9092',
      metricsUrl: 'http://127.0.0.1:9990',
      version: '0.1.0',
      uptimeMs: 60_000,
      rssBytes: 100 << 20,
      requestsPerSec: 5,
      bytesInPerSec: 10,
      leaderCount: 1,
      replicaCount: 2,
    });
  });

  test('eachBrokersOpenTransactionsAreShownAndOneOpenPastTheMaxTimeoutIsAWarning', () => {
    const withTxns = (id: number, open: number, oldestOpenAgeMs: number): BrokerProbe =>
      ({
        ...okProbe(id),
        transactions: { open, oldestOpenAgeMs },
      }) as BrokerProbe;
    const view = buildClusterView(
      input({
        probes: new Map([
          [0, withTxns(0, 3, 12_000)],
          [1, withTxns(1, 1, 16 * 60 * 1000)],
          [2, okProbe(2)],
        ]),
      }),
    );
    expect(view.brokers.map((b) => [b.id, b.openTransactions, b.oldestOpenTransactionAgeMs])).toEqual([
      [0, 3, 12_000],
      [1, 1, 960_000],
      [2, null, null],
    ]);
    expect(view.health).toBe('warning');
    expect(view.alerts.map((a) => a.text)).toEqual([
      'Broker 1 has a transaction open for 960 s (longer than transaction.max.timeout.ms allows: hanging?)',
    ]);
  });

  test('lostBrokerIsDownAndItsPartitionsUnderReplicatedOrOffline', () => {
    // Broker 0 deregistered: partition 0 still names it leader (not yet re-elected) and keeps it in
    // the ISR; partition 1 already shrank its ISR.
    const zk = zkSnapshot({
      brokers: [broker(1), broker(2)],
      topics: [
        {
          name: 'orders',
          partitions: [
            partition('orders', 0, [0, 1, 2], 0, [0, 1, 2]),
            partition('orders', 1, [1, 2, 0], 1, [1, 2]),
          ],
        },
      ],
    });
    const view = buildClusterView(
      input({
        zk: { value: zk, lastOkMs: NOW, error: null },
        probes: new Map([
          [1, okProbe(1)],
          [2, okProbe(2)],
        ]),
      }),
    );
    const b0 = view.brokers.find((b) => b.id === 0)!;
    expect(b0.state).toBe('down');
    expect(b0.registered).toBe(false);
    expect(b0.endpoint).toBe('127.0.0.1:9092');
    expect(b0.version).toBeNull();
    expect(view.partitions.map((p) => [p.partition, p.state, p.outOfSync])).toEqual([
      [0, 'offline', []],
      [1, 'under-replicated', [0]],
    ]);
    expect(view.topics[0]).toMatchObject({ state: 'offline', underReplicated: 1, offline: 1 });
    expect(view.health).toBe('critical');
    expect(view.alerts.map((a) => a.text)).toEqual(
      expect.arrayContaining([
        'Broker 0 is down (not registered)',
        '1 offline partition',
        '1 under-replicated partition',
      ]),
    );
  });

  test('aBrokerOnlyNamedAsAReplicaGetsADownRowWithoutEndpoint', () => {
    const zk = zkSnapshot({
      topics: [{ name: 't', partitions: [partition('t', 0, [1, 7], 1, [1])] }],
    });
    const view = buildClusterView(
      input({ zk: { value: zk, lastOkMs: NOW, error: null }, knownBrokers: new Map() }),
    );
    const b7 = view.brokers.find((b) => b.id === 7)!;
    expect(b7).toMatchObject({ state: 'down', endpoint: null, metricsUrl: null });
  });

  test('registeredBrokerWhoseEndpointFailsIsUnresponsiveAndAWarning', () => {
    const probes = new Map<number, BrokerProbe>([
      [0, okProbe(0)],
      [1, { ok: false, brokerId: 1, atMs: NOW, error: 'connection refused' }],
      [2, okProbe(2)],
    ]);
    const view = buildClusterView(input({ probes }));
    const b1 = view.brokers.find((b) => b.id === 1)!;
    expect(b1).toMatchObject({
      state: 'unresponsive',
      metricsError: 'connection refused',
      isController: true,
    });
    expect(view.health).toBe('warning');
    expect(view.totals.brokersUp).toBe(2);
  });

  test('brokerWithoutMetricsEndpointIsUpOnItsRegistration', () => {
    const zk = zkSnapshot({ brokers: [broker(0, -1), broker(1, 0), broker(2)] });
    const view = buildClusterView(
      input({ zk: { value: zk, lastOkMs: NOW, error: null }, probes: new Map() }),
    );
    expect(view.brokers.map((b) => [b.state, b.metricsUrl])).toEqual([
      ['up', null],
      ['up', null],
      ['up', 'http://127.0.0.1:9992'],
    ]);
  });

  test('partitionWithoutLeaderIsOfflineEvenWithAFullIsr', () => {
    const alive = new Set([0, 1, 2]);
    expect(partitionStateOf(partition('t', 0, [0, 1], -1, [0, 1]), alive)).toBe('offline');
    expect(partitionStateOf(partition('t', 0, [0, 1], 5, [5]), alive)).toBe('offline');
    expect(partitionStateOf(partition('t', 0, [0, 1], 0, [0]), alive)).toBe('under-replicated');
    expect(partitionStateOf(partition('t', 0, [0, 1], 0, [1, 0]), alive)).toBe('ok');
  });

  test('zooKeeperFailureKeepsTheLastDataAndIsCritical', () => {
    const view = buildClusterView(
      input({
        nowMs: NOW + 12_000,
        zk: { value: zkSnapshot(), lastOkMs: NOW, error: 'ZooKeeper: no answer within 5000 ms' },
      }),
    );
    expect(view.zookeeper).toMatchObject({ ok: false, lastOkMs: NOW });
    expect(view.partitions).toHaveLength(2);
    expect(view.health).toBe('critical');
    expect(view.alerts[0].text).toBe(
      'ZooKeeper unreachable: ZooKeeper: no answer within 5000 ms; showing data 12 s old',
    );
  });

  test('nothingReadYetIsUnknownNotHealthy', () => {
    const view = buildClusterView(
      input({ zk: { value: null, lastOkMs: null, error: null }, knownBrokers: new Map(), probes: new Map() }),
    );
    expect(view.health).toBe('unknown');
    expect(view.brokers).toEqual([]);
    expect(view.controller).toEqual({ brokerId: null, epoch: null });
  });

  test('noControllerIsCritical', () => {
    const zk = zkSnapshot({ controllerId: null });
    const view = buildClusterView(input({ zk: { value: zk, lastOkMs: NOW, error: null } }));
    expect(view.health).toBe('critical');
    expect(view.alerts.map((a) => a.text)).toContain('No active controller');
    expect(view.brokers.every((b) => !b.isController)).toBe(true);
  });

  test('topicsAreMarkedInternalAndBeingDeleted', () => {
    const zk = zkSnapshot({
      topics: [
        { name: '__consumer_offsets', partitions: [partition('__consumer_offsets', 0, [0], 0, [0])] },
        { name: 'old', partitions: [partition('old', 0, [1, 2], 1, [1, 2])] },
      ],
      topicsMarkedForDeletion: ['old'],
    });
    const view = buildClusterView(input({ zk: { value: zk, lastOkMs: NOW, error: null } }));
    expect(view.topics.map((t) => [t.name, t.internal, t.markedForDeletion, t.replicationFactor])).toEqual([
      ['__consumer_offsets', true, false, 1],
      ['old', false, true, 2],
    ]);
  });

  test('groupsErrorIsAWarningAndKeepsTheLastGroups', () => {
    const group = {
      groupId: 'g',
      state: 'Stable',
      protocolType: 'consumer',
      protocol: 'range',
      members: [],
      totalLag: 3,
      partitions: [],
      error: null,
    };
    const view = buildClusterView(
      input({
        groups: { value: { readAtMs: NOW - 5000, groups: [group] }, lastOkMs: NOW - 5000, error: 'timeout' },
      }),
    );
    expect(view.groups).toMatchObject({ status: 'error', error: 'timeout', lastOkMs: NOW - 5000 });
    expect(view.groups.groups).toHaveLength(1);
    expect(view.health).toBe('warning');
  });

  test('groupsNeverReadableAreAGreyNoteThatLeavesHealthAlone', () => {
    const view = buildClusterView(
      input({
        groups: {
          value: null,
          lastOkMs: null,
          error: 'The Kafka server does not support the requested API version',
        },
      }),
    );
    expect(view.alerts).toEqual([
      {
        severity: 'unknown',
        text: 'Consumer groups unavailable: The Kafka server does not support the requested API version',
      },
    ]);
    expect(view.health).toBe('ok');
    expect(view.groups.status).toBe('error');
  });

  test('metricsUrlBracketsIpv6AndDefaultsAnEmptyHost', () => {
    expect(metricsUrlOf({ ...broker(0), host: '::1', jmxPort: 7000 })).toBe('http://[::1]:7000');
    expect(metricsUrlOf({ ...broker(0), host: '', jmxPort: 7000 })).toBe('http://127.0.0.1:7000');
    expect(metricsUrlOf({ ...broker(0), jmxPort: -1 })).toBeNull();
  });
});
