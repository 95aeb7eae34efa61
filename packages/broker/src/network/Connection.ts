import { type Logger } from '@samsa/common';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { FrameDecoder } from '@samsa/protocol';
import { ApiKey, peekRequestIds } from '@samsa/protocol';
import { ANONYMOUS, usesSasl, principalToString, type KafkaPrincipal, type SecurityProtocol, javaHostAddress } from '@samsa/security';
import type { ConnectionInfo, DispatchOutcome, RequestProcessor } from './RequestDispatcher';
import type { RequestTimes } from './RequestMetrics';
import type { SaslOutcome, SaslServerAuthenticator } from './SaslServerAuthenticator';
import type { SocketServerStats } from './SocketServerStats';

export interface ConnectionLimits {
  /** socket.request.max.bytes: a larger (or negative) frame size closes the connection. */
  readonly requestMaxBytes: number;
  /** queued.max.requests: requests dispatched and not yet answered before reading stops. */
  readonly queuedMaxRequests: number;
  /** Encoded response bytes waiting (in our queue or the socket's buffer) before reading stops. */
  readonly queuedMaxResponseBytes: number;
  /**
   * Request frame bytes being handled (dispatched, not yet answered) before dispatching stops; one
   * request is always let through. Kafka handles one request per connection at a time; this keeps
   * pipelining for small requests while bounding what large produce requests hold in memory.
   */
  readonly queuedMaxRequestBytes: number;
  /** connections.max.idle.ms; 0 or less: never. */
  readonly connectionsMaxIdleMs: number;
  /** How long a connection that is being closed may take to flush what it already wrote. */
  readonly closeLingerMs: number;
}

/**
 * What the listener knows of a connection's security when it is accepted: its protocol and the
 * principal it starts with (User:ANONYMOUS, or the mapped name of an SSL client certificate).
 */
export interface ConnectionSecurity {
  readonly securityProtocol: SecurityProtocol;
  readonly principal: KafkaPrincipal;
}

export const PLAINTEXT_SECURITY: ConnectionSecurity = Object.freeze({
  securityProtocol: 'PLAINTEXT',
  principal: ANONYMOUS,
});

/** A connection's numbers, for metrics and tests. */
export interface ConnectionSnapshot {
  readonly connectionId: string;
  readonly clientAddress: string;
  readonly listenerName: string;
  /** Requests dispatched whose response (or non-response) is not written yet. */
  readonly inFlightRequests: number;
  /** Whole frames received but not dispatched (in-flight limit reached). */
  readonly pendingRequests: number;
  /** Encoded response bytes in our queue plus those in the socket's write buffer. */
  readonly queuedResponseBytes: number;
  readonly readingPaused: boolean;
  readonly requests: number;
}

interface Slot {
  outcome: DispatchOutcome | null;
  /** Size of the request frame, counted against queuedMaxRequestBytes until answered. */
  readonly requestBytes: number;
}

const EMPTY = Buffer.alloc(0);

interface PendingFrame {
  readonly frame: Buffer;
  readonly receivedAtMs: number;
  readonly receivedAtHrMs: number;
}

/**
 * One client connection: frames in, requests dispatched as they arrive, responses out strictly in
 * request order.
 *
 * Ordering: every dispatched request takes a slot at the tail of `queue`; a handler finishing fills
 * its slot; `flush` writes from the head only while the head slot is filled. An acks=0 Produce fills
 * its slot with "no response", so it holds its place without writing anything.
 *
 * Backpressure: dispatching and reading stop (socket.pause) while `queuedMaxRequests` requests are
 * in flight, or while the responses waiting in the queue plus the socket's unflushed bytes exceed
 * `queuedMaxResponseBytes`; frames already received wait undispatched (no more than one socket read
 * delivered, since reading stops while any wait). So a connection holds at most the byte budget plus
 * the responses of its in-flight requests.
 * When socket.write returns false, writing stops until 'drain', so responses wait as queued bytes
 * (counted) rather than piling up inside the socket. Reading resumes when both fall back under.
 */
