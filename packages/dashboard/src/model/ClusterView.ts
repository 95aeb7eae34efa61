import { isInternalTopic } from '@samsa/zk';
import type {
  BrokerProbe,
  BrokerRates,
  Collected,
  GroupsSnapshot,
  PartitionSnapshot,
  RegisteredBroker,
  ZkSnapshot,
} from './snapshots';
import type {
  Alert,
  BrokerRow,
  BrokerState,
  ClusterViewModel,
  PartitionRow,
  PartitionState,
  SeriesView,
  Severity,
  TimelineEvent,
  TopicRow,
} from './viewModel';

/** Everything the view is built from: the latest of each collector's snapshots. */
export interface ClusterViewInput {
  readonly nowMs: number;
  readonly zkConnect: string;
  readonly zk: Collected<ZkSnapshot>;
  /** Every broker seen registered since the dashboard started (so a lost one still has a row). */
  readonly knownBrokers: ReadonlyMap<number, RegisteredBroker>;
  /** The latest probe of each registered broker's metrics endpoint. */
  readonly probes: ReadonlyMap<number, BrokerProbe>;
  readonly rates: ReadonlyMap<number, BrokerRates>;
  readonly groups: Collected<GroupsSnapshot>;
  readonly series: SeriesView;
  /** Newest first. */
  readonly events: readonly TimelineEvent[];
  /** How the brokers' metrics endpoints are reached (samsa.metrics.http.tls.*); default http. */
  readonly metricsScheme?: 'http' | 'https';
}

/** The metrics endpoint of a registration; null when it advertises none (jmx_port -1, or 0 unbound). */
export function metricsUrlOf(broker: RegisteredBroker, scheme: 'http' | 'https' = 'http'): string | null {
  if (broker.jmxPort <= 0) return null;
  const host =
    broker.host === '' ? '127.0.0.1' : broker.host.includes(':') ? `[${broker.host}]` : broker.host;
  return `${scheme}://${host}:${broker.jmxPort}`;
}

/**
 * Partition health as an operator reads it: offline when no leader, or a leader not registered
 * (not alive); under-replicated when the ISR is smaller than the replica set.
 */
export function partitionStateOf(p: PartitionSnapshot, alive: ReadonlySet<number>): PartitionState {
  if (p.leader < 0 || !alive.has(p.leader)) return 'offline';
  if (p.isr.length < p.replicas.length) return 'under-replicated';
  return 'ok';
}

/** Pure: the latest snapshots in, the view model out. */
export function buildClusterView(input: ClusterViewInput): ClusterViewModel {
  const zk = input.zk.value;
  const alive = new Set((zk?.brokers ?? []).map((b) => b.id));
  const partitions = buildPartitions(zk, alive);
  const topics = buildTopics(zk, partitions);
  const brokers = buildBrokers(input, zk, alive, partitions);
  const groups = input.groups;
  const view: Omit<ClusterViewModel, 'health' | 'alerts'> = {
    generatedAtMs: input.nowMs,
    zookeeper: {
      connect: input.zkConnect,
      ok: input.zk.error === null && zk !== null,
      error: input.zk.error,
      lastOkMs: input.zk.lastOkMs,
    },
    controller: { brokerId: zk?.controllerId ?? null, epoch: zk?.controllerEpoch ?? null },
    totals: {
      brokersUp: brokers.filter((b) => b.state === 'up').length,
      brokers: brokers.length,
      topics: topics.length,
      partitions: partitions.length,
      underReplicated: partitions.filter((p) => p.state === 'under-replicated').length,
      offline: partitions.filter((p) => p.state === 'offline').length,
      groups: groups.value?.groups.length ?? 0,
    },
    brokers,
    topics,
    partitions,
    groups: {
      status: groups.error !== null ? 'error' : groups.value === null ? 'pending' : 'ok',
      error: groups.error,
      lastOkMs: groups.lastOkMs,
      groups: groups.value?.groups ?? [],
    },
    series: input.series,
    events: input.events,
  };
  const alerts = buildAlerts(input, view);
  return { ...view, health: healthOf(alerts, zk !== null), alerts };
}

function buildPartitions(zk: ZkSnapshot | null, alive: ReadonlySet<number>): PartitionRow[] {
  if (zk === null) return [];
  return zk.topics.flatMap((t) =>
    t.partitions.map((p) => ({
      topic: p.topic,
      partition: p.partition,
      leader: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicas: p.replicas,
      isr: p.isr,
      outOfSync: p.replicas.filter((r) => !p.isr.includes(r)),
      state: partitionStateOf(p, alive),
    })),
  );
}

function buildTopics(zk: ZkSnapshot | null, partitions: readonly PartitionRow[]): TopicRow[] {
  if (zk === null) return [];
  const deleting = new Set(zk.topicsMarkedForDeletion);
  const byTopic = new Map<string, PartitionRow[]>();
  for (const p of partitions) {
    const list = byTopic.get(p.topic) ?? [];
    list.push(p);
    byTopic.set(p.topic, list);
  }
  return zk.topics.map((t) => {
    const rows = byTopic.get(t.name) ?? [];
    const underReplicated = rows.filter((p) => p.state === 'under-replicated').length;
    const offline = rows.filter((p) => p.state === 'offline').length;
    return {
      name: t.name,
      internal: isInternalTopic(t.name),
      markedForDeletion: deleting.has(t.name),
      partitions: rows.length,
      replicationFactor: Math.max(0, ...rows.map((p) => p.replicas.length)),
      underReplicated,
      offline,
      state: offline > 0 ? 'offline' : underReplicated > 0 ? 'under-replicated' : 'ok',
    };
  });
}

