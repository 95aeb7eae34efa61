import * as net from 'node:net';
import * as tls from 'node:tls';
import { usesSasl, usesTls } from '@samsa/security';
import { FrameDecoder } from '@samsa/protocol';
import type { ClientSecurity } from './ClientSecurity';
import { DisconnectedError } from './errors';
import { authenticateSasl } from './SaslClientAuthenticator';

/** Largest response frame accepted unless told otherwise (a Metadata answer of a big cluster fits easily). */
export const DEFAULT_MAX_RESPONSE_BYTES = 100 * 1024 * 1024;

export interface KafkaChannelOptions {
  readonly host: string;
  readonly port: number;
  /** Deadline of the connection attempt; none (the operating system's) when absent. */
  readonly connectTimeoutMs?: number;
  /**
   * Largest frame accepted: a size prefix above it closes the channel before anything is
   * allocated for the frame.
   */
  readonly maxResponseBytes?: number;
  /** How the connection is secured; PLAINTEXT when absent. */
  readonly security?: ClientSecurity;
}

/** What a channel reports to its owner. */
export interface KafkaChannelListener {
  /** One whole frame, without its size prefix, in arrival order (a view: copy it to keep it past the call). */
  onFrame(frame: Buffer): void;
  /** Called once, when the channel is gone, with why. */
  onClose(error: DisconnectedError): void;
}

/**
 * One TCP connection to a broker that speaks in size-prefixed frames (the part of Kafka's
 * KafkaChannel a client needs): TCP_NODELAY and keep-alive on, frames cut out by a FrameDecoder
 * that checks each size prefix against the limit before buffering it, and one close path that
 * reports once. It knows nothing of correlation ids: NetworkClient matches responses to requests
 * on top of it, and tests write hand-made (or broken) bytes through it.
 */
export class KafkaChannel {
  private listener: KafkaChannelListener | null = null;
  private closed = false;
  private readonly decoder: FrameDecoder;

  private constructor(
    /** The socket, for tests that pause reading; owners write through the channel. */
    readonly socket: net.Socket,
    readonly address: string,
    maxResponseBytes: number,
  ) {
    this.decoder = new FrameDecoder(maxResponseBytes);
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    socket.on('error', (error) =>
      this.close(new DisconnectedError(`connection to ${this.address} failed: ${error.message}`)),
    );
    socket.on('close', () =>
      this.close(new DisconnectedError(`connection to ${this.address} was closed by the broker`)),
    );
  }

  /**
   * Opens a connection; rejects with DisconnectedError when it fails or times out (the deadline
   * covers the TLS handshake too). SSL and SASL_SSL connect with node:tls and `security.tls`
   * (host name checked against the certificate unless its checkServerIdentity says otherwise).
   */
  static async connect(options: KafkaChannelOptions): Promise<KafkaChannel> {
    const address = `${options.host}:${options.port}`;
    const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const protocol = options.security?.securityProtocol ?? 'PLAINTEXT';
    const socket = await openSocket(options, address, usesTls(protocol));
    if (usesSasl(protocol)) {
      // SASL_PLAINTEXT / SASL_SSL: authenticate before the channel carries anything else, within
      // the same connect deadline.
      try {
        await withDeadline(saslStep(socket, options.security?.sasl, address), options.connectTimeoutMs, address);
      } catch (error) {
        socket.destroy();
        throw error;
      }
    }
    return new KafkaChannel(socket, address, maxResponseBytes);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Starts reading; frames and the close go to `listener`. A channel closed before this call
   * reports its close at once.
   */
  listen(listener: KafkaChannelListener): void {
    if (this.listener !== null) throw new Error(`channel to ${this.address} already has a listener`);
    this.listener = listener;
    if (this.closed) {
      listener.onClose(new DisconnectedError(`connection to ${this.address} is closed`));
      return;
    }
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.resume(); // a SASL exchange before the channel existed leaves the socket paused
  }

  /**
   * Writes chunks (one encoded request, or any bytes) in one go. `onWritten` hears when the last
   * chunk has been handed to the operating system (with an error if the socket failed first).
   */
  write(chunks: readonly Buffer[], onWritten?: (error?: Error | null) => void): void {
    if (this.closed) {
      onWritten?.(new DisconnectedError(`connection to ${this.address} is closed`));
      return;
    }
    this.socket.cork();
    chunks.forEach((chunk, i) => {
      if (i === chunks.length - 1 && onWritten !== undefined) this.socket.write(chunk, onWritten);
      else this.socket.write(chunk);
    });
    this.socket.uncork();
  }

  /** Writes `payload` behind its int32 size prefix. */
  writeFrame(payload: Buffer): void {
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length);
    this.write([size, payload]);
  }

  /** Closes the connection (idempotent); the listener hears `error` once. */
  close(
    error: DisconnectedError = new DisconnectedError(`connection to ${this.address} closed by its owner`),
  ): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.removeAllListeners('data');
    this.socket.destroy();
    this.listener?.onClose(error);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      this.close(
        new DisconnectedError(`bad response frame from ${this.address}: ${(error as Error).message}`),
      );
      return;
    }
    for (const frame of frames) {
      // A frame handler may close the channel: the frames after that are not delivered.
      if (this.closed) return;
      this.listener?.onFrame(frame);
    }
  }
}

/** A connected socket: plain TCP, or TLS once its handshake is done. */
function openSocket(options: KafkaChannelOptions, address: string, withTls: boolean): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = withTls
      ? tls.connect({
          ...options.security?.tls,
          host: options.host,
          port: options.port,
          // SNI takes a host name only; an address is checked against the certificate's IP SANs.
          servername: net.isIP(options.host) === 0 ? options.host : undefined,
        })
      : net.connect({ host: options.host, port: options.port, noDelay: true });
    const timeoutMs = options.connectTimeoutMs;
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            socket.destroy();
            reject(new DisconnectedError(`connecting to ${address} timed out after ${timeoutMs} ms`));
          }, timeoutMs);
    socket.once(withTls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new DisconnectedError(`cannot connect to ${address}: ${error.message}`));
    });
  });
}

function saslStep(socket: net.Socket, sasl: ClientSecurity['sasl'], address: string): Promise<void> {
  if (sasl === undefined) return Promise.reject(new DisconnectedError(`cannot connect to ${address}: SASL without credentials`));
  return authenticateSasl(socket, sasl, address);
}

function withDeadline<T>(work: Promise<T>, timeoutMs: number | undefined, address: string): Promise<T> {
  if (timeoutMs === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DisconnectedError(`authenticating to ${address} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
