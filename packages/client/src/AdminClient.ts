import {
  ApiKey,
  ErrorCode,
  type MetadataResponse,
  type RequestInputFor,
  type ResponseFor,
} from '@samsa/protocol';
import type { ClusterClient } from './ClusterClient';
import { DisconnectedError, RequestTimeoutError } from './errors';
import { SaslAuthenticationFailedError } from './SaslClientAuthenticator';

/** Errors after which Kafka's Admin finds the group coordinator again and retries. */
const COORDINATOR_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
]);

/** Errors of a broker's ListGroups answer after which Kafka's Admin asks that broker again. */
const LIST_GROUPS_RETRIABLE_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
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

/** A call that outlived its deadline (Kafka's TimeoutException); `cause` is the last retriable failure, if any. */
export class AdminTimeoutError extends Error {
  override readonly name = 'AdminTimeoutError';
}

/** The metadata named no broker (Kafka's StaleMetadataException): retriable, the metadata is read again. */
class StaleMetadataError extends Error {
  override readonly name = 'StaleMetadataError';
}

/** No broker to send the call to yet (no controller known): retriable; at the deadline Kafka's "Timed out waiting for a node assignment". */
class NoNodeAssignedError extends Error {
  override readonly name = 'NoNodeAssignedError';
}

/**
 * Whether Kafka's Admin would try a call again after this failure (its RetriableException): a lost or
 * refused connection, a request timeout, stale metadata; not an authentication failure, not a
 * closed client.
 */
export function isRetriableAdminFailure(error: unknown): boolean {
  if (error instanceof SaslAuthenticationFailedError) return false;
  return (
    error instanceof DisconnectedError ||
    error instanceof RequestTimeoutError ||
    error instanceof StaleMetadataError ||
    error instanceof NoNodeAssignedError
  );
}

/** One try of a call: its answer, and whether that answer asks for another try (the answer is returned at the deadline). */
interface Attempt<T> {
  readonly value: T;
  readonly again: boolean;
}

/**
 * Where Kafka's KafkaAdminClient sends each call, over a ClusterClient (the admin tools' and the
 * dashboard's):
 * CreateTopics, DeleteTopics and CreatePartitions to the controller (looked up again and retried
 * after NOT_CONTROLLER), group calls to the group's coordinator (FindCoordinator, then again after
 * NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS or COORDINATOR_NOT_AVAILABLE), ListGroups to every
 * broker (each asked again after COORDINATOR_LOAD_IN_PROGRESS or COORDINATOR_NOT_AVAILABLE), and
 * Metadata and FindCoordinator to any (the next known broker when one cannot be reached).
 * A lost or refused connection or a request timeout is retried too, the metadata, controller or
 * coordinator looked up again, every RETRY_BACKOFF_MS, as Kafka's Admin does with a disconnect.
 * Retries stop at the call's deadline, as the Admin's default.api.timeout.ms: an answer that asked
 * for another try is then returned for the caller to report; a failure becomes an AdminTimeoutError
 * worded as Kafka's TimeoutException.
 */
export class AdminClient {
  constructor(
    readonly client: ClusterClient,
    /** The deadline (epoch ms) of the call in progress. */
    private readonly deadlineMs: () => number,
  ) {}

  /** Metadata for `topics` (null: every topic); the cluster's brokers and controller come with it. */
  metadata(topics: readonly string[] | null): Promise<MetadataResponse> {
    return this.retry('metadata', async () => ({ value: await this.client.metadata(topics), again: false }));
  }

  /** The brokers of the cluster (Kafka's describeCluster().nodes()), by id; retried while the metadata names none. */
  async nodes(): Promise<AdminNode[]> {
    const brokers = await this.retry('findAllBrokers', async () => {
      const md = await this.client.metadata([]);
      if (md.brokers.length === 0)
        throw new StaleMetadataError('Metadata fetch failed due to missing broker list');
      return { value: md.brokers, again: false };
    });
    return brokers.map((b) => ({ id: b.nodeId, host: b.host, port: b.port })).sort((a, b) => a.id - b.id);
  }

  /**
   * A request to the controller; while `errorCodes` of the answer include NOT_CONTROLLER (the
   * controller moved), no controller is known or it cannot be reached, the metadata is read again
   * and the request sent again, until the deadline.
   */
  sendToController<K extends number>(
    apiKey: K,
    apiVersion: number,
    body: RequestInputFor<K>,
    errorCodes: (response: ResponseFor<K>) => readonly number[],
  ): Promise<ResponseFor<K>> {
    return this.retry(callName(apiKey), async () => {
      const { controllerId } = await this.client.metadata([]);
      if (controllerId < 0) throw new NoNodeAssignedError('No controller is known');
      const response = await this.client.sendToNode(controllerId, apiKey, apiVersion, body);
      return { value: response, again: errorCodes(response).includes(ErrorCode.NOT_CONTROLLER) };
    });
  }

  /**
   * A request to any broker, as Kafka's LeastLoadedNodeProvider picks one: the metadata's brokers in
   * turn until one answers; when none does, the metadata is read again after the backoff, until the
   * deadline.
   */
  sendToAnyBroker<K extends number>(
    apiKey: K,
    apiVersion: number,
    body: RequestInputFor<K>,
  ): Promise<ResponseFor<K>> {
    return this.retry(callName(apiKey), async () => ({
      value: await this.anyBrokerOnce(apiKey, apiVersion, body),
      again: false,
    }));
  }

