/**
 * The view model: what `/api/view` and `/api/stream` send and the page renders. Plain JSON, no
 * classes, so the page (compiled for the browser) imports these types only. ClusterView builds it.
 */

/** Worst first: the page colours red, amber, grey and green by it. */
export type Severity = 'critical' | 'warning' | 'unknown' | 'ok';

/**
 * up: registered in /brokers/ids and its metrics endpoint answers (or it has none).
 * unresponsive: registered, but its metrics endpoint does not answer.
 * down: known (registered before, or a replica of some partition) but not registered now.
 */
export type BrokerState = 'up' | 'unresponsive' | 'down';

export interface BrokerRow {
  readonly id: number;
  /** "host:port" of the first listener, or null when never seen registered. */
  readonly endpoint: string | null;
  readonly rack: string | null;
  readonly state: BrokerState;
  readonly registered: boolean;
  readonly isController: boolean;
  /** Metrics endpoint URL, null when the broker advertises none (jmx_port -1). */
  readonly metricsUrl: string | null;
  /** Why the metrics endpoint did not answer, when it did not. */
  readonly metricsError: string | null;
  readonly version: string | null;
  readonly uptimeMs: number | null;
  readonly rssBytes: number | null;
  readonly requestsPerSec: number | null;
  readonly bytesInPerSec: number | null;
  readonly bytesOutPerSec: number | null;
  readonly zkSessionState: string | null;
  /** Partitions this broker leads / holds a replica of (from ZooKeeper). */
  readonly leaderCount: number;
  readonly replicaCount: number;
  /** Transactions open on the partitions it leads, and the age of the oldest (null: unknown). */
  readonly openTransactions: number | null;
  readonly oldestOpenTransactionAgeMs: number | null;
}

/** ok; under-replicated: ISR smaller than the replicas; offline: no leader, or a leader not alive. */
export type PartitionState = 'ok' | 'under-replicated' | 'offline';

export interface PartitionRow {
  readonly topic: string;
  readonly partition: number;
  /** -1 when there is none (or no state znode yet). */
  readonly leader: number;
  readonly leaderEpoch: number | null;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** Replicas outside the ISR. */
  readonly outOfSync: readonly number[];
  readonly state: PartitionState;
}

export interface TopicRow {
  readonly name: string;
  readonly internal: boolean;
  readonly markedForDeletion: boolean;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly underReplicated: number;
  readonly offline: number;
  readonly state: PartitionState;
}

export interface GroupPartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** null: nothing committed. */
  readonly committedOffset: number | null;
  readonly logEndOffset: number | null;
  readonly lag: number | null;
}

export interface GroupRow {
  readonly groupId: string;
  readonly state: string;
  readonly protocolType: string;
  readonly protocol: string;
  readonly members: ReadonlyArray<{
    readonly memberId: string;
    readonly clientId: string;
    readonly clientHost: string;
  }>;
  readonly totalLag: number | null;
  readonly partitions: readonly GroupPartitionLag[];
  /** Set when this group's offsets could not be read. */
  readonly error: string | null;
}

export interface GroupsView {
  /** ok; error: the last read failed (rows are from lastOkMs); pending: not read yet. */
  readonly status: 'ok' | 'error' | 'pending';
  readonly error: string | null;
  readonly lastOkMs: number | null;
  readonly groups: readonly GroupRow[];
}

/** One merged controller event (the metrics contract's /samsa/events entry). */
export interface TimelineEvent {
  /** Unique per broker process: brokerId, its start time, and seq. */
  readonly key: string;
  readonly seq: number;
  readonly timeMs: number;
  readonly brokerId: number;
  readonly type: string;
  readonly controllerEpoch: number | null;
  readonly topic: string | null;
  readonly partition: number | null;
  readonly reason: string | null;
  readonly detail: string;
  /** The event's other fields (leader, leaderEpoch, ISRs, …) as text, in the broker's order. */
  readonly fields: ReadonlyArray<readonly [string, string]>;
}

/** Cluster-wide time series, one point per sample; null where no broker answered. */
export interface SeriesView {
  readonly timesMs: readonly number[];
  readonly bytesInPerSec: ReadonlyArray<number | null>;
  readonly bytesOutPerSec: ReadonlyArray<number | null>;
  readonly messagesInPerSec: ReadonlyArray<number | null>;
  readonly produceP99Ms: ReadonlyArray<number | null>;
  readonly fetchP99Ms: ReadonlyArray<number | null>;
}

export interface Alert {
  readonly severity: Severity;
  readonly text: string;
}

export interface ClusterViewModel {
  readonly generatedAtMs: number;
  readonly health: Severity;
  readonly alerts: readonly Alert[];
  readonly zookeeper: {
    readonly connect: string;
    readonly ok: boolean;
    readonly error: string | null;
    /** When the data shown was read. */
    readonly lastOkMs: number | null;
  };
  readonly controller: { readonly brokerId: number | null; readonly epoch: number | null };
  readonly totals: {
    readonly brokersUp: number;
    readonly brokers: number;
    readonly topics: number;
    readonly partitions: number;
    readonly underReplicated: number;
    readonly offline: number;
    readonly groups: number;
  };
  readonly brokers: readonly BrokerRow[];
  readonly topics: readonly TopicRow[];
  readonly partitions: readonly PartitionRow[];
  readonly groups: GroupsView;
  readonly series: SeriesView;
  /** Newest first. */
  readonly events: readonly TimelineEvent[];
}
