import { NetworkClientClosedError, type BrokerAddress } from '@samsa/client';
import { ApiKey, type MetadataResponse, type RequestInputFor, type ResponseFor, type Struct } from '@samsa/protocol';
import { ToolClient } from '../ToolClient';

/** One request as the fake cluster received it: the broker (by id: port − 9092) and the typed body. */
export interface SentRequest {
  readonly nodeId: number;
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly body: Struct;
  /** False for a request sent without waiting for an answer (a Produce with acks=0). */
  readonly expectResponse: boolean;
}

/** A partition of the fake cluster's metadata. */
export interface FakePartition {
  readonly partition: number;
  readonly leader: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

export interface FakeClusterState {
  /** Broker ids; broker n listens on 127.0.0.1:9092+n (broker 0 is the bootstrap server). */
  brokers: number[];
  controllerId: number;
  topics: Map<string, FakePartition[]>;
}

/** Answers a request other than Metadata (which the fake answers from its state); throwing fails the send. */
export type FakeAnswer = (request: SentRequest, state: FakeClusterState) => Struct;

export const BASE_PORT = 9092;

/**
 * A ToolClient whose one network call (send) is answered in memory, so the Admin calls above it
 * (metadata, controller and coordinator routing, retries) run unchanged and tests see the typed
 * request bodies they put on the wire.
 */
export class FakeClusterClient extends ToolClient {
  constructor(
    readonly state: FakeClusterState,
    private readonly answer: FakeAnswer,
    readonly sent: SentRequest[] = [],
  ) {
    super({ bootstrapServers: `127.0.0.1:${BASE_PORT}`, clientId: 'test', requestTimeoutMs: 1000 });
  }

  /** A new client of the same cluster, recording into the same `sent` (a closed client sends nothing more). */
  sibling(): FakeClusterClient {
    return new FakeClusterClient(this.state, this.answer, this.sent);
  }

  /** The requests of one API, in the order sent. */
  sentOf(apiKey: number): SentRequest[] {
    return this.sent.filter((r) => r.apiKey === apiKey);
  }

  override async send<K extends number>(target: BrokerAddress, apiKey: K, apiVersion: number, body: RequestInputFor<K>): Promise<ResponseFor<K>> {
    if (this.isClosed) throw new NetworkClientClosedError('cluster client test is closed');
    const request: SentRequest = { nodeId: target.port - BASE_PORT, apiKey, apiVersion, body: body as Struct, expectResponse: true };
    this.sent.push(request);
    const response = apiKey === ApiKey.Metadata ? metadataAnswer(request, this.state) : this.answer(request, this.state);
    return response as unknown as ResponseFor<K>;
  }

  override async sendToNodeWithoutResponse<K extends number>(nodeId: number, apiKey: K, apiVersion: number, body: RequestInputFor<K>): Promise<void> {
    if (!this.knownBrokers.has(nodeId)) throw new Error(`Unknown broker id ${nodeId}`);
    this.sent.push({ nodeId, apiKey, apiVersion, body: body as Struct, expectResponse: false });
  }
}

function metadataAnswer(request: SentRequest, state: FakeClusterState): MetadataResponse {
  const asked = request.body.topics as Array<{ name: string }> | null;
  const names = asked === null ? [...state.topics.keys()] : asked.map((t) => t.name);
  return {
    throttleTimeMs: 0,
    brokers: state.brokers.map((nodeId) => ({ nodeId, host: '127.0.0.1', port: BASE_PORT + nodeId, rack: null })),
    clusterId: 'fake',
    controllerId: state.controllerId,
    clusterAuthorizedOperations: -2147483648,
    topics: names.map((name) => {
      const partitions = state.topics.get(name);
      return {
        errorCode: partitions === undefined ? 3 : 0,
        name,
        topicId: Buffer.alloc(16),
        isInternal: name.startsWith('__'),
        topicAuthorizedOperations: -2147483648,
        partitions: (partitions ?? []).map((p) => ({
          errorCode: 0,
          partitionIndex: p.partition,
          leaderId: p.leader,
          leaderEpoch: 0,
          replicaNodes: [...p.replicas],
          isrNodes: [...p.isr],
          offlineReplicas: [],
        })),
      };
    }),
  } as unknown as MetadataResponse;
}
