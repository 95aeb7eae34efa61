import { topicPartitionKey } from '@samsa/common';
import {
  Gauge,
  MetricName,
  ProcessMetrics,
  type EventJournal,
  type Meter,
  type MetricsRegistry,
  type NamedMetric,
} from '@samsa/metrics';
import type { Log, LogManager } from '@samsa/storage';
import type { ZooKeeperClient } from '@samsa/zk';
import type { SocketServerStats } from '../network/SocketServerStats';
import type { IsrChange, ReplicaManager } from '../replica/ReplicaManager';
import { BrokerTopicStats } from './BrokerTopicStats';
import { registerOpenTransactions } from './OpenTransactions';

/**
 * The broker's own metrics, named as Kafka names them (the controller registers its own):
 *   kafka.server:type=BrokerTopicMetrics   see BrokerTopicStats
 *   kafka.server:type=ReplicaManager       LeaderCount, PartitionCount, OfflineReplicaCount,
 *                                           UnderReplicatedPartitions, UnderMinIsrPartitionCount,
 *                                           AtMinIsrPartitionCount (gauges); IsrShrinksPerSec,
 *                                           IsrExpandsPerSec (meters)
 *   kafka.log:type=Log,topic=T,partition=P LogEndOffset, LogStartOffset, NumLogSegments, Size:
 *                                           gauges of every log the LogManager holds
 *   kafka.cluster:type=Partition,topic=T,partition=P LastStableOffsetLag: the high watermark minus
 *                                           the last stable offset (open transactions hold it)
 *   kafka.server:type=FetchSessionCache    NumIncrementalFetchSessions,
 *                                           NumIncrementalFetchPartitionsCached (gauges);
 *                                           IncrementalFetchSessionEvictionsPerSec (meter)
 *   kafka.log:type=LogManager              OfflineLogDirectoryCount (log dirs taken offline by an
 *                                           I/O error)
 *   kafka.log:type=ProducerStateManager    OngoingTransactionCount, OldestOngoingTransactionAgeMs
 *                                           (Samsa's: transactions open on the partitions led here)
 *   kafka.network:type=SocketServer        NetworkProcessorAvgIdlePercent (the event loop's idle
 *                                           share over the last 5 s), ConnectionCount (Samsa's)
 *   kafka.server:type=socket-server-metrics failed-authentication-total: Kafka's Selector metric
 *                                           (failed TLS handshakes and failed SASL logins; Kafka
 *                                           keeps one per listener and network processor, Samsa
 *                                           one for the broker); successful-authentication-total
 *                                           and successful-reauthentication-total (SASL, KIP-368)
 *   kafka.server:type=SessionExpireListener ZooKeeper{Expires,Disconnects,SyncConnects,AuthFailures,
 *                                           ReadOnlyConnects,SaslAuthentications}PerSec, SessionState
 *   kafka.server:type=ZooKeeperClientMetrics ZooKeeperRequestLatencyMs (histogram)
 *   kafka.server:type=KafkaServer          BrokerState (Kafka's numbers: 1 starting, 3 running,
 *                                           6 pending controlled shutdown, 7 shutting down)
 *   kafka.server:type=Process              the Node process (see ProcessMetrics)
 * RequestMetrics are network/RequestMetrics.
 */
export class BrokerMetrics {
  readonly brokerTopicStats: BrokerTopicStats;
  readonly process: ProcessMetrics;
  private readonly isrShrinks: Meter;
  private readonly isrExpands: Meter;
  private readonly logMetrics = new WeakMap<Log, NamedMetric[]>();
  private readonly cleanups: (() => void)[] = [];

  constructor(
    readonly registry: MetricsRegistry,
    private readonly journal: EventJournal,
  ) {
    this.brokerTopicStats = new BrokerTopicStats(registry);
    this.process = new ProcessMetrics(registry);
    const rm = registry.group('kafka.server', 'ReplicaManager');
    this.isrShrinks = rm.meter('IsrShrinksPerSec', 'shrinks');
    this.isrExpands = rm.meter('IsrExpandsPerSec', 'expands');
  }

