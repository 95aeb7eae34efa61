import { type TopicPartition } from '@samsa/common';
import { ErrorCode, type UpdateMetadataPartitionState, type UpdateMetadataRequestContent } from '@samsa/protocol';

/**
 * The broker's view of the cluster, fed only by the controller's UpdateMetadata requests (every
 * version's layout) and read by Metadata, FindCoordinator, DescribeCluster and the produce/fetch
 * paths. One owner: nothing else writes it.
 */
export interface BrokerEndpoint {
  readonly host: string;
  readonly port: number;
  readonly securityProtocol: number;
}

export interface CachedBroker {
  readonly id: number;
  readonly rack: string | null;
  /** listener name → endpoint */
  readonly endpoints: ReadonlyMap<string, BrokerEndpoint>;
}

/** A partition as the last UpdateMetadata described it. */
export type PartitionState = TopicPartition & Omit<UpdateMetadataPartitionState, 'topicName' | 'partitionIndex'>;

/** Leader value the controller sends for partitions of a topic being deleted. */
export const LEADER_DURING_DELETE = -2;

export interface MetadataPartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
}

export class MetadataCache {
  private brokers = new Map<number, CachedBroker>();
  private readonly partitions = new Map<string, Map<number, PartitionState>>();
  private controllerIdValue = -1;
  /** Bumped on every update, so callers can cache derived views. */
  version = 0;
  /** Called once, by the first UpdateMetadata (whenInitialized). */
  private initializedWaiters: (() => void)[] | null = [];

  constructor(readonly brokerId: number) {}

  /**
   * True once the controller's first UpdateMetadata has been applied. Until then this broker knows
   * no topic and no live broker (a broker just started, or started again): what it would answer is
   * not the cluster's state but its own ignorance.
   */
  get initialized(): boolean {
    return this.initializedWaiters === null;
  }

  /** Resolves when the first UpdateMetadata has been applied (at once if it has). */
  whenInitialized(): Promise<void> {
    const waiters = this.initializedWaiters;
    if (waiters === null) return Promise.resolve();
    return new Promise((resolve) => waiters.push(resolve));
  }

  get controllerId(): number {
    return this.controllerIdValue;
  }

  /**
   * Applies an UpdateMetadata request (read from any version by @samsa/protocol). Returns the partitions it deleted (leader
   * -2), which the caller stops serving.
   */
  updateMetadata(request: UpdateMetadataRequestContent): { deleted: TopicPartition[] } {
    this.controllerIdValue = request.controllerId;
    const brokers = new Map<number, CachedBroker>();
    for (const b of request.liveBrokers) {
      const endpoints = new Map<string, BrokerEndpoint>();
      for (const e of b.endpoints) {
        endpoints.set(e.listener, { host: e.host, port: e.port, securityProtocol: e.securityProtocol });
      }
      brokers.set(b.id, { id: b.id, rack: b.rack, endpoints });
    }
    this.brokers = brokers;

    const deleted: TopicPartition[] = [];
    for (const p of request.partitionStates) {
      const topic = p.topicName;
      if (p.leader === LEADER_DURING_DELETE) {
        const parts = this.partitions.get(topic);
        if (parts?.delete(p.partitionIndex)) deleted.push({ topic, partition: p.partitionIndex });
        if (parts && parts.size === 0) this.partitions.delete(topic);
        continue;
      }
      let parts = this.partitions.get(topic);
      if (!parts) this.partitions.set(topic, (parts = new Map()));
      parts.set(p.partitionIndex, {
        topic,
        partition: p.partitionIndex,
        controllerEpoch: p.controllerEpoch,
        leader: p.leader,
        leaderEpoch: p.leaderEpoch,
        isr: p.isr,
        zkVersion: p.zkVersion,
        replicas: p.replicas,
        offlineReplicas: p.offlineReplicas,
      });
    }
    this.version++;
    const waiters = this.initializedWaiters;
    if (waiters !== null) {
      this.initializedWaiters = null;
      for (const w of waiters) w();
    }
    return { deleted };
  }

  aliveBroker(id: number): CachedBroker | undefined {
    return this.brokers.get(id);
  }

  aliveBrokers(): CachedBroker[] {
    return [...this.brokers.values()].sort((a, b) => a.id - b.id);
  }

  /** Alive brokers that have `listenerName`, with that listener's endpoint. */
  aliveEndpoints(listenerName: string): { id: number; host: string; port: number; rack: string | null }[] {
    const out: { id: number; host: string; port: number; rack: string | null }[] = [];
    for (const b of this.aliveBrokers()) {
      const e = b.endpoints.get(listenerName);
      if (e) out.push({ id: b.id, host: e.host, port: e.port, rack: b.rack });
    }
    return out;
  }

  contains(topic: string): boolean {
    return this.partitions.has(topic);
  }

  allTopics(): string[] {
    return [...this.partitions.keys()].sort();
  }

  partitionCount(topic: string): number {
    return this.partitions.get(topic)?.size ?? 0;
  }

  partitionState(topic: string, partition: number): PartitionState | undefined {
    return this.partitions.get(topic)?.get(partition);
  }

  partitionStates(topic: string): PartitionState[] {
    return [...(this.partitions.get(topic)?.values() ?? [])].sort((a, b) => a.partition - b.partition);
  }

  /**
   * Metadata for one topic's partitions as the given listener sees them (Kafka's
   * getPartitionMetadata): a leader not alive on the listener → LEADER_NOT_AVAILABLE (or
   * LISTENER_NOT_FOUND when the broker is alive without that listener); replicas or ISR members not
   * alive are filtered out and, only when `errorUnavailableEndpoints` (Metadata v0), reported as
   * REPLICA_NOT_AVAILABLE.
   */
  partitionMetadata(topic: string, listenerName: string, errorUnavailableEndpoints: boolean): MetadataPartition[] {
    return this.partitionStates(topic).map((s) => {
      const aliveOnListener = (id: number) => this.brokers.get(id)?.endpoints.has(listenerName) ?? false;
      const replicas = errorUnavailableEndpoints ? s.replicas.filter(aliveOnListener) : [...s.replicas];
      const isr = errorUnavailableEndpoints ? s.isr.filter(aliveOnListener) : [...s.isr];
      const base = {
        partitionIndex: s.partition,
        leaderEpoch: s.leaderEpoch,
        replicaNodes: replicas,
        isrNodes: isr,
        offlineReplicas: [...s.offlineReplicas],
      };
      const leaderBroker = this.brokers.get(s.leader);
      if (!leaderBroker) return { ...base, errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leaderId: -1 };
      if (!leaderBroker.endpoints.has(listenerName)) {
        return { ...base, errorCode: ErrorCode.LISTENER_NOT_FOUND, leaderId: -1 };
      }
      const missing = replicas.length < s.replicas.length || isr.length < s.isr.length;
      return {
        ...base,
        errorCode: missing && errorUnavailableEndpoints ? ErrorCode.REPLICA_NOT_AVAILABLE : ErrorCode.NONE,
        leaderId: s.leader,
      };
    });
  }
}

