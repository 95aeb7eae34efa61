import { consoleLogger, type Logger } from '@samsa/common';
import {
  decodeResponse,
  encodeRequest,
  type ApiKeyValue,
  type RequestInputFor,
  type RequestInputOf,
  type ResponseFor,
  type ResponseOf,
  type Struct,
} from '@samsa/protocol';
import type { ClientSecurity } from './ClientSecurity';
import { DisconnectedError, NetworkClientClosedError, RequestTimeoutError } from './errors';
import { DEFAULT_MAX_RESPONSE_BYTES, KafkaChannel } from './KafkaChannel';

export interface NetworkClientOptions {
  readonly host: string;
  readonly port: number;
  /** Sent in every request header. */
  readonly clientId: string;
  /** A request without a response by then fails, and the connection is closed (Kafka request.timeout.ms). */
  readonly requestTimeoutMs: number;
  /** Deadline of one connection attempt; default requestTimeoutMs. */
  readonly connectTimeoutMs?: number;
  /** Wait before reconnecting after a failure, doubled per consecutive failure up to the max (Kafka reconnect.backoff.ms). */
  readonly reconnectBackoffMs?: number;
  readonly reconnectBackoffMaxMs?: number;
  /** Largest response frame accepted. */
  readonly maxResponseBytes?: number;
  /** How connections are secured; PLAINTEXT when absent. */
  readonly security?: ClientSecurity;
  readonly logger?: Logger;
}

interface InFlight {
  readonly correlationId: number;
  /** Decodes the response frame and resolves the caller's promise; throws on an undecodable frame. */
  readonly complete: (frame: Buffer) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const MAX_CORRELATION_ID = 0x7fffffff;

/**
 * A Kafka client for one broker (the part of Kafka's NetworkClient that the controller's
 * RequestSendThread, a replica fetcher and the admin tools need): one connection, requests
 * pipelined with correlation ids, responses matched in order, a timeout per request, and
 * reconnection with exponential backoff. It never retries a request by itself: the owner decides
 * (the controller resends after reconnecting; a fetcher builds a new fetch).
 *
 * With a literal api key the body and the answer are the generated message types:
 * `await client.send(ApiKey.Metadata, 1, { topics: [] })` is a `MetadataResponse`.
 */
export class NetworkClient {
  private channel: KafkaChannel | null = null;
  private connecting: Promise<void> | null = null;
  /** Requests awaiting a response, in send order (a broker answers in order). */
  private readonly inFlight: InFlight[] = [];
  private nextCorrelationId = 0;
  private consecutiveFailures = 0;
  private nextAttemptAtMs = 0;
  private closedForGood = false;
  private readonly backoffWaits = new Set<{ timer: NodeJS.Timeout; reject: (e: Error) => void }>();
  private readonly logger: Logger;
  private readonly maxResponseBytes: number;

