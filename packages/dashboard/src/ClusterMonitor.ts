import { readGroups, type GroupsAdmin } from './collect/GroupsReader';
import type { HttpRequester } from './collect/http';
import { MetricsPoller } from './collect/MetricsPoller';
import { SingleFlight } from './collect/SingleFlight';
import { readZkSnapshot, type ZkSource } from './collect/ZkReader';
import { buildClusterView, metricsUrlOf } from './model/ClusterView';
import { EventLog } from './model/EventLog';
import { MetricHistory } from './model/MetricHistory';
import type { BrokerProbe, Collected, GroupsSnapshot, RegisteredBroker, ZkSnapshot } from './model/snapshots';
import type { ClusterViewModel } from './model/viewModel';

export interface ClusterMonitorOptions {
  /** Shown on the page. */
  readonly zkConnect: string;
  /** Opens a read-only ZooKeeper client (KafkaZkClient.connect in the product). */
  readonly connectZk: () => Promise<ZkSource>;
  /**
   * Opens the Admin calls of the groups view (Samsa's client), given the brokers registered in ZooKeeper now (seed them rather than a
   * bootstrap broker that may be dead); null: no bootstrap servers, no groups.
   */
  readonly connectAdmin: ((registered: readonly string[]) => Promise<GroupsAdmin>) | null;
  readonly http: HttpRequester;
  /** How the brokers' metrics endpoints are reached; default http. */
  readonly metricsScheme?: 'http' | 'https';
  /** One round (ZooKeeper, then every broker's endpoint) per interval. Default 1000. */
  readonly intervalMs?: number;
  readonly groupsIntervalMs?: number;
  /** Deadline of one ZooKeeper round, and of connecting. Default 5000. */
  readonly zkTimeoutMs?: number;
  /** Deadline of each metrics endpoint request. Default 1500. */
  readonly requestTimeoutMs?: number;
  readonly groupsTimeoutMs?: number;
  /** Keep this much history. Default 10 minutes. */
  readonly historyMs?: number;
  /** Events sent in the view (the log keeps more). Default 500. */
  readonly eventsInView?: number;
  readonly nowMs?: () => number;
  /** Where collector failures are reported (once per change of error). Default: nowhere. */
  readonly log?: (line: string) => void;
}

type ViewListener = (view: ClusterViewModel) => void;

const pending = <T>(): Collected<T> => ({ value: null, lastOkMs: null, error: null });

/**
 * Owns the collectors and what they last saw: polls ZooKeeper and every registered broker's
 * metrics endpoint each round, the consumer groups on their own slower loop, keeps the metric
 * history and the merged event log, and rebuilds the view (ClusterView) after each. A failing
 * source marks its part of the view; nothing a source does stops the loop.
 */
export class ClusterMonitor {
  private readonly nowMs: () => number;
  private readonly poller: MetricsPoller;
  private readonly history: MetricHistory;
  private readonly events = new EventLog();
  private readonly zkFlight = new SingleFlight<ZkSnapshot>('ZooKeeper');
  private readonly zkConnectFlight = new SingleFlight<ZkSource>('connecting to ZooKeeper');
  private readonly groupsFlight = new SingleFlight<GroupsSnapshot>('consumer groups');
  private readonly adminFlight = new SingleFlight<GroupsAdmin>('connecting to the brokers');
  private zkSource: ZkSource | null = null;
  private admin: GroupsAdmin | null = null;
  private zk: Collected<ZkSnapshot> = pending();
  private groups: Collected<GroupsSnapshot> = pending();
  private readonly knownBrokers = new Map<number, RegisteredBroker>();
  private probes = new Map<number, BrokerProbe>();
  private current: ClusterViewModel;
  private readonly listeners = new Set<ViewListener>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = false;
  private readonly lastLogged = new Map<string, string>();

  constructor(private readonly options: ClusterMonitorOptions) {
    this.nowMs = options.nowMs ?? Date.now;
    this.poller = new MetricsPoller(options.http, {
      timeoutMs: options.requestTimeoutMs ?? 1500,
      nowMs: this.nowMs,
    });
    this.history = new MetricHistory(options.historyMs);
    this.current = this.rebuild();
  }

  view(): ClusterViewModel {
    return this.current;
  }

  /** Calls `listener` with every new view; returns the unsubscribe function. */
  subscribe(listener: ViewListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop(() => this.pollRound(), this.options.intervalMs ?? 1000);
    if (this.options.connectAdmin !== null)
      this.loop(() => this.pollGroups(), this.options.groupsIntervalMs ?? 2000);
  }

