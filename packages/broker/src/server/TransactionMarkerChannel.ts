import type { Logger, TopicPartition } from '@samsa/common';
import { NetworkClient, type ClientSecurity } from '@samsa/client';
import type { PartitionLeader, TxnMarkerMetadata, TxnMarkerNetwork } from '@samsa/coordinator';
import { WRITE_TXN_MARKERS_VERSION } from '@samsa/coordinator';
import { ApiKey, type WriteTxnMarkersRequestInput, type WriteTxnMarkersResponseInput } from '@samsa/protocol';
import type { MetadataCache } from '../metadata/MetadataCache';

export interface TransactionMarkerChannelOptions {
  readonly brokerId: number;
  readonly metadataCache: MetadataCache;
  /** The inter-broker listener: markers go to the leaders' endpoints on it (Kafka's interBrokerListenerName). */
  readonly listenerName: string;
  readonly requestTimeoutMs: number;
  /** How connections to the leaders' inter-broker listener are secured; PLAINTEXT when absent. */
  readonly security?: ClientSecurity;
  readonly logger: Logger;
  /**
   * WriteTxnMarkers as this broker serves it (the handler's own work): markers for partitions this
   * broker leads are written through it, without a connection to itself. Absent: they go over the
   * inter-broker listener like the others.
   */
  readonly writeLocally?: (request: WriteTxnMarkersRequestInput) => Promise<WriteTxnMarkersResponseInput>;
}

/**
 * The broker's side of the transaction coordinator's marker channel: partition leaders from the
 * MetadataCache, and one NetworkClient per destination broker on the inter-broker listener
 * (client id "broker-<id>-txn-marker-sender", as Kafka's), replaced when the broker's endpoint
 * changes. A request that cannot be sent or gets no answer resolves to null: the coordinator
 * retries its markers.
 *
 * Markers for this broker's own partitions are written in-process (`writeLocally`): Kafka sends
 * them over a socket to itself, which here cost an encode, two socket writes, two reads and a
 * decode per transaction on the coordinator's own event loop, for the same control batches,
 * appended by the same code, with the same answer. Only the request metrics of WriteTxnMarkers no
 * longer count them.
 */
export class TransactionMarkerChannel implements TxnMarkerNetwork, TxnMarkerMetadata {
  private readonly clients = new Map<number, { client: NetworkClient; host: string; port: number }>();
  private closed = false;

  constructor(private readonly options: TransactionMarkerChannelOptions) {}

  /** Kafka's getPartitionLeaderEndpoint: unknown partition, no live leader on the listener, or its id. */
  partitionLeader(tp: TopicPartition): PartitionLeader {
    const { metadataCache, listenerName } = this.options;
    const state = metadataCache.partitionState(tp.topic, tp.partition);
    if (state === undefined) return 'unknown';
    if (state.leader < 0) return 'noNode';
    const endpoint = metadataCache.aliveBroker(state.leader)?.endpoints.get(listenerName);
    return endpoint === undefined ? 'noNode' : { brokerId: state.leader };
  }

  async sendWriteTxnMarkers(brokerId: number, request: WriteTxnMarkersRequestInput): Promise<WriteTxnMarkersResponseInput | null> {
    if (this.closed) return null;
    const { writeLocally } = this.options;
    if (brokerId === this.options.brokerId && writeLocally !== undefined) {
      try {
        return await writeLocally(request);
      } catch (e) {
        this.options.logger.warn(`Writing transaction markers locally failed: ${(e as Error).message}`);
        return null;
      }
    }
    const endpoint = this.options.metadataCache.aliveBroker(brokerId)?.endpoints.get(this.options.listenerName);
    if (endpoint === undefined) return null;
    let entry = this.clients.get(brokerId);
    if (entry !== undefined && (entry.host !== endpoint.host || entry.port !== endpoint.port)) {
      entry.client.shutdown();
      entry = undefined;
    }
    if (entry === undefined) {
      entry = {
        host: endpoint.host,
        port: endpoint.port,
        client: new NetworkClient({
          host: endpoint.host,
          port: endpoint.port,
          clientId: `broker-${this.options.brokerId}-txn-marker-sender`,
          requestTimeoutMs: this.options.requestTimeoutMs,
          security: this.options.security,
          logger: this.options.logger,
        }),
      };
      this.clients.set(brokerId, entry);
    }
    try {
      await entry.client.ready();
      return await entry.client.send(ApiKey.WriteTxnMarkers, WRITE_TXN_MARKERS_VERSION, request);
    } catch (e) {
      this.options.logger.debug(`WriteTxnMarkers to broker ${brokerId} got no answer: ${(e as Error).message}`);
      return null;
    }
  }

  close(): void {
    this.closed = true;
    for (const { client } of this.clients.values()) client.shutdown();
    this.clients.clear();
  }
}