export class Connection implements ConnectionInfo {
  private readonly decoder: FrameDecoder;
  private readonly pending: PendingFrame[] = [];
  private readonly queue: Slot[] = [];
  private queuedBytes = 0;
  private inFlightRequestBytes = 0;
  private writeBlocked = false;
  private readPaused = false;
  /** No more requests are taken: closing, or a request asked to close. */
  private refusing = false;
  private closed = false;
  private pumping = false;
  private flushing = false;
  private draining = false;
  /** end() was called: incoming bytes are read and dropped until the peer closes too. */
  private ending = false;
  private requestCount = 0;
  private lingerTimer: NodeJS.Timeout | undefined;
  /**
   * KIP-219 throttling: while set, the connection is muted (no frame dispatched, no read) until
   * `throttledUntilMs`; responses still go out.
   */
  private throttleTimer: NodeJS.Timeout | undefined;
  private throttledUntilMs = 0;
  /** A failed authentication's response, held for connection.failed.authentication.delay.ms. */
  private authFailureTimer: NodeJS.Timeout | undefined;
  /**
   * Responses written but not yet taken by the kernel that wait for it (request metrics, buffers
   * to return), in write order; each has an empty write with onResponseSent queued after it
   * (write callbacks come in order).
   */
  private readonly sending: { times?: RequestTimes; onSent?: (() => void)[] }[] = [];
  private readonly onResponseSent = (): void => {
    const s = this.sending.shift();
    if (s) sent(s.times, s.onSent);
  };
  readonly closedPromise: Promise<void>;
  readonly securityProtocol: SecurityProtocol;
  readonly clientHost: string;
  /** Who the client is now (SASL authentication replaces the listener's initial principal). */
  principal: KafkaPrincipal;
  /** SASL sessions this connection has had: the first is its authentication, the others re-authentications (KIP-368). */
  private saslSessions = 0;

