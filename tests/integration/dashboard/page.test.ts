import type { Browser, Page } from 'playwright-core';
import { ClusterMonitor, DashboardServer, nodeHttpRequester, type GroupsAdmin } from '@samsa/dashboard';
import { FakeMetricsEndpoint } from '../../../packages/dashboard/src/testing/FakeMetricsEndpoint';
import { FakeZkSource } from '../../../packages/dashboard/src/testing/FakeZkSource';
import { count, launchChromium, step, until } from './support';

/**
 * The page in headless Chromium over a cluster made of fakes: three metrics endpoints that follow
 * the metrics contract (counters that grow, percentiles, event ring buffers), ZooKeeper data, and
 * an Admin API with one lagging group. Checks what the broker-backed test cannot see on its own:
 * metrics in the broker table, graphs drawn, the merged timeline in order, filters that survive
 * live updates, group lag, and a broker whose endpoint stops answering.
 */
jest.setTimeout(120_000);

const REQUESTS = 'kafka.network:type=RequestMetrics,name=RequestsPerSec';
const T0 = Date.now() - 60_000;

function fakeGroupsAdmin(): GroupsAdmin {
  const admin = {
    listGroups: async () => ({ groups: [{ groupId: 'billing', protocolType: 'consumer' }] }),
    describeGroups: async () => ({
      groups: [
        {
          groupId: 'billing',
          state: 'Stable',
          protocol: 'range',
          protocolType: 'consumer',
          members: [{ memberId: 'm1', clientId: 'billing-app', clientHost: '/127.0.0.1' }],
        },
      ],
    }),
    fetchOffsets: async () => [
      { topic: 'orders', partitions: [{ partition: 0, offset: '70', metadata: null }] },
    ],
    fetchTopicOffsets: async () => [{ partition: 0, offset: '100', high: '100', low: '0' }],
  };
  return admin as unknown as GroupsAdmin;
}

