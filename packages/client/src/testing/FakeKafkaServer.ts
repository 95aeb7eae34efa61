import * as net from 'node:net';
import {
  ApiKey,
  decodeRequest,
  encodeResponse,
  FrameDecoder,
  type DecodedRequest,
  type Struct,
} from '@samsa/protocol';

/** What the fake answers a request with; null sends nothing, a Buffer is written as it is. */
export type Answer = (request: DecodedRequest) => Struct | Buffer | null;

/** UpdateMetadata gets success; everything else no answer. */
export function updateMetadataAnswer(request: DecodedRequest): Struct | null {
  return request.header.apiKey === ApiKey.UpdateMetadata ? { errorCode: 0 } : null;
}

/**
 * A TCP server that stands in for a broker in the client's tests: it decodes what it receives,
 * records it, and answers with whatever `answer` returns.
 */
export class FakeKafkaServer {
  readonly received: DecodedRequest[] = [];
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    public answer: Answer,
  ) {}

  static async start({
    answer = updateMetadataAnswer,
    port = 0,
  }: { answer?: Answer | undefined; port?: number } = {}): Promise<FakeKafkaServer> {
    const holder: { fake?: FakeKafkaServer } = {};
    const server = net.createServer((socket) => holder.fake!.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port }, () => resolve());
    });
    holder.fake = new FakeKafkaServer(server, (server.address() as net.AddressInfo).port, answer);
    return holder.fake;
  }

  /** Drops every open connection. */
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
        this.received.push(request);
        const response = this.answer(request);
        if (response === null) continue;
        if (Buffer.isBuffer(response)) {
          socket.write(response);
          continue;
        }
        const { apiKey, apiVersion, correlationId } = request.header;
        for (const part of encodeResponse(apiKey, apiVersion, correlationId, response)) socket.write(part);
      }
    });
  }
}
