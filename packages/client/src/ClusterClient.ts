import type { Logger } from '@samsa/common';
import { ApiKey, type MetadataResponse, type MetadataResponseBrokers, type RequestInputFor, type ResponseFor } from '@samsa/protocol';
import type { ClientSecurity } from './ClientSecurity';
import type { BrokerAddress } from './ClientUtils';
import { NetworkClientClosedError } from './errors';
import { NetworkClient } from './NetworkClient';

/** Log nothing: a tool prints its own lines, and the wire client's would only get in the way. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface ClusterClientOptions {
  /** bootstrap.servers, parsed. */
  readonly bootstrap: readonly BrokerAddress[];
  readonly clientId: string;
  /** request.timeout.ms of every request (and the deadline to reach a bootstrap server). */
  readonly requestTimeoutMs: number;
  readonly security?: ClientSecurity;
  readonly logger?: Logger;
}

/** Metadata v5: the first version that lets the client say whether a topic may be auto-created. */
const METADATA_VERSION = 5;

/**
 * A client of a whole cluster (the part of Kafka's NetworkClient + Metadata that the tools, the
 * Admin calls and the dashboard share): bootstrap servers, cluster metadata, one pipelined
 * NetworkClient per broker, and requests sent to a node by id.
 */
export class ClusterClient {
  private readonly clients = new Map<string, NetworkClient>();
  private brokers = new Map<number, MetadataResponseBrokers>();
  private lastMetadata: MetadataResponse | null = null;
  /** Set by close(): no connection is opened after it, so a call abandoned at its deadline cannot reconnect. */
  private closed = false;

  constructor(private readonly clusterOptions: ClusterClientOptions) {}

  /** The brokers of the last metadata answer, by id. */
  get knownBrokers(): ReadonlyMap<number, MetadataResponseBrokers> {
    return this.brokers;
  }

  /** close() was called: every later request fails with NetworkClientClosedError. */
  get isClosed(): boolean {
    return this.closed;
  }

  get metadataSnapshot(): MetadataResponse | null {
    return this.lastMetadata;
  }

  /**
   * A Metadata request (null topics: all of them) to a known broker, else a bootstrap server; the
   * first that answers wins. `allowAutoTopicCreation` is what a producer sends (true) and a
   * consumer sends (false) by default.
   */
  async metadata(topics: readonly string[] | null, allowAutoTopicCreation = false): Promise<MetadataResponse> {
    if (this.closed) throw this.closedError();
    const targets: BrokerAddress[] = [...this.brokers.values(), ...this.clusterOptions.bootstrap];
    let lastError: unknown = new Error('No bootstrap servers given');
    for (const target of targets) {
      try {
        const response = await this.send(target, ApiKey.Metadata, METADATA_VERSION, {
          topics: topics === null ? null : topics.map((name) => ({ name })),
          allowAutoTopicCreation,
        });
        this.brokers = new Map(response.brokers.map((b) => [b.nodeId, b]));
        this.lastMetadata = response;
        return response;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  /** A request to the broker with this id (from the last metadata). */
  sendToNode<K extends number>(nodeId: number, apiKey: K, apiVersion: number, body: RequestInputFor<K>): Promise<ResponseFor<K>> {
    const broker = this.brokers.get(nodeId);
    if (broker === undefined) return Promise.reject(new Error(`Unknown broker id ${nodeId}`));
    return this.send(broker, apiKey, apiVersion, body);
  }

  /**
   * A request the broker with this id does not answer (a Produce with acks=0): resolves once it
   * is written. See NetworkClient.sendWithoutResponse.
   */
  async sendToNodeWithoutResponse<K extends number>(nodeId: number, apiKey: K, apiVersion: number, body: RequestInputFor<K>): Promise<void> {
    const broker = this.brokers.get(nodeId);
    if (broker === undefined) throw new Error(`Unknown broker id ${nodeId}`);
    const client = this.clientFor(broker);
    await client.ready();
    return client.sendWithoutResponse(apiKey, apiVersion, body);
  }

  /** A request on the pooled connection to `target` (connected on first use). */
  async send<K extends number>(target: BrokerAddress, apiKey: K, apiVersion: number, body: RequestInputFor<K>): Promise<ResponseFor<K>> {
    const client = this.clientFor(target);
    await client.ready();
    return client.send(apiKey, apiVersion, body);
  }

  /** Closes every connection, for good: later requests fail with NetworkClientClosedError. */
  close(): void {
    this.closed = true;
    for (const c of this.clients.values()) c.shutdown();
    this.clients.clear();
  }

  private closedError(): NetworkClientClosedError {
    return new NetworkClientClosedError(`cluster client ${this.clusterOptions.clientId} is closed`);
  }

  private clientFor(target: BrokerAddress): NetworkClient {
    if (this.closed) throw this.closedError();
    const key = `${target.host}:${target.port}`;
    let client = this.clients.get(key);
    if (client === undefined) {
      const { clientId, requestTimeoutMs, security, logger } = this.clusterOptions;
      client = new NetworkClient({
        host: target.host,
        port: target.port,
        clientId,
        requestTimeoutMs,
        connectTimeoutMs: Math.min(requestTimeoutMs, 10_000),
        maxResponseBytes: 256 * 1024 * 1024,
        security,
        logger: logger ?? silentLogger,
      });
      this.clients.set(key, client);
    }
    return client;
  }
}