describe('dashboard page over fake sources', () => {
  const http = nodeHttpRequester();
  let browser: Browser | undefined;
  let page: Page;
  let endpoints: FakeMetricsEndpoint[] = [];
  let monitor: ClusterMonitor | undefined;
  let server: DashboardServer | undefined;
  let ticker: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    browser = await launchChromium();
    endpoints = await Promise.all([0, 1, 2].map((id) => FakeMetricsEndpoint.start(id)));
    const zk = new FakeZkSource();
    for (const e of endpoints) {
      const id = e.status.brokerId;
      zk.registerBroker(id, 9092 + id, e.port);
      e.status = { ...e.status, version: '0.1.0-test', uptimeMs: 3_725_000, rssBytes: 150 * 1024 * 1024 };
      e.mbeans.set('kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec', { Count: 0 });
      e.mbeans.set('kafka.server:type=BrokerTopicMetrics,name=BytesOutPerSec', { Count: 0 });
      e.mbeans.set('kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec', { Count: 0 });
      e.mbeans.set(`${REQUESTS},request=Produce,version=8`, { Count: 0 });
      e.mbeans.set('kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce', {
        '99thPercentile': 3 + id,
      });
      e.mbeans.set('kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Fetch', {
        '99thPercentile': 500,
      });
    }
    // Counters grow as traffic would: 10 KiB and 100 messages per broker per 100 ms.
    ticker = setInterval(() => {
      for (const e of endpoints) {
        for (const [name, per] of [
          ['BytesInPerSec', 10_240],
          ['BytesOutPerSec', 20_480],
          ['MessagesInPerSec', 100],
        ] as const) {
          const m = e.mbeans.get(`kafka.server:type=BrokerTopicMetrics,name=${name}`)!;
          m.Count = Number(m.Count) + per;
        }
        const r = e.mbeans.get(`${REQUESTS},request=Produce,version=8`)!;
        r.Count = Number(r.Count) + 5;
      }
    }, 100);
    zk.controllerId = 1;
    zk.controllerEpoch = 3;
    zk.createTopic('orders', [
      [0, 1, 2],
      [1, 2, 0],
    ]);
    zk.setState({ topic: 'orders', partition: 1 }, 1, [1, 2], 1);
    endpoints[1].addEvent({
      timeMs: T0,
      type: 'ControllerElected',
      controllerEpoch: 3,
      detail: 'broker 1 became controller',
    });
    endpoints[1].addEvent({
      timeMs: T0 + 1000,
      type: 'LeaderElected',
      topic: 'orders',
      partition: 0,
      reason: 'new-partition',
      detail: 'orders-0 leader 0 epoch 0',
    });
    endpoints[0].addEvent({
      timeMs: T0 + 2000,
      type: 'IsrShrunk',
      topic: 'orders',
      partition: 1,
      detail: 'orders-1 ISR 1,2,0 -> 1,2',
    });
    monitor = new ClusterMonitor({
      zkConnect: 'fake-zk:2181',
      connectZk: async () => zk,
      connectAdmin: async () => fakeGroupsAdmin(),
      http,
      intervalMs: 250,
      groupsIntervalMs: 500,
      requestTimeoutMs: 500,
    });
    server = new DashboardServer(monitor, { port: 0, host: '127.0.0.1' });
    const url = await server.listen();
    monitor.start();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(url);
  });

  afterAll(async () => {
    clearInterval(ticker);
    monitor?.stop();
    await browser?.close();
    await server?.close();
    await Promise.all(endpoints.map((e) => e.close()));
    http.close();
  });

  test('brokers show their status and rates, graphs are drawn, groups show lag', async () => {
    await step(page, 'dashboard-fakes-metrics', async () => {
      await until('three brokers up', async () => (await count(page, '#brokers tr[data-state="up"]')) === 3);
      const row = page.locator('#brokers tr[data-broker-id="1"]');
      await until('broker 1 version, uptime and RSS', async () => {
        const cells = await row.locator('td').allTextContents();
        return cells[4] === '0.1.0-test' && cells[5] === '1h 2m' && cells[6] === '150 MiB';
      });
      expect(await row.getAttribute('data-controller')).toBe('true');
      await until('request and byte rates', async () => {
        const cells = await row.locator('td').allTextContents();
        return /\/s$/.test(cells[7]) && /KiB\/s$/.test(cells[8]) && /KiB\/s$/.test(cells[9]);
      });
      for (const chart of ['bytes', 'messages', 'produce', 'fetch'])
        await until(`the ${chart} graph`, async () => (await count(page, `#chart-${chart} path.line`)) > 0);
      // p99 is the worst broker's: broker 2's 5 ms.
      await until(
        'produce p99',
        async () => (await page.textContent('#chart-produce .legend')) === 'p99 5.0 ms',
      );
      await until('billing lag 30', async () => {
        const cells = await page.locator('#groups tr[data-group="billing"] > td').allTextContents();
        return cells[1] === 'Stable' && cells[2] === '1' && cells[3] === '30';
      });
      expect(await count(page, '#partitions tr[data-topic="orders"][data-state="under-replicated"]')).toBe(1);
    });
  });

  test('the timeline merges every broker newest first, and a filter survives live updates', async () => {
    await step(page, 'dashboard-fakes-timeline', async () => {
      const types = (): Promise<Array<string | null>> =>
        page
          .locator('#events li')
          .evaluateAll((items) => items.map((li) => li.getAttribute('data-event-type')));
      await until('three events', async () => (await types()).length === 3);
      expect(await types()).toEqual(['IsrShrunk', 'LeaderElected', 'ControllerElected']);
      await page.locator('input[data-event-filter="IsrShrunk"]').uncheck();
      endpoints[2].addEvent({
        timeMs: Date.now(),
        type: 'IsrExpanded',
        topic: 'orders',
        partition: 1,
        detail: 'back',
      });
      await until('the new event, the filtered one still hidden', async () => {
        const now = await types();
        return now.length === 3 && now[0] === 'IsrExpanded' && !now.includes('IsrShrunk');
      });
      expect(await page.locator('input[data-event-filter="IsrShrunk"]').isChecked()).toBe(false);
    });
  });

  test('problems-only keeps only the under-replicated partition', async () => {
    await page.locator('#problems-only').check();
    await until('one partition row', async () => (await count(page, '#partitions tr[data-topic]')) === 1);
    expect(await page.getAttribute('#partitions tr[data-topic]', 'data-partition')).toBe('1');
    await page.locator('#problems-only').uncheck();
  });

  test('a broker whose endpoint stops answering is marked, the others stay up', async () => {
    await step(page, 'dashboard-fakes-unresponsive', async () => {
      await endpoints[2].close();
      await until(
        'broker 2 not answering',
        async () => (await count(page, '#brokers tr[data-broker-id="2"][data-state="unresponsive"]')) === 1,
      );
      expect(await count(page, '#brokers tr[data-state="up"]')).toBe(2);
      expect(await page.getAttribute('#health [data-health]', 'data-health')).toBe('warning');
    });
  });
});
