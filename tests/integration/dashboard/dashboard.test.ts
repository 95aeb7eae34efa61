import { Kafka, logLevel } from 'kafkajs';
import type { Browser, Page } from 'playwright-core';
import { startCluster, type ClusterHandle } from '../../harness/broker';
import { startDashboard, type DashboardHandle } from '../../harness/dashboard';
import { count, launchChromium, step, until } from './support';

/**
 * The dashboard as an operator sees it: samsa-dashboard against a real 3-broker cluster (brokers
 * with metrics endpoints, jmx.port=0), the page in headless Chromium. A healthy cluster shows every
 * broker up, the controller and a topic's partitions; after kill -9 of a broker the page shows it
 * down, its partitions under-replicated, and BrokerLost and an offline LeaderElected on the timeline.
 * Screenshots of each step go to tests/artifacts/ on every run.
 */
const TOPIC = 'dash-orders';

jest.setTimeout(240_000);

describe('ops dashboard in a browser', () => {
  let cluster: ClusterHandle | undefined;
  let dashboard: DashboardHandle | undefined;
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
    cluster = await startCluster({ brokers: 3, overrides: { 'jmx.port': 0 } });
    const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 3 }],
        waitForLeaders: true,
      });
    } finally {
      await admin.disconnect();
    }
    dashboard = await startDashboard({ zkConnect: cluster.zkConnect, bootstrap: cluster.bootstrap });
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(dashboard.url);
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
    await cluster?.stop();
  });

  test('a healthy cluster: three brokers up with their metrics, the controller, the topic partitions', async () => {
    await step(page, 'dashboard-healthy', async () => {
      await until('three brokers up', async () => (await count(page, '#brokers tr[data-state="up"]')) === 3);
      await until('every broker with a metrics endpoint and its version', async () => {
        const rows = page.locator('#brokers tr[data-broker-id]');
        const withMetrics = await count(page, '#brokers tr[data-has-metrics="true"]');
        const versions = await rows.locator('td:nth-child(5)').allTextContents();
        return (
          withMetrics === 3 &&
          versions.length === 3 &&
          versions.every((v) => v.trim() !== '–' && v.trim() !== '')
        );
      });
      await until(
        'one controller',
        async () => (await count(page, '#brokers tr[data-controller="true"]')) === 1,
      );
      const controllerRow = await page.getAttribute('#brokers tr[data-controller="true"]', 'data-broker-id');
      const controllerHeader = await page.getAttribute(
        '#controller [data-controller-id]',
        'data-controller-id',
      );
      expect(controllerHeader).toBe(controllerRow);
      await until(
        `${TOPIC}'s three partitions in sync`,
        async () => (await count(page, `#partitions tr[data-topic="${TOPIC}"][data-state="ok"]`)) === 3,
      );
      await until(
        'a ControllerElected event',
        async () => (await count(page, '#events li[data-event-type="ControllerElected"]')) > 0,
      );
      expect(await page.getAttribute('#health [data-health]', 'data-health')).toBe('ok');
    });
  });

  test('kill -9 of a broker: down, its partitions under-replicated, BrokerLost and LeaderElected on the timeline', async () => {
    const controllerId = Number(
      await page.getAttribute('#brokers tr[data-controller="true"]', 'data-broker-id'),
    );
    const leaders = (
      await page
        .locator(`#partitions tr[data-topic="${TOPIC}"]`)
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-leader')))
    ).map(Number);
    // A broker that leads a partition but is not the controller: its loss needs a leader election.
    const victim =
      leaders.find((l) => l !== controllerId) ??
      cluster!.brokers.map((b) => b.brokerId).find((id) => id !== controllerId)!;
    await cluster!.broker(victim).kill();

    await step(page, 'dashboard-broker-down', async () => {
      await until(
        `broker ${victim} down`,
        async () => (await count(page, `#brokers tr[data-broker-id="${victim}"][data-state="down"]`)) === 1,
      );
      await until(
        `${TOPIC}'s partitions under-replicated`,
        async () =>
          (await count(page, `#partitions tr[data-topic="${TOPIC}"][data-state="under-replicated"]`)) === 3,
      );
      await until(`a BrokerLost event naming broker ${victim}`, async () => {
        // The lost broker's id is in the event's text or its other fields, not in its brokerId (the controller's).
        const details = await page
          .locator('#events li[data-event-type="BrokerLost"]')
          .locator('.ev-detail, .ev-fields')
          .allTextContents();
        return details.some((d) => new RegExp(`\\b${victim}\\b`).test(d));
      });
      await until(
        `an offline LeaderElected event for ${TOPIC}`,
        async () =>
          (await count(
            page,
            `#events li[data-event-type="LeaderElected"][data-reason="offline"][data-topic="${TOPIC}"]`,
          )) > 0,
      );
      expect(await page.getAttribute('#health [data-health]', 'data-health')).toBe('critical');
      const brokersTile = await page.textContent('[data-tile="brokers"] .tile-value');
      expect(brokersTile?.replace(/\s/g, '')).toBe('2/3');
    });
  });
});