  /** One try over the known brokers: the first answer, else the last broker's failure. */
  private async anyBrokerOnce<K extends number>(
    apiKey: K,
    apiVersion: number,
    body: RequestInputFor<K>,
  ): Promise<ResponseFor<K>> {
    const md = await this.client.metadata([]);
    if (md.brokers.length === 0)
      throw new StaleMetadataError('Metadata fetch failed due to missing broker list');
    let lastError: unknown;
    for (const broker of md.brokers) {
      try {
        return await this.client.sendToNode(broker.nodeId, apiKey, apiVersion, body);
      } catch (error) {
        if (!isRetriableAdminFailure(error)) throw error;
        lastError = error;
      }
    }
    throw lastError;
  }

  /** FindCoordinator for a group, retried while the answer or the connection failure is retriable, until the deadline. */
  async findCoordinator(groupId: string): Promise<AdminNode> {
    const found = await this.retry('findCoordinator', async () => {
      const answer = await this.anyBrokerOnce(ApiKey.FindCoordinator, 1, { key: groupId, keyType: 0 });
      return { value: answer, again: COORDINATOR_ERRORS.has(answer.errorCode) };
    });
    if (found.errorCode !== ErrorCode.NONE)
      throw new AdminApiError(found.errorCode, found.errorMessage, `FindCoordinator for group ${groupId}`);
    return { id: found.nodeId, host: found.host, port: found.port };
  }

  /**
   * A request to the group's coordinator; when `errorCode` of the answer says the coordinator
   * moved or is loading, or the coordinator cannot be reached, the coordinator is found again and
   * the request sent again, until the deadline (then an answer is returned, a failure thrown).
   */
  sendToCoordinator<K extends number>(
    groupId: string,
    apiKey: K,
    apiVersion: number,
    body: RequestInputFor<K>,
    errorCode: (response: ResponseFor<K>) => number,
  ): Promise<{ readonly coordinator: AdminNode; readonly response: ResponseFor<K> }> {
    return this.retry(callName(apiKey), async () => {
      const coordinator = await this.findCoordinator(groupId);
      const response = await this.client.sendToNode(coordinator.id, apiKey, apiVersion, body);
      return { value: { coordinator, response }, again: COORDINATOR_ERRORS.has(errorCode(response)) };
    });
  }

  /**
   * A request to every broker of the cluster (ListGroups), answers by broker id. Each broker is asked
   * again, until the deadline, when it cannot be reached or `errorCode` of its answer is
   * COORDINATOR_LOAD_IN_PROGRESS or COORDINATOR_NOT_AVAILABLE (its group metadata still loading).
   */
  async sendToAllBrokers<K extends number>(
    apiKey: K,
    apiVersion: number,
    body: RequestInputFor<K>,
    errorCode: (response: ResponseFor<K>) => number = () => ErrorCode.NONE,
  ): Promise<Map<number, ResponseFor<K>>> {
    const nodes = await this.nodes();
    const answers = await Promise.all(
      nodes.map(async (n) => {
        const response = await this.retry(callName(apiKey), async () => {
          const answer = await this.client.sendToNode(n.id, apiKey, apiVersion, body);
          return { value: answer, again: LIST_GROUPS_RETRIABLE_ERRORS.has(errorCode(answer)) };
        });
        return [n.id, response] as const;
      }),
    );
    return new Map(answers);
  }

  /**
   * Tries `attempt` until it gives an answer that needs no other try, backing off RETRY_BACKOFF_MS
   * between tries. A non-retriable failure is thrown at once; at the deadline the last answer is
   * returned, or the last retriable failure thrown as an AdminTimeoutError.
   */
  private async retry<T>(name: string, attempt: () => Promise<Attempt<T>>): Promise<T> {
    let lastFailure: Error | undefined;
    for (let tries = 1; ; tries++) {
      try {
        const outcome = await this.beforeTheDeadline(attempt(), lastFailure);
        if (!outcome.again || Date.now() >= this.deadlineMs()) return outcome.value;
      } catch (error) {
        if (!isRetriableAdminFailure(error)) throw error;
        lastFailure = error as Error;
        const now = Date.now();
        // As Kafka's Admin, a call whose next try would come after its deadline times out now.
        if (now + RETRY_BACKOFF_MS >= this.deadlineMs()) throw this.timedOut(name, tries, now, lastFailure);
      }
      await sleep(RETRY_BACKOFF_MS);
    }
  }

  /**
   * A try after a failed one ends at the deadline with that failure (the try itself is abandoned:
   * its connection is closed with the client); a first try is bounded by the request timeout.
   */
  private async beforeTheDeadline<R>(attempt: Promise<R>, lastFailure: Error | undefined): Promise<R> {
    if (lastFailure === undefined) return attempt;
    attempt.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(lastFailure), Math.max(0, this.deadlineMs() - Date.now()));
    });
    try {
      return await Promise.race([attempt, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kafka's TimeoutException wording: no node found, or the call's tries used up by its deadline. */
  private timedOut(name: string, tries: number, now: number, cause: Error): AdminTimeoutError {
    if (cause instanceof NoNodeAssignedError)
      return new AdminTimeoutError(`Timed out waiting for a node assignment. Call: ${name}`, { cause });
    return new AdminTimeoutError(
      `Call(callName=${name}, deadlineMs=${this.deadlineMs()}, tries=${tries}) timed out at ${now} after ${tries} attempt(s): ${cause.message}`,
      { cause },
    );
  }

  close(): void {
    this.client.close();
  }
}

/** Kafka's Admin names its calls by method (createTopics); the API's name stands in for it here. */
function callName(apiKey: number): string {
  const name = Object.entries(ApiKey).find(([, key]) => key === apiKey)?.[0] ?? `api ${apiKey}`;
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