function buildBrokers(
  input: ClusterViewInput,
  zk: ZkSnapshot | null,
  alive: ReadonlySet<number>,
  partitions: readonly PartitionRow[],
): BrokerRow[] {
  const registered = new Map((zk?.brokers ?? []).map((b) => [b.id, b]));
  const ids = new Set<number>([...registered.keys(), ...input.knownBrokers.keys()]);
  for (const p of partitions) for (const r of p.replicas) ids.add(r);
  return [...ids]
    .sort((a, b) => a - b)
    .map((id) => {
      const info = registered.get(id) ?? input.knownBrokers.get(id) ?? null;
      const isRegistered = alive.has(id);
      const metricsUrl = info !== null && isRegistered ? metricsUrlOf(info, input.metricsScheme) : null;
      const probe = isRegistered ? input.probes.get(id) : undefined;
      const ok = probe?.ok === true ? probe : null;
      let state: BrokerState = 'down';
      if (isRegistered)
        state = metricsUrl !== null && probe !== undefined && !probe.ok ? 'unresponsive' : 'up';
      const rates = ok === null ? undefined : input.rates.get(id);
      return {
        id,
        endpoint: info === null ? null : `${info.host}:${info.port}`,
        rack: info?.rack ?? null,
        state,
        registered: isRegistered,
        isController: zk?.controllerId === id,
        metricsUrl,
        metricsError: probe !== undefined && !probe.ok ? probe.error : null,
        version: ok?.status.version ?? null,
        uptimeMs: ok?.status.uptimeMs ?? null,
        rssBytes: ok?.status.rssBytes ?? null,
        zkSessionState: ok?.status.zkSessionState ?? null,
        requestsPerSec: rates?.requestsPerSec ?? null,
        bytesInPerSec: rates?.bytesInPerSec ?? null,
        bytesOutPerSec: rates?.bytesOutPerSec ?? null,
        leaderCount: partitions.filter((p) => p.leader === id).length,
        replicaCount: partitions.filter((p) => p.replicas.includes(id)).length,
        openTransactions: ok?.transactions?.open ?? null,
        oldestOpenTransactionAgeMs: ok?.transactions?.oldestOpenAgeMs ?? null,
      };
    });
}

function buildAlerts(input: ClusterViewInput, view: Omit<ClusterViewModel, 'health' | 'alerts'>): Alert[] {
  const alerts: Alert[] = [];
  const zk = input.zk;
  if (zk.value === null) {
    alerts.push({
      severity: zk.error === null ? 'unknown' : 'critical',
      text: zk.error === null ? 'Reading ZooKeeper…' : `ZooKeeper unreachable: ${zk.error}`,
    });
  } else if (zk.error !== null) {
    alerts.push({
      severity: 'critical',
      text: `ZooKeeper unreachable: ${zk.error}; showing data ${age(input.nowMs, zk.value.readAtMs)} old`,
    });
  }
  if (zk.value !== null && view.controller.brokerId === null)
    alerts.push({ severity: 'critical', text: 'No active controller' });
  for (const b of view.brokers) {
    if (b.state === 'down')
      alerts.push({ severity: 'critical', text: `Broker ${b.id} is down (not registered)` });
    if (b.state === 'unresponsive')
      alerts.push({
        severity: 'warning',
        text: `Broker ${b.id}'s metrics endpoint does not answer: ${b.metricsError}`,
      });
    const txnAgeMs = b.openTransactions ? b.oldestOpenTransactionAgeMs : null;
    if (txnAgeMs !== null && txnAgeMs > HANGING_TRANSACTION_MS)
      alerts.push({
        severity: 'warning',
        text: `Broker ${b.id} has a transaction open for ${age(txnAgeMs, 0)} (longer than transaction.max.timeout.ms allows: hanging?)`,
      });
  }
  const { offline, underReplicated } = view.totals;
  if (offline > 0)
    alerts.push({ severity: 'critical', text: `${offline} offline partition${plural(offline)}` });
  if (underReplicated > 0)
    alerts.push({
      severity: 'warning',
      text: `${underReplicated} under-replicated partition${plural(underReplicated)}`,
    });
  // Groups that were never readable (e.g. brokers without the group APIs) say nothing about health.
  if (view.groups.status === 'error')
    alerts.push({
      severity: view.groups.lastOkMs === null ? 'unknown' : 'warning',
      text: `Consumer groups unavailable: ${view.groups.error}`,
    });
  return alerts;
}

/** The worst problem; unknown only while ZooKeeper has never been read (grey notes do not count). */
function healthOf(alerts: readonly Alert[], zkRead: boolean): Severity {
  if (alerts.some((a) => a.severity === 'critical')) return 'critical';
  if (alerts.some((a) => a.severity === 'warning')) return 'warning';
  return zkRead ? 'ok' : 'unknown';
}

/**
 * No transaction may stay open longer than transaction.max.timeout.ms (Kafka's default 15 min)
 * before its coordinator aborts it: one older than that on a partition is hanging.
 */
const HANGING_TRANSACTION_MS = 15 * 60 * 1000;

const plural = (n: number): string => (n === 1 ? '' : 's');

function age(nowMs: number, thenMs: number): string {
  return `${Math.max(0, Math.round((nowMs - thenMs) / 1000))} s`;
}
