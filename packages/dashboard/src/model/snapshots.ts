/**
 * What the collectors hand to the model: one snapshot per source, each read at a known time.
 * ClusterView turns the latest of each into the view model.
 */
import type { GroupRow } from './viewModel';

/** A broker as its /brokers/ids/<id> registration describes it. */
export interface RegisteredBroker {
  readonly id: number;
  /** The first listener's host and port (the metrics endpoint binds the same host). */
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
  /** The metrics endpoint's port (registration's jmx_port); -1 or 0: none. */
  readonly jmxPort: number;
}

export interface PartitionSnapshot {
  readonly topic: string;
  readonly partition: number;
  readonly replicas: readonly number[];
  /** From the state znode; -1 and [] when the partition has no state znode yet. */
  readonly leader: number;
  readonly leaderEpoch: number | null;
  readonly isr: readonly number[];
}

/** Everything the dashboard reads from ZooKeeper in one round. */
export interface ZkSnapshot {
  readonly readAtMs: number;
  readonly brokers: readonly RegisteredBroker[];
  readonly controllerId: number | null;
  readonly controllerEpoch: number | null;
  /** Every topic under /brokers/topics with its partitions, sorted by name and partition. */
  readonly topics: ReadonlyArray<{
    readonly name: string;
    readonly partitions: readonly PartitionSnapshot[];
  }>;
  readonly topicsMarkedForDeletion: readonly string[];
}

/** The metrics contract's GET /samsa/status. */
export interface BrokerStatus {
  readonly brokerId: number;
  readonly version: string;
  readonly startTimeMs: number;
  readonly uptimeMs: number;
  readonly isController: boolean;
  readonly controllerEpoch: number | null;
  readonly rssBytes: number | null;
  readonly heapUsedBytes: number | null;
  readonly listeners: readonly string[];
  readonly zkSessionState: string | null;
}

/** Counters (totals since the broker started) and latest percentiles from one broker's Jolokia. */
export interface BrokerMetrics {
  readonly bytesInTotal: number | null;
  readonly bytesOutTotal: number | null;
  readonly messagesInTotal: number | null;
  /** RequestsPerSec Count summed over every request type. */
  readonly requestsTotal: number | null;
  readonly produceP99Ms: number | null;
  readonly fetchP99Ms: number | null;
}

/**
 * Transactions open on the partitions a broker leads (its kafka.log:type=ProducerStateManager
 * gauges); null where the broker has no such gauge.
 */
export interface BrokerTransactions {
  readonly open: number | null;
  readonly oldestOpenAgeMs: number | null;
}

/** One poll of one broker's metrics endpoint. */
export type BrokerProbe =
  | {
      readonly ok: true;
      readonly brokerId: number;
      readonly atMs: number;
      readonly status: BrokerStatus;
      readonly metrics: BrokerMetrics;
      /** Absent from probes made without reading them. */
      readonly transactions?: BrokerTransactions;
    }
  | { readonly ok: false; readonly brokerId: number; readonly atMs: number; readonly error: string };

/** Per-broker rates over the last sample interval (from counter differences). */
export interface BrokerRates {
  readonly bytesInPerSec: number | null;
  readonly bytesOutPerSec: number | null;
  readonly messagesInPerSec: number | null;
  readonly requestsPerSec: number | null;
}

export interface GroupsSnapshot {
  readonly readAtMs: number;
  readonly groups: readonly GroupRow[];
}

/** The latest outcome of a collector: its last good value, and the error of the last read if it failed. */
export interface Collected<T> {
  readonly value: T | null;
  readonly lastOkMs: number | null;
  readonly error: string | null;
}
