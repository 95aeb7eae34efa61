import { consoleLogger, type Logger } from '@samsa/common';
import * as net from 'node:net';
import { decodeResponse, encodeRequest, FrameDecoder, type Struct } from '@samsa/protocol';

/**
 * A tiny Kafka client for one broker over node:net (the part of Kafka's NetworkClient that the
 * controller's RequestSendThread and a replica fetcher need): one connection, requests pipelined
 * with correlation ids, responses matched in order, a timeout per request, and reconnection with
 * exponential backoff. It never retries a request by itself: the owner decides (the controller
 * resends after reconnecting; a fetcher builds a new fetch).
 */
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
  readonly logger?: Logger;
}

/** The connection failed or closed with the request in flight. */
export class DisconnectedError extends Error {
  override readonly name = 'DisconnectedError';
}

/** No response within requestTimeoutMs. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
}

/** The client was shut down. */
export class NetworkClientClosedError extends Error {
  override readonly name = 'NetworkClientClosedError';
}

interface InFlight {
  readonly correlationId: number;
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly resolve: (body: Struct) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const MAX_CORRELATION_ID = 0x7fffffff;

export class NetworkClient {
  private socket: net.Socket | null = null;
  private connecting: Promise<void> | null = null;
  private decoder: FrameDecoder;
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
    this.maxResponseBytes = options.maxResponseBytes ?? 100 * 1024 * 1024;
    this.decoder = new FrameDecoder(this.maxResponseBytes);
  }

  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  /** Connected and able to send now. */
  isReady(): boolean {
    return this.socket !== null && this.connecting === null;
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
  send(apiKey: number, apiVersion: number, body: Struct): Promise<Struct> {
    const socket = this.socket;
    if (socket === null || this.connecting !== null) {
      return Promise.reject(new DisconnectedError(`not connected to ${this.address}`));
    }
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = correlationId === MAX_CORRELATION_ID ? 0 : correlationId + 1;
    let chunks: Buffer[];
    try {
      chunks = encodeRequest({ apiKey, apiVersion, correlationId, clientId: this.options.clientId }, body);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<Struct>((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new RequestTimeoutError(
          `request ${apiKey} v${apiVersion} (correlation id ${correlationId}) to ${this.address} timed out after ${this.options.requestTimeoutMs} ms`,
        );
        this.closeSocket(socket, error);
      }, this.options.requestTimeoutMs);
      this.inFlight.push({ correlationId, apiKey, apiVersion, resolve, reject, timer });
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      socket.uncork();
    });
  }

  /** Closes the connection (in-flight requests fail); a later ready() reconnects. */
  close(reason = 'closed by its owner'): void {
    if (this.socket !== null)
      this.closeSocket(this.socket, new DisconnectedError(`connection to ${this.address} ${reason}`));
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
    if (this.socket !== null) this.closeSocket(this.socket, error);
  }

  // ---- internals --------------------------------------------------------------------------------

  private async connect(): Promise<void> {
    const waitMs = this.nextAttemptAtMs - Date.now();
    if (waitMs > 0) await this.backoffWait(waitMs);
    if (this.closedForGood) throw new NetworkClientClosedError(`client for ${this.address} is shut down`);
    try {
      const socket = await this.openSocket();
      if (this.closedForGood) {
        socket.destroy();
        throw new NetworkClientClosedError(`client for ${this.address} is shut down`);
      }
      this.consecutiveFailures = 0;
      this.nextAttemptAtMs = 0;
      this.attach(socket);
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

  private openSocket(): Promise<net.Socket> {
    const timeoutMs = this.options.connectTimeoutMs ?? this.options.requestTimeoutMs;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.options.host, port: this.options.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new DisconnectedError(`connecting to ${this.address} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new DisconnectedError(`cannot connect to ${this.address}: ${error.message}`));
      });
    });
  }

  private attach(socket: net.Socket): void {
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    this.socket = socket;
    this.decoder = new FrameDecoder(this.maxResponseBytes);
    socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    socket.on('error', (error) =>
      this.closeSocket(
        socket,
        new DisconnectedError(`connection to ${this.address} failed: ${error.message}`),
      ),
    );
    socket.on('close', () =>
      this.closeSocket(
        socket,
        new DisconnectedError(`connection to ${this.address} was closed by the broker`),
      ),
    );
  }

  private onData(socket: net.Socket, chunk: Buffer): void {
    if (socket !== this.socket) return;
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      this.closeSocket(
        socket,
        new DisconnectedError(`bad response frame from ${this.address}: ${(error as Error).message}`),
      );
      return;
    }
    for (const frame of frames) {
      const request = this.inFlight[0];
      const correlationId = frame.length >= 4 ? frame.readInt32BE(0) : -1;
      if (request === undefined || correlationId !== request.correlationId) {
        this.closeSocket(
          socket,
          new DisconnectedError(
            `${this.address} answered correlation id ${correlationId}, expected ${request?.correlationId ?? 'none'}`,
          ),
        );
        return;
      }
      this.inFlight.shift();
      clearTimeout(request.timer);
      try {
        request.resolve(decodeResponse(request.apiKey, request.apiVersion, frame).body);
      } catch (error) {
        request.reject(error as Error);
        this.closeSocket(socket, new DisconnectedError(`undecodable response from ${this.address}`));
        return;
      }
    }
  }

  private closeSocket(socket: net.Socket, error: Error): void {
    if (socket !== this.socket) return;
    this.socket = null;
    socket.removeAllListeners('data');
    socket.destroy();
    const failed = this.inFlight.splice(0);
    for (const request of failed) {
      clearTimeout(request.timer);
      request.reject(error);
    }
    if (failed.length > 0) this.logger.debug(`${error.message}; ${failed.length} request(s) failed`);
  }
}
