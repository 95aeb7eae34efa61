import { ApiKey, ErrorCode, type MetadataResponse, type RequestInputFor, type ResponseFor } from '@samsa/protocol';
import type { ClusterClient } from './ClusterClient';

/** Errors after which Kafka's Admin finds the group coordinator again and retries. */
const COORDINATOR_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
]);

/** How long to wait before asking again (Kafka's retry.backoff.ms). */
const RETRY_BACKOFF_MS = 100;

/** A broker of the cluster, as Kafka's Node. */
export interface AdminNode {
  readonly id: number;
  readonly host: string;
  readonly port: number;
}

/** A broker's refusal that outlived the Admin's retries: the code and the broker's message, if any. */
export class AdminApiError extends Error {
  override readonly name = 'AdminApiError';

  constructor(
    readonly code: number,
    readonly brokerMessage: string | null,
    what: string,
  ) {
    super(`${what} failed with error code ${code}${brokerMessage ? `: ${brokerMessage}` : ''}`);
  }
}

/**
 * Where Kafka's KafkaAdminClient sends each call, over a ClusterClient (the admin tools' and the
 * dashboard's):
 * CreateTopics, DeleteTopics and CreatePartitions to the controller (looked up again and retried
 * after NOT_CONTROLLER), group calls to the group's coordinator (FindCoordinator, then again after
 * NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS or COORDINATOR_NOT_AVAILABLE), ListGroups to every
 * broker, and Metadata to any. Retries stop at the call's deadline, as the Admin's
 * default.api.timeout.ms; the last answer is then returned for the caller to report.
 */
export class AdminClient {
  constructor(
    readonly client: ClusterClient,
    /** The deadline (epoch ms) of the call in progress. */
    private readonly deadlineMs: () => number,
  ) {}

  /** Metadata for `topics` (null: every topic); the cluster's brokers and controller come with it. */
  metadata(topics: readonly string[] | null): Promise<MetadataResponse> {
    return this.client.metadata(topics);
  }

  /** The brokers of the cluster (Kafka's describeCluster().nodes()), by id. */
  async nodes(): Promise<AdminNode[]> {
    const md = await this.metadata([]);
    return md.brokers.map((b) => ({ id: b.nodeId, host: b.host, port: b.port })).sort((a, b) => a.id - b.id);
  }

  /**
   * A request to the controller; while `errorCodes` of the answer include NOT_CONTROLLER (the
   * controller moved) or no controller is known, the metadata is read again and the request sent
   * again, until the deadline.
   */
  async sendToController<K extends number>(
    apiKey: K,
    apiVersion: number,
    body: RequestInputFor<K>,
    errorCodes: (response: ResponseFor<K>) => readonly number[],
  ): Promise<ResponseFor<K>> {
    for (;;) {
      const { controllerId } = await this.metadata([]);
      if (controllerId >= 0) {
        const response = await this.client.sendToNode(controllerId, apiKey, apiVersion, body);
        if (!errorCodes(response).includes(ErrorCode.NOT_CONTROLLER) || Date.now() >= this.deadlineMs()) return response;
      } else if (Date.now() >= this.deadlineMs()) {
        throw new AdminApiError(ErrorCode.NOT_CONTROLLER, null, 'Finding the controller');
      }
      await sleep(RETRY_BACKOFF_MS);
    }
  }

  /** A request to any broker (the first of the metadata's), as Kafka's LeastLoadedNodeProvider picks one. */
  async sendToAnyBroker<K extends number>(apiKey: K, apiVersion: number, body: RequestInputFor<K>): Promise<ResponseFor<K>> {
    const md = await this.metadata([]);
    const any = md.brokers[0];
    if (any === undefined) throw new Error('The cluster has no brokers');
    return this.client.sendToNode(any.nodeId, apiKey, apiVersion, body);
  }

  /** FindCoordinator for a group, retried while the answer is retriable, until the deadline. */
  async findCoordinator(groupId: string): Promise<AdminNode> {
    for (;;) {
      const found = await this.sendToAnyBroker(ApiKey.FindCoordinator, 1, { key: groupId, keyType: 0 });
      if (found.errorCode === ErrorCode.NONE) return { id: found.nodeId, host: found.host, port: found.port };
      if (!COORDINATOR_ERRORS.has(found.errorCode) || Date.now() >= this.deadlineMs())
        throw new AdminApiError(found.errorCode, found.errorMessage, `FindCoordinator for group ${groupId}`);
      await sleep(RETRY_BACKOFF_MS);
    }
  }

  /**
   * A request to the group's coordinator; when `errorCode` of the answer says the coordinator
   * moved or is loading, the coordinator is found again and the request sent again, until the
   * deadline (then that answer is returned).
   */
  async sendToCoordinator<K extends number>(
    groupId: string,
    apiKey: K,
    apiVersion: number,
    body: RequestInputFor<K>,
    errorCode: (response: ResponseFor<K>) => number,
  ): Promise<{ readonly coordinator: AdminNode; readonly response: ResponseFor<K> }> {
    for (;;) {
      const coordinator = await this.findCoordinator(groupId);
      const response = await this.client.sendToNode(coordinator.id, apiKey, apiVersion, body);
      if (!COORDINATOR_ERRORS.has(errorCode(response)) || Date.now() >= this.deadlineMs()) return { coordinator, response };
      await sleep(RETRY_BACKOFF_MS);
    }
  }

  /** A request to every broker of the cluster (ListGroups), answers by broker id. */
  async sendToAllBrokers<K extends number>(apiKey: K, apiVersion: number, body: RequestInputFor<K>): Promise<Map<number, ResponseFor<K>>> {
    const nodes = await this.nodes();
    const answers = await Promise.all(nodes.map(async (n) => [n.id, await this.client.sendToNode(n.id, apiKey, apiVersion, body)] as const));
    return new Map(answers);
  }

  close(): void {
    this.client.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