  stop(): void {
    this.running = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** One round: ZooKeeper, then each registered broker's endpoint (status, metrics, new events). */
  async pollRound(): Promise<void> {
    await this.pollZooKeeper();
    const brokers = this.zk.value?.brokers ?? [];
    const probes = await Promise.all(
      brokers.flatMap((b) => {
        const url = metricsUrlOf(b, this.options.metricsScheme);
        return url === null ? [] : [this.pollBroker(b.id, url)];
      }),
    );
    this.probes = new Map(probes.map((p) => [p.brokerId, p]));
    this.history.record(this.nowMs(), probes);
    this.publish();
  }

  async pollGroups(): Promise<void> {
    const timeoutMs = this.options.groupsTimeoutMs ?? 10_000;
    try {
      // A connect that finishes after its wait timed out is kept, not opened again.
      const registered = (this.zk.value?.brokers ?? []).filter((b) => b.host !== '').map((b) => `${b.host}:${b.port}`);
      const connect = () => this.options.connectAdmin!(registered).then((a) => (this.admin = a));
      const admin = this.admin ?? (await this.adminFlight.run(connect, timeoutMs));
      const value = await this.groupsFlight.run(() => readGroups(admin, this.nowMs), timeoutMs);
      this.groups = { value, lastOkMs: value.readAtMs, error: null };
      this.report('groups', null);
    } catch (error) {
      // The client keeps the brokers of its last Metadata and lists groups on each of them: after a
      // broker is lost, connect afresh (seeded from ZooKeeper) so the next read asks the live ones.
      this.admin = null;
      this.groups = { ...this.groups, error: message(error) };
      this.report('groups', message(error));
    }
    this.publish();
  }

  private async pollZooKeeper(): Promise<void> {
    const timeoutMs = this.options.zkTimeoutMs ?? 5000;
    try {
      const connect = () => this.options.connectZk().then((s) => (this.zkSource = s));
      const source = this.zkSource ?? (await this.zkConnectFlight.run(connect, timeoutMs));
      const value = await this.zkFlight.run(() => readZkSnapshot(source, this.nowMs), timeoutMs);
      for (const b of value.brokers) this.knownBrokers.set(b.id, b);
      this.zk = { value, lastOkMs: value.readAtMs, error: null };
      this.report('zookeeper', null);
    } catch (error) {
      this.zk = { ...this.zk, error: message(error) };
      this.report('zookeeper', message(error));
    }
  }

  private async pollBroker(brokerId: number, url: string): Promise<BrokerProbe> {
    const probe = await this.poller.probe(brokerId, url);
    this.report(`broker ${brokerId}`, probe.ok ? null : probe.error);
    if (!probe.ok) return probe;
    const incarnation = probe.status.startTimeMs;
    const since = this.events.since(brokerId, incarnation);
    try {
      this.events.add(brokerId, incarnation, since, await this.poller.events(url, since));
    } catch (error) {
      this.report(`broker ${brokerId} events`, message(error));
    }
    return probe;
  }

  private publish(): void {
    this.current = this.rebuild();
    for (const listener of this.listeners) listener(this.current);
  }

  private rebuild(): ClusterViewModel {
    return buildClusterView({
      nowMs: this.nowMs(),
      zkConnect: this.options.zkConnect,
      zk: this.zk,
      knownBrokers: this.knownBrokers,
      probes: this.probes,
      rates: this.history.rates(),
      groups: this.groups,
      series: this.history.series(),
      events: this.events.newest(this.options.eventsInView ?? 500),
      metricsScheme: this.options.metricsScheme,
    });
  }

  /** Runs `round` now and then again `intervalMs` after each start (later if a round runs long). */
  private loop(round: () => Promise<void>, intervalMs: number): void {
    const run = async (): Promise<void> => {
      const startedMs = Date.now();
      await round().catch((e: unknown) => this.report('round', message(e)));
      if (!this.running) return;
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          void run();
        },
        Math.max(0, intervalMs - (Date.now() - startedMs)),
      );
      this.timers.add(timer);
    };
    void run();
  }

  /** Logs a source's error when it changes, and its recovery. */
  private report(source: string, error: string | null): void {
    const before = this.lastLogged.get(source) ?? null;
    if (before === error) return;
    if (error === null) this.lastLogged.delete(source);
    else this.lastLogged.set(source, error);
    this.options.log?.(error === null ? `${source}: ok again` : `${source}: ${error}`);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