  constructor(private readonly options: NetworkClientOptions) {
    this.logger = options.logger ?? consoleLogger(`NetworkClient ${options.host}:${options.port}`);
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  /** Connected and able to send now. */
  isReady(): boolean {
    return this.channel !== null && this.connecting === null;
  }

  get inFlightCount(): number {
    return this.inFlight.length;
  }

  /**
   * Connects unless connected, first waiting out the backoff left by earlier failures. Rejects
   * when this attempt fails or times out (the next call backs off longer) or the client shuts down.
   */
  ready(): Promise<void> {
    if (this.closedForGood)
      return Promise.reject(new NetworkClientClosedError(`client for ${this.address} is shut down`));
    if (this.isReady()) return Promise.resolve();
    if (this.connecting === null) {
      this.connecting = this.connect().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  /**
   * Sends a request on the current connection and resolves with the decoded response body.
   * Rejects with DisconnectedError when not connected or when the connection drops, with
   * RequestTimeoutError after requestTimeoutMs (the connection is then closed: its stream position
   * is unknown).
   */
  send<K extends ApiKeyValue>(apiKey: K, apiVersion: number, body: RequestInputOf<K>): Promise<ResponseOf<K>>;
  /**
   * The same for a key that is a plain `number` (a `Struct` body, a `Struct` answer). Kept apart
   * from the first form so that a key generic over a few apis (`K extends ControlApiKey`) still
   * selects that one: `RequestInputFor<K>` stays unresolved for a generic `K`.
   */
  send<K extends number>(apiKey: K, apiVersion: number, body: RequestInputFor<K>): Promise<ResponseFor<K>>;
  send(apiKey: number, apiVersion: number, body: Struct): Promise<Struct> {
    let framed: { channel: KafkaChannel; correlationId: number; chunks: Buffer[] };
    try {
      framed = this.frame(apiKey, apiVersion, body);
    } catch (error) {
      return Promise.reject(error);
    }
    const { channel, correlationId, chunks } = framed;
    return new Promise<Struct>((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new RequestTimeoutError(
          `request ${apiKey} v${apiVersion} (correlation id ${correlationId}) to ${this.address} timed out after ${this.options.requestTimeoutMs} ms`,
        );
        this.closeChannel(channel, error);
      }, this.options.requestTimeoutMs);
      const complete = (frame: Buffer): void => resolve(decodeResponse(apiKey, apiVersion, frame).body);
      this.inFlight.push({ correlationId, complete, reject, timer });
      channel.write(chunks);
    });
  }

  /**
   * Sends a request the broker does not answer (Kafka's `expectResponse = false`: a Produce with
   * acks=0) and resolves once its bytes are written to the socket, as Kafka's producer completes
   * an acks=0 send. It takes a correlation id but waits in no queue, so the answers to the
   * requests around it still match in order. Rejects with DisconnectedError when not connected or
   * when the write fails.
   */
  sendWithoutResponse<K extends number>(apiKey: K, apiVersion: number, body: RequestInputFor<K>): Promise<void> {
    let framed: { channel: KafkaChannel; chunks: Buffer[] };
    try {
      framed = this.frame(apiKey, apiVersion, body as Struct);
    } catch (error) {
      return Promise.reject(error);
    }
    const { channel, chunks } = framed;
    return new Promise<void>((resolve, reject) => {
      channel.write(chunks, (error) => {
        if (error) reject(error instanceof DisconnectedError ? error : new DisconnectedError(`writing to ${this.address} failed: ${error.message}`));
        else resolve();
      });
    });
  }

  /**
   * A request framed for the open connection, with the next correlation id; throws
   * DisconnectedError when not connected, or the codec's error for a body it cannot encode.
   */
  private frame(apiKey: number, apiVersion: number, body: Struct): { channel: KafkaChannel; correlationId: number; chunks: Buffer[] } {
    const channel = this.channel;
    if (channel === null || this.connecting !== null) throw new DisconnectedError(`not connected to ${this.address}`);
    const correlationId = this.nextCorrelationId;
    const chunks = encodeRequest({ apiKey, apiVersion, correlationId, clientId: this.options.clientId }, body);
    this.nextCorrelationId = correlationId === MAX_CORRELATION_ID ? 0 : correlationId + 1;
    return { channel, correlationId, chunks };
  }

  /** Closes the connection (in-flight requests fail); a later ready() reconnects. */
  close(reason = 'closed by its owner'): void {
    if (this.channel !== null)
      this.closeChannel(this.channel, new DisconnectedError(`connection to ${this.address} ${reason}`));
  }

  /** Closes for good: pending waits and requests fail with NetworkClientClosedError. */
  shutdown(): void {
    this.closedForGood = true;
    const error = new NetworkClientClosedError(`client for ${this.address} is shut down`);
    for (const wait of this.backoffWaits) {
      clearTimeout(wait.timer);
      wait.reject(error);
    }
    this.backoffWaits.clear();
    if (this.channel !== null) this.closeChannel(this.channel, error);
  }

  // ---- internals --------------------------------------------------------------------------------

  private async connect(): Promise<void> {
    const waitMs = this.nextAttemptAtMs - Date.now();
    if (waitMs > 0) await this.backoffWait(waitMs);
    if (this.closedForGood) throw new NetworkClientClosedError(`client for ${this.address} is shut down`);
    try {
      const channel = await KafkaChannel.connect({
        host: this.options.host,
        port: this.options.port,
        connectTimeoutMs: this.options.connectTimeoutMs ?? this.options.requestTimeoutMs,
        maxResponseBytes: this.maxResponseBytes,
        security: this.options.security,
      });
      if (this.closedForGood) {
        channel.close();
        throw new NetworkClientClosedError(`client for ${this.address} is shut down`);
      }
      this.consecutiveFailures = 0;
      this.nextAttemptAtMs = 0;
      this.attach(channel);
    } catch (error) {
      this.consecutiveFailures += 1;
      this.nextAttemptAtMs = Date.now() + this.backoffMs();
      throw error;
    }
  }

  /** Exponential backoff with ±20% jitter, as Kafka's ClusterConnectionStates. */
  private backoffMs(): number {
    const base = this.options.reconnectBackoffMs ?? 50;
    const max = this.options.reconnectBackoffMaxMs ?? 1000;
    const exp = Math.min(max, base * 2 ** Math.min(this.consecutiveFailures - 1, 30));
    return Math.round(exp * (0.8 + Math.random() * 0.4));
  }

  private backoffWait(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const wait = {
        timer: setTimeout(() => {
          this.backoffWaits.delete(wait);
          resolve();
        }, ms),
        reject,
      };
      this.backoffWaits.add(wait);
    });
  }

  private attach(channel: KafkaChannel): void {
    this.channel = channel;
    channel.listen({
      onFrame: (frame) => this.onFrame(channel, frame),
      onClose: (error) => this.closeChannel(channel, error),
    });
  }

  private onFrame(channel: KafkaChannel, frame: Buffer): void {
    if (channel !== this.channel) return;
    const request = this.inFlight[0];
    const correlationId = frame.length >= 4 ? frame.readInt32BE(0) : -1;
    if (request === undefined || correlationId !== request.correlationId) {
      this.closeChannel(
        channel,
        new DisconnectedError(
          `${this.address} answered correlation id ${correlationId}, expected ${request?.correlationId ?? 'none'}`,
        ),
      );
      return;
    }
    this.inFlight.shift();
    clearTimeout(request.timer);
    try {
      request.complete(frame);
    } catch (error) {
      request.reject(error as Error);
      this.closeChannel(channel, new DisconnectedError(`undecodable response from ${this.address}`));
    }
  }

  private closeChannel(channel: KafkaChannel, error: Error): void {
    if (channel !== this.channel) return;
    this.channel = null;
    channel.close();
    const failed = this.inFlight.splice(0);
    for (const request of failed) {
      clearTimeout(request.timer);
      request.reject(error);
    }
    if (failed.length > 0) this.logger.debug(`${error.message}; ${failed.length} request(s) failed`);
  }
}
