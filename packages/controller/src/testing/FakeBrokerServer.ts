import * as net from 'node:net';
import {
  ApiKey,
  decodeRequest,
  encodeResponse,
  FrameDecoder,
  isRequestOf,
  type DecodedRequest,
  type Struct,
} from '@samsa/protocol';
import { leaderAndIsrPartitionStates, stopReplicaPartitions } from './receivedControlRequests';

/**
 * A TCP server that stands in for a broker in controller tests: it decodes what it receives with
 * the protocol package, records it, and answers LeaderAndIsr, UpdateMetadata and StopReplica with
 * success (or whatever `answer` returns; null sends nothing).
 */
export type Answer = (request: DecodedRequest) => Struct | null;

export interface ReceivedRequest extends DecodedRequest {
  readonly receivedAtMs: number;
}

export function successAnswer(request: DecodedRequest): Struct | null {
  const { apiKey, apiVersion } = request.header;
  switch (apiKey) {
    case ApiKey.LeaderAndIsr: {
      const states = leaderAndIsrPartitionStates(request);
      if (apiVersion >= 5 && isRequestOf(request, ApiKey.LeaderAndIsr))
        return {
          errorCode: 0,
          topics: request.body.topicStates.map((t) => ({
            topicId: t.topicId,
            partitionErrors: t.partitionStates.map((p) => ({
              partitionIndex: p.partitionIndex,
              errorCode: 0,
            })),
          })),
        };
      return {
        errorCode: 0,
        partitionErrors: states.map((s) => ({
          topicName: s.topicName,
          partitionIndex: s.partitionIndex,
          errorCode: 0,
        })),
      };
    }
    case ApiKey.UpdateMetadata:
      return { errorCode: 0 };
    case ApiKey.StopReplica:
      return {
        errorCode: 0,
        partitionErrors: stopReplicaPartitions(request).map((p) => ({
          topicName: p.topic,
          partitionIndex: p.partition,
          errorCode: 0,
        })),
      };
    default:
      return null;
  }
}

export class FakeBrokerServer {
  readonly received: ReceivedRequest[] = [];
  private readonly sockets = new Set<net.Socket>();
  answer: Answer;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    answer: Answer,
  ) {
    this.answer = answer;
  }

  static async start({
    answer = successAnswer,
    port = 0,
  }: { answer?: Answer; port?: number } = {}): Promise<FakeBrokerServer> {
    const holder: { fake?: FakeBrokerServer } = {};
    const server = net.createServer((socket) => holder.fake!.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port }, () => resolve());
    });
    const address = server.address() as net.AddressInfo;
    holder.fake = new FakeBrokerServer(server, address.port, answer);
    return holder.fake;
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  /** Requests of one API received so far. */
  requests(apiKey: number): ReceivedRequest[] {
    return this.received.filter((r) => r.header.apiKey === apiKey);
  }

  /** Drops every open connection (the controller should reconnect and resend). */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    const decoder = new FrameDecoder(100 * 1024 * 1024);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        const request = decodeRequest(frame);
        this.received.push({ ...request, receivedAtMs: Date.now() });
        const response = this.answer(request);
        if (response === null) continue;
        const { apiKey, apiVersion, correlationId } = request.header;
        for (const part of encodeResponse(apiKey, apiVersion, correlationId, response)) socket.write(part);
      }
    });
  }
}