  start(): void {
    this.process.start();
  }

  close(): void {
    for (const c of this.cleanups.splice(0)) c();
    this.process.close();
  }

  brokerState(state: () => number): void {
    this.registry.group('kafka.server', 'KafkaServer').gauge('BrokerState', state);
  }

  /** ReplicaManager gauges, counted over its partitions when read. */
  registerReplicaManager(replicaManager: ReplicaManager): void {
    const g = this.registry.group('kafka.server', 'ReplicaManager');
    const leaders = () => replicaManager.leaderPartitions();
    g.gauge('LeaderCount', () => leaders().length);
    g.gauge('PartitionCount', () => replicaManager.allPartitions().length);
    g.gauge('OfflineReplicaCount', () => replicaManager.offlinePartitionCount);
    g.gauge('UnderReplicatedPartitions', () => leaders().filter((p) => p.isr.length < p.assignment.length).length);
    g.gauge('UnderMinIsrPartitionCount', () => leaders().filter((p) => p.isr.length < p.log.config.minInsyncReplicas).length);
    g.gauge('AtMinIsrPartitionCount', () => leaders().filter((p) => p.isr.length === p.log.config.minInsyncReplicas).length);
    registerOpenTransactions(this.registry, leaders);
  }

  /** KIP-227's FetchSessionCache gauges; evictions mark the meter this returns. */
  registerFetchSessionCache(cache: { readonly size: number; readonly totalPartitions: number }): Meter {
    const g = this.registry.group('kafka.server', 'FetchSessionCache');
    g.gauge('NumIncrementalFetchSessions', () => cache.size);
    g.gauge('NumIncrementalFetchPartitionsCached', () => cache.totalPartitions);
    return g.meter('IncrementalFetchSessionEvictionsPerSec', 'evictions');
  }

  /** kafka.coordinator.group GroupMetadataManager NumGroups and NumOffsets. */
  registerGroupMetadataManager(manager: { readonly numGroups: number; readonly numOffsets: number }): void {
    const g = this.registry.group('kafka.coordinator.group', 'GroupMetadataManager');
    g.gauge('NumGroups', () => manager.numGroups);
    g.gauge('NumOffsets', () => manager.numOffsets);
  }

  /** The ReplicaManager's onIsrChange: meters, and the event journal. */
  onIsrChange(change: IsrChange): void {
    (change.kind === 'shrink' ? this.isrShrinks : this.isrExpands).mark(1);
    recordIsrChange(this.journal, change);
  }

  /**
   * kafka.log:type=Log gauges for every log the LogManager holds, enumerated when read: a log's
   * gauges exist from its creation (or load at startup) until it is deleted, with no bookkeeping
   * that could leak. Each log's names are built once.
   */
  registerLogs(logManager: LogManager): void {
    const remove = this.registry.addProvider({
      domain: 'kafka.log',
      type: 'Log',
      metrics: () => {
        const out: NamedMetric[] = [];
        for (const log of logManager.allLogs()) out.push(...this.metricsOfLog(log));
        return out;
      },
    });
    this.cleanups.push(remove);
    this.cleanups.push(
      this.registry.addProvider({
        domain: 'kafka.cluster',
        type: 'Partition',
        metrics: () => logManager.allLogs().map((log) => this.lastStableOffsetLagOf(log)),
      }),
    );
    this.registry
      .group('kafka.log', 'LogManager')
      .gauge('OfflineLogDirectoryCount', () => logManager.offlineLogDirs.length);
  }

  private readonly lsoLagMetrics = new WeakMap<Log, NamedMetric>();