  constructor(
    readonly connectionId: string,
    readonly clientAddress: string,
    readonly listenerName: string,
    private readonly socket: Socket,
    private readonly processor: RequestProcessor,
    private readonly limits: ConnectionLimits,
    private readonly stats: SocketServerStats,
    private readonly logger: Logger,
    security: ConnectionSecurity = PLAINTEXT_SECURITY,
    /**
     * SASL_PLAINTEXT / SASL_SSL: the connection's SaslServerAuthenticator, which sees every frame
     * until the client has authenticated (and each re-authentication). A SASL connection without
     * one serves nothing.
     */
    private readonly saslAuthenticator?: SaslServerAuthenticator,
    /** connection.failed.authentication.delay.ms */
    private readonly failedAuthenticationDelayMs = 0,
  ) {
    this.securityProtocol = security.securityProtocol;
    this.principal = security.principal;
    // As Kafka writes it (ACL hosts are compared with it exactly): ::ffff:10.0.0.5 is 10.0.0.5.
    this.clientHost = javaHostAddress(socket.remoteAddress ?? clientAddress.slice(0, clientAddress.lastIndexOf(':')));
    this.decoder =
      saslAuthenticator === undefined
        ? new FrameDecoder(limits.requestMaxBytes)
        : new FrameDecoder(Math.min(limits.requestMaxBytes, saslAuthenticator.maxReceiveSize), 'sasl.server.max.receive.size');
    let onClosed!: () => void;
    this.closedPromise = new Promise<void>((resolve) => (onClosed = resolve));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => {
      this.writeBlocked = false;
      this.flush();
    });
    socket.on('error', (err) => this.logger.debug(`connection ${connectionId}: ${err.message}`));
    socket.on('close', () => {
      this.closed = true;
      if (this.lingerTimer) clearTimeout(this.lingerTimer);
      if (this.authFailureTimer) clearTimeout(this.authFailureTimer);
      if (this.throttleTimer) clearTimeout(this.throttleTimer);
      this.pending.length = 0;
      this.queue.length = 0;
      this.queuedBytes = 0;
      onClosed();
    });
    if (limits.connectionsMaxIdleMs > 0) {
      socket.setTimeout(limits.connectionsMaxIdleMs, () => this.onIdle());
    }
  }

  snapshot(): ConnectionSnapshot {
    return {
      connectionId: this.connectionId,
      clientAddress: this.clientAddress,
      listenerName: this.listenerName,
      inFlightRequests: this.queue.length,
      pendingRequests: this.pending.length,
      queuedResponseBytes: this.queuedResponseBytes(),
      readingPaused: this.readPaused,
      requests: this.requestCount,
    };
  }

  /** Stops taking requests, lets those in flight be answered, then closes (server shutdown). */
  drainAndClose(): Promise<void> {
    this.draining = true;
    this.refusing = true;
    this.pending.length = 0;
    this.updateReading();
    this.maybeFinishDrain();
    return this.closedPromise;
  }

  /** Closes now, dropping whatever is queued. */
  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.stats.bytesIn += chunk.length;
    if (this.refusing || this.closed) return;
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      // Kafka's InvalidReceiveException: the stream cannot be parsed any further.
      this.logger.warn(
        `Closing connection ${this.connectionId} from ${this.clientAddress}: ${(e as Error).message}`,
      );
      this.stats.connectionsClosedOnError++;
      this.refusing = true;
      this.socket.destroy();
      return;
    }
    if (frames.length === 0) return;
    const now = Date.now();
    const hrNow = performance.now();
    for (const frame of frames) this.pending.push({ frame, receivedAtMs: now, receivedAtHrMs: hrNow });
    this.pump();
  }

  /** True while another request may be dispatched: under both the request and the byte budget. */
  private underBudget(): boolean {
    return (
      this.throttleTimer === undefined &&
      this.queue.length < this.limits.queuedMaxRequests &&
      this.queuedResponseBytes() <= this.limits.queuedMaxResponseBytes &&
      (this.inFlightRequestBytes === 0 || this.inFlightRequestBytes < this.limits.queuedMaxRequestBytes)
    );
  }

  /** Dispatches received frames, in order, while the budgets allow. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.pending.length > 0 && !this.refusing && this.underBudget()) {
        const { frame, receivedAtMs, receivedAtHrMs } = this.pending.shift()!;
        this.dispatch(frame, receivedAtMs, receivedAtHrMs);
      }
    } finally {
      this.pumping = false;
    }
    this.updateReading();
  }

  /**
   * The SASL hook (Kafka's KafkaChannel.prepare and the Processor's re-authentication checks): true
   * when the frame was taken by authentication (answered, or the connection is failing).
   */
  private authenticating(frame: Buffer): boolean {
    const auth = this.saslAuthenticator;
    if (auth === undefined) {
      if (!usesSasl(this.securityProtocol)) return false;
      this.refuse({ kind: 'fail', chunks: null, reason: 'a SASL connection without an authenticator', delayed: false }, frame.length);
      return true;
    }
    if (auth.complete) {
      const apiKey = frame.length >= 8 ? peekRequestIds(frame).apiKey : -1;
      if (apiKey === ApiKey.SaslHandshake && auth.maybeBeginReauthentication()) {
        // KIP-368: the handshake of a re-authentication goes to the authenticator
      } else if (auth.sessionExpired()) {
        this.refuse(
          { kind: 'fail', chunks: null, reason: 'the SASL session expired (connections.max.reauth.ms) without re-authentication', delayed: false },
          frame.length,
        );
        return true;
      } else {
        return false;
      }
    }
    const outcome = auth.handle(frame);
    if (outcome.kind === 'dispatch') return false;
    if (outcome.kind === 'fail') {
      this.refuse(outcome, frame.length);
      return true;
    }
    const slot: Slot = { outcome: null, requestBytes: frame.length };
    this.inFlightRequestBytes += frame.length;
    this.queue.push(slot);
    if (auth.complete) {
      this.principal = auth.principal!;
      this.decoder.setMaxFrameBytes(this.limits.requestMaxBytes, 'socket.request.max.bytes');
      if (this.saslSessions++ === 0) {
        this.stats.successfulAuthentications++;
      } else {
        this.stats.successfulReauthentications++;
        this.logger.debug(`Successfully re-authenticated ${principalToString(this.principal)} on ${this.connectionId}`);
      }
    }
    this.complete(slot, respond(outcome.chunks));
    return true;
  }

  /**
   * A failed authentication: nothing more is read; the failure's response (if any) is written
   * after connection.failed.authentication.delay.ms (Kafka's delay against brute force), then the
   * connection closes.
   */
  private refuse(outcome: Extract<SaslOutcome, { kind: 'fail' }>, requestBytes: number): void {
    this.refusing = true;
    this.pending.length = 0;
    this.stats.failedAuthentications++;
    this.logger.info(`Failed authentication with ${this.clientHost} (${outcome.reason})`);
    const reason = `authentication failed: ${outcome.reason}`;
    if (!outcome.delayed || this.failedAuthenticationDelayMs <= 0) {
      const answer: Slot = { outcome: null, requestBytes: 0 };
      const last: Slot = { outcome: null, requestBytes: 0 };
      this.queue.push(answer, last);
      this.complete(answer, outcome.chunks !== null ? respond(outcome.chunks) : { kind: 'noResponse' });
      this.complete(last, { kind: 'close', reason });
      return;
    }
    const held: Slot = { outcome: null, requestBytes };
    this.inFlightRequestBytes += requestBytes;
    const last: Slot = { outcome: null, requestBytes: 0 };
    this.queue.push(held, last);
    this.complete(last, { kind: 'close', reason });
    this.authFailureTimer = setTimeout(() => {
      this.authFailureTimer = undefined;
      this.complete(held, outcome.chunks !== null ? respond(outcome.chunks) : { kind: 'noResponse' });
    }, this.failedAuthenticationDelayMs);
  }

  private dispatch(frame: Buffer, receivedAtMs: number, receivedAtHrMs: number): void {
    if ((this.saslAuthenticator !== undefined || usesSasl(this.securityProtocol)) && this.authenticating(frame)) {
      this.requestCount++;
      this.stats.requests++;
      return;
    }
    const slot: Slot = { outcome: null, requestBytes: frame.length };
    this.inFlightRequestBytes += frame.length;
    this.queue.push(slot);
    this.requestCount++;
    this.stats.requests++;
    let result: DispatchOutcome | Promise<DispatchOutcome>;
    try {
      result = this.processor.dispatch(frame, this, receivedAtMs, receivedAtHrMs);
    } catch (e) {
      this.logger.error(`connection ${this.connectionId}: request dispatch threw`, e);
      result = { kind: 'close', reason: 'internal error while dispatching a request' };
    }
    if (result instanceof Promise) {
      result.then(
        (o) => this.complete(slot, o),
        (e) => {
          this.logger.error(`connection ${this.connectionId}: request dispatch failed`, e);
          this.complete(slot, { kind: 'close', reason: 'internal error while handling a request' });
        },
      );
    } else {
      // A close decided at dispatch (malformed, unknown): take nothing after it.
      if (result.kind === 'close') {
        this.refusing = true;
        this.pending.length = 0;
      }
      this.complete(slot, result);
    }
  }

  private complete(slot: Slot, outcome: DispatchOutcome): void {
    if (this.closed) return;
    slot.outcome = outcome;
    this.inFlightRequestBytes -= slot.requestBytes;
    if (outcome.kind !== 'close' && outcome.throttleMs !== undefined && outcome.throttleMs > 0) this.mute(outcome.throttleMs);
    if (outcome.kind === 'response') this.queuedBytes += outcome.bytes;
    this.flush();
    this.pump();
  }

  /**
   * A quota throttled the client (Kafka's ThrottledChannel and the channel's MUTED_AND_THROTTLED
   * state): no further request is read for `ms` from now (a later throttle extends it); the
   * responses already due are still written.
   */
  private mute(requestedMs: number): void {
    // setTimeout fires at once for more than 2^31-1 ms (and for NaN): keep to what it can wait
    const ms = Number.isFinite(requestedMs) ? Math.min(requestedMs, 0x7fffffff) : 0x7fffffff;
    const until = Date.now() + ms;
    if (until <= this.throttledUntilMs) return;
    this.throttledUntilMs = until;
    if (this.throttleTimer) clearTimeout(this.throttleTimer);
    this.throttleTimer = setTimeout(() => {
      this.throttleTimer = undefined;
      this.pump();
    }, ms);
    this.updateReading();
  }

  /** Writes answered requests from the head of the queue, stopping at the first unanswered one. */
  private flush(): void {
    if (this.flushing || this.closed) return;
    this.flushing = true;
    try {
      while (!this.writeBlocked && this.queue.length > 0 && this.queue[0].outcome !== null) {
        const outcome = this.queue.shift()!.outcome!;
        if (outcome.kind === 'response') {
          this.queuedBytes -= outcome.bytes;
          this.stats.bytesOut += outcome.bytes;
          this.stats.responses++;
          const times = outcome.times;
          times?.responseDequeued();
          if (!this.write(outcome.chunks)) this.writeBlocked = true;
          if (times !== undefined || outcome.onSent !== undefined) this.responseWritten(times, outcome.onSent);
        } else if (outcome.kind === 'noResponse') {
          outcome.times?.completed();
        } else if (outcome.kind === 'close') {
          this.logger.warn(
            `Closing connection ${this.connectionId} from ${this.clientAddress}: ${outcome.reason}`,
          );
          this.stats.connectionsClosedOnError++;
          this.closeGracefully();
          return;
        }
      }
    } finally {
      this.flushing = false;
    }
    this.pump();
    this.maybeFinishDrain();
  }

  /** Writes one response's chunks as one vectored write; false when the socket wants a 'drain'. */
  private write(chunks: readonly Buffer[]): boolean {
    this.socket.cork();
    let ok = true;
    for (const c of chunks) ok = this.socket.write(c);
    this.socket.uncork();
    return ok;
  }

  /**
   * Request metrics: the response is sent when the kernel has taken its last byte. Usually the
   * vectored write does that at once (nothing left in the socket's buffer); otherwise an empty
   * write queued behind it calls back when it has gone (a callback on every write would cost a
   * tick per response).
   */
  private responseWritten(times: RequestTimes | undefined, onSent: (() => void)[] | undefined): void {
    if (this.sending.length === 0 && this.socket.writableLength === 0) {
      sent(times, onSent);
      return;
    }
    this.sending.push({ times, onSent });
    this.socket.write(EMPTY, this.onResponseSent);
  }

  private queuedResponseBytes(): number {
    return this.queuedBytes + (this.closed ? 0 : this.socket.writableLength);
  }

  private updateReading(): void {
    if (this.closed || this.ending) return;
    const stop = this.refusing || this.pending.length > 0 || !this.underBudget();
    if (stop && !this.readPaused) {
      this.readPaused = true;
      this.socket.pause();
    } else if (!stop && this.readPaused) {
      this.readPaused = false;
      this.socket.resume();
    }
  }

  private maybeFinishDrain(): void {
    if (this.draining && !this.closed && this.queue.length === 0) this.closeGracefully();
  }

  /**
   * Ends the connection once what is already written is flushed, bounded by the linger. Reading
   * resumes (bytes dropped) until the peer's FIN: closing with unread input would send a reset, and
   * a reset can make the client discard the responses it has not read yet.
   */
  private closeGracefully(): void {
    if (this.closed || this.ending) return;
    this.ending = true;
    this.refusing = true;
    this.pending.length = 0;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.socket.end();
    this.lingerTimer = setTimeout(() => this.socket.destroy(), this.limits.closeLingerMs);
    this.lingerTimer.unref();
    this.readPaused = false;
    this.socket.resume();
  }

  private onIdle(): void {
    if (this.closed) return;
    if (this.queue.length > 0 || this.pending.length > 0) return; // busy: a long poll is not idleness
    this.logger.debug(
      `Closing connection ${this.connectionId} from ${this.clientAddress}: idle for ${this.limits.connectionsMaxIdleMs} ms`,
    );
    this.stats.connectionsClosedIdle++;
    this.refusing = true;
    this.socket.destroy();
  }
}

function respond(chunks: readonly Buffer[]): DispatchOutcome {
  let bytes = 0;
  for (const c of chunks) bytes += c.length;
  return { kind: 'response', chunks, bytes };
}

/** A response's last byte is with the kernel (or its socket is gone: nothing will read its chunks). */
function sent(times: RequestTimes | undefined, onSent: (() => void)[] | undefined): void {
  times?.completed();
  if (onSent) for (const fn of onSent) fn();
}