  /** Kafka's Partition gauge LastStableOffsetLag (its name built once per log). */
  private lastStableOffsetLagOf(log: Log): NamedMetric {
    let m = this.lsoLagMetrics.get(log);
    if (m === undefined) {
      const tp = log.topicPartition;
      m = {
        name: MetricName.of('kafka.cluster', 'Partition', 'LastStableOffsetLag', [
          ['topic', tp.topic],
          ['partition', String(tp.partition)],
        ]),
        metric: new Gauge(() => log.lastStableOffsetLag),
      };
      this.lsoLagMetrics.set(log, m);
    }
    return m;
  }

  private metricsOfLog(log: Log): NamedMetric[] {
    let list = this.logMetrics.get(log);
    if (list === undefined) {
      const tp = log.topicPartition;
      const tags = [
        ['topic', tp.topic],
        ['partition', String(tp.partition)],
      ] as const;
      const gauge = (name: string, read: () => number): NamedMetric => ({
        name: MetricName.of('kafka.log', 'Log', name, tags),
        // the provider's own gauge: registering it would keep it after the log is gone
        metric: new Gauge(read),
      });
      list = [
        gauge('LogEndOffset', () => log.logEndOffset),
        gauge('LogStartOffset', () => log.logStartOffset),
        gauge('NumLogSegments', () => log.numberOfSegments),
        gauge('Size', () => log.size),
      ];
      this.logMetrics.set(log, list);
    }
    return list;
  }

  registerSocketServer(stats: SocketServerStats): void {
    const g = this.registry.group('kafka.network', 'SocketServer');
    g.gauge('NetworkProcessorAvgIdlePercent', () => this.process.eventLoopIdleFraction);
    g.gauge('ConnectionCount', () => stats.connectionsActive);
    // operators alert on this one to spot brute force or a misconfigured client
    const auth = this.registry.group('kafka.server', 'socket-server-metrics');
    auth.gauge('failed-authentication-total', () => stats.failedAuthentications);
    auth.gauge('successful-authentication-total', () => stats.successfulAuthentications);
    auth.gauge('successful-reauthentication-total', () => stats.successfulReauthentications);
  }

  /** Kafka's ZooKeeperClient metrics: state meters, session state, request latency. */
  registerZooKeeper(client: ZooKeeperClient): void {
    const listener = this.registry.group('kafka.server', 'SessionExpireListener');
    const meter = (what: string) => listener.meter(`ZooKeeper${what}PerSec`, what.toLowerCase());
    const expires = meter('Expires');
    const disconnects = meter('Disconnects');
    const syncConnects = meter('SyncConnects');
    for (const what of ['AuthFailures', 'ReadOnlyConnects', 'SaslAuthentications']) meter(what);
    listener.gauge('SessionState', () => client.connectionState);
    const latency = this.registry.group('kafka.server', 'ZooKeeperClientMetrics').histogram('ZooKeeperRequestLatencyMs');
    const onExpired = () => expires.mark(1);
    const onDisconnected = () => disconnects.mark(1);
    const onConnected = () => syncConnects.mark(1);
    client.on('expired', onExpired);
    client.on('disconnected', onDisconnected);
    client.on('connected', onConnected);
    client.requestLatencyListener = (ms) => latency.update(ms);
    this.cleanups.push(() => {
      client.off('expired', onExpired);
      client.off('disconnected', onDisconnected);
      client.off('connected', onConnected);
      client.requestLatencyListener = null;
    });
  }
}

/** IsrShrunk / IsrExpanded in the journal of the leader that wrote the change. */
export function recordIsrChange(journal: EventJournal, change: IsrChange): void {
  const verb = change.kind === 'shrink' ? 'shrank' : 'expanded';
  journal.record({
    type: change.kind === 'shrink' ? 'IsrShrunk' : 'IsrExpanded',
    topic: change.topic,
    partition: change.partition,
    leaderEpoch: change.leaderEpoch,
    oldIsr: [...change.oldIsr],
    newIsr: [...change.newIsr],
    detail: `ISR of ${topicPartitionKey(change)} ${verb} from [${change.oldIsr.join(',')}] to [${change.newIsr.join(',')}]`,
  });
}
