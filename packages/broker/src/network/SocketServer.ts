import { type Logger } from '@samsa/common';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { ANONYMOUS, certificateSubject, userPrincipal, usesSasl, type KafkaPrincipal } from '@samsa/security';
import type { KafkaConfig } from '../config/KafkaConfig';
import { Connection, type ConnectionSecurity, type ConnectionSnapshot } from './Connection';
import { parseListeners, type ListenerSpec } from './EndPoint';
import { PLAINTEXT_LISTENER, listenerSecurityOf, type ListenerSecurity } from './ListenerSecurity';
import type { SaslServerAuthenticator } from './SaslServerAuthenticator';
import type { RequestProcessor } from './RequestDispatcher';
import { SocketServerStats } from './SocketServerStats';
import { ConnectionQuotas, UNLIMITED_CONNECTIONS } from './ConnectionQuotas';

export interface SocketServerOptions {
  readonly listeners: readonly ListenerSpec[];
  /** socket.request.max.bytes */
  readonly requestMaxBytes: number;
  /** queued.max.requests, per connection: requests in flight before reading stops. */
  readonly queuedMaxRequests: number;
  /** Response bytes waiting per connection before reading stops (default 32 MiB). */
  readonly queuedMaxResponseBytes?: number;
  /** Request bytes being handled per connection before dispatching stops (default 4 MiB). */
  readonly queuedMaxRequestBytes?: number;
  /** connections.max.idle.ms; 0 or less: never close for idleness. */
  readonly connectionsMaxIdleMs: number;
  /** max.connections.per.ip (when no connectionQuotas are given) */
  readonly maxConnectionsPerIp: number;
  /** Kafka's ConnectionQuotas (max.connections, per ip, creation rates); default: per ip only. */
  readonly connectionQuotas?: ConnectionQuotas;
  /** How long shutdown() lets in-flight requests finish before cutting connections (default 5 s). */
  readonly shutdownGraceMs?: number;
  /** How long a closing connection may take to flush its last responses (default 5 s). */
  readonly closeLingerMs?: number;
  /** Each listener's security protocol and TLS settings, by listener name; absent: PLAINTEXT. */
  readonly listenerSecurity?: ReadonlyMap<string, ListenerSecurity>;
  /** How long a TLS handshake may take before the socket is closed (default 10 s). */
  readonly tlsHandshakeTimeoutMs?: number;
  /** A new connection's SaslServerAuthenticator on a SASL listener, with its failure delay. */
  readonly saslAuthenticator?: (listenerName: string) => { authenticator: SaslServerAuthenticator; failedAuthenticationDelayMs: number };
}

export interface BoundEndpoint {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

const DEFAULT_QUEUED_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
const DEFAULT_QUEUED_MAX_REQUEST_BYTES = 4 * 1024 * 1024;
const DEFAULT_SHUTDOWN_GRACE_MS = 5_000;
const DEFAULT_CLOSE_LINGER_MS = 5_000;
const DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** The SocketServer's settings from the broker configuration (Kafka's keys). */
export function socketServerOptions(
  config: KafkaConfig,
  /** This broker's dynamic config (/config/brokers/<id>): listener.name.<l>.ssl.* there win. */
  dynamic: ReadonlyMap<string, string> = new Map(),
): SocketServerOptions {
  const listeners = parseListeners(config.list('listeners'));
  const security = listenerSecurityOf(config, listeners, dynamic);
  return {
    listeners,
    ...(security.size > 0 ? { listenerSecurity: security } : {}),
    requestMaxBytes: config.int('socket.request.max.bytes'),
    queuedMaxRequests: config.int('queued.max.requests'),
    connectionsMaxIdleMs: config.int('connections.max.idle.ms'),
    maxConnectionsPerIp: config.int('max.connections.per.ip'),
  };
}

/**
 * Kafka's SocketServer for Node: one net.Server per listener, one Connection per client socket
 * (framing, pipelined dispatch, in-order responses, backpressure, idle expiry — see Connection).
 * Requests go to a RequestProcessor (the RequestDispatcher over the ApiRegistry).
 *
 * SSL and SASL_SSL listeners: each accepted socket (counted against max.connections.per.ip like
 * any other) is handed to a node:tls server of that listener; the Connection is made once the
 * handshake is done, with the listener's protocol and the principal (SSL: the mapped subject of a
 * verified client certificate, else User:ANONYMOUS; SASL_SSL: ANONYMOUS until SASL says who). A
 * handshake that fails, does not finish within tlsHandshakeTimeoutMs, presents a certificate the
 * truststore does not vouch for, or whose subject no mapping rule matches, closes the socket and
 * counts in stats.failedAuthentications (Kafka's failed-authentication-total).
 *
 *   startup()  binds every listener (port 0: an ephemeral port, see boundPort/endpoints);
 *   shutdown() 1. stops accepting, 2. stops reading requests, 3. lets in-flight responses be
 *              written for up to shutdownGraceMs, 4. cuts what is left.
 */
export class SocketServer {
  readonly stats = new SocketServerStats();
  private readonly servers = new Map<string, Server>();
  /** The TLS server of each SSL / SASL_SSL listener; fed sockets by the listener's net.Server. */
  private readonly tlsServers = new Map<string, TlsServer>();
  /** Sockets of TLS listeners whose handshake has not finished, by the client's ip:port. */
  private readonly handshaking = new Map<string, Socket>();
  private readonly bound = new Map<string, BoundEndpoint>();
  private readonly connections = new Set<Connection>();
  private readonly connectionQuotas: ConnectionQuotas;
  private nextConnectionIndex = 0;
  private stopping = false;

  constructor(
    private readonly options: SocketServerOptions,
    private readonly processor: RequestProcessor,
    private readonly logger: Logger,
  ) {
    if (options.listeners.length === 0) throw new Error('programmer error: a SocketServer needs a listener');
    this.connectionQuotas =
      options.connectionQuotas ??
      new ConnectionQuotas(
        { ...UNLIMITED_CONNECTIONS, maxConnectionsPerIp: options.maxConnectionsPerIp },
        { listeners: options.listeners.map((l) => l.name), rate: { samples: 11, timeWindowMs: 1000 }, logger },
      );
    this.connectionQuotas.onRejected = () => this.stats.connectionsRejected++;
  }

  private securityOf(listenerName: string): ListenerSecurity {
    return this.options.listenerSecurity?.get(listenerName) ?? PLAINTEXT_LISTENER;
  }

  async startup(): Promise<void> {
    for (const l of this.options.listeners) {
      const security = this.securityOf(l.name);
      if (security.tls !== undefined) this.tlsServers.set(l.name, this.tlsServerFor(l.name, security));
      const server = createServer({ noDelay: true, keepAlive: true }, (socket) =>
        this.accept(l.name, socket),
      );
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: l.host === '' ? undefined : l.host, port: l.port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('error', (err) => this.logger.error(`listener ${l.name} failed`, err));
      const addr = server.address() as AddressInfo;
      this.servers.set(l.name, server);
      this.bound.set(l.name, { name: l.name, host: l.host, port: addr.port });
      this.logger.info(
        `Awaiting socket connections on ${l.host || '0.0.0.0'}:${addr.port} (listener ${l.name}, ${security.securityProtocol})`,
      );
    }
  }

  /** The port a listener is bound to (useful when configured with port 0). */
  boundPort(listenerName: string): number {
    const b = this.bound.get(listenerName);
    if (!b) throw new Error(`programmer error: no bound listener ${listenerName}`);
    return b.port;
  }

  endpoints(): BoundEndpoint[] {
    return [...this.bound.values()];
  }

  /**
   * New TLS material for a listener (a keystore or truststore changed by AlterConfigs): handshakes
   * from now on use it; connections already open keep theirs, as in Kafka.
   */
  reconfigureTls(listenerName: string, security: ListenerSecurity): void {
    const server = this.tlsServers.get(listenerName);
    if (server === undefined || security.tls === undefined) {
      throw new Error(`programmer error: listener ${listenerName} does not run TLS`);
    }
    server.setSecureContext(security.tls);
  }

  /** Per-connection numbers now (in-flight requests, queued bytes, paused reading). */
  connectionSnapshots(): ConnectionSnapshot[] {
    return [...this.connections].map((c) => c.snapshot());
  }

  async shutdown(graceMs = this.options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.connectionQuotas.close();
    this.logger.info('Stopping socket server request processors');
    const serversClosed = [...this.servers.values()].map(
      (s) => new Promise<void>((resolve) => s.close(() => resolve())),
    );
    for (const socket of this.handshaking.values()) socket.destroy();
    const drained = Promise.all([...this.connections].map((c) => c.drainAndClose()));
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([drained, expired]);
    clearTimeout(timer);
    for (const c of this.connections) c.destroy();
    await Promise.all([...this.connections].map((c) => c.closedPromise));
    await Promise.all(serversClosed);
    this.servers.clear();
    this.logger.info('Shutdown completed');
  }

  private accept(listenerName: string, socket: Socket): void {
    const ip = socket.remoteAddress;
    if (this.stopping || ip === undefined) {
      this.stats.connectionsRejected++;
      socket.destroy();
      return;
    }
    this.connectionQuotas.accept(listenerName, socket, () => this.admitted(listenerName, socket, ip));
  }

  /** A connection within the ConnectionQuotas: served (PLAINTEXT) or handed to the TLS handshake. */
  private admitted(listenerName: string, socket: Socket, ip: string): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    const tlsServer = this.tlsServers.get(listenerName);
    if (tlsServer === undefined) {
      this.open(listenerName, socket, { securityProtocol: this.securityOf(listenerName).securityProtocol, principal: ANONYMOUS });
      return;
    }
    const key = `${ip}:${socket.remotePort}`;
    this.handshaking.set(key, socket);
    socket.once('close', () => {
      if (this.handshaking.get(key) === socket) this.handshaking.delete(key);
    });
    // node:tls documents emitting 'connection' to hand it a socket: the handshake runs there.
    tlsServer.emit('connection', socket);
  }

  /** The TLS server of a listener: its handshakes end in open() or in a counted refusal. */
  private tlsServerFor(listenerName: string, security: ListenerSecurity): TlsServer {
    const server = createTlsServer({
      ...security.tls,
      handshakeTimeout: this.options.tlsHandshakeTimeoutMs ?? DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
    });
    server.on('secureConnection', (socket: TLSSocket) => {
      this.handshaking.delete(`${socket.remoteAddress}:${socket.remotePort}`);
      if (this.stopping) {
        socket.destroy();
        return;
      }
      let principal: KafkaPrincipal;
      try {
        principal = this.sslPrincipal(socket, security);
      } catch (e) {
        this.failedAuthentication(socket.remoteAddress, (e as Error).message);
        socket.destroy();
        return;
      }
      this.open(listenerName, socket, { securityProtocol: security.securityProtocol, principal });
    });
    server.on('tlsClientError', (error: Error & { code?: string }, socket: TLSSocket) => {
      this.failedAuthentication(socket.remoteAddress, `SSL handshake failed: ${handshakeFailure(error, socket)}`);
      socket.destroy();
    });
    return server;
  }

  /**
   * Who a client is after the handshake: on SSL listeners, the subject of its certificate (RFC 2253)
   * through ssl.principal.mapping.rules when it presented one the truststore vouches for; else
   * User:ANONYMOUS. A certificate that is presented but not trusted (ssl.client.auth=requested lets
   * the handshake finish) throws, as does a subject no rule maps.
   */
  private sslPrincipal(socket: TLSSocket, security: ListenerSecurity): KafkaPrincipal {
    if (security.principalMapper === undefined || security.clientAuth === 'none') return ANONYMOUS;
    const cert = socket.getPeerX509Certificate();
    if (cert === undefined) return ANONYMOUS;
    if (!socket.authorized) {
      throw new Error(`client certificate ${cert.subject.replace(/\n/g, ',')} not trusted: ${String(socket.authorizationError)}`);
    }
    return userPrincipal(security.principalMapper.getName(certificateSubject(cert.raw)));
  }

  private failedAuthentication(address: string | undefined, why: string): void {
    this.stats.failedAuthentications++;
    this.logger.info(`Failed authentication with /${address ?? 'unknown'} (${why})`);
  }

  private open(listenerName: string, socket: Socket, security: ConnectionSecurity): void {
    const ip = socket.remoteAddress ?? 'unknown';
    const clientAddress = `${ip}:${socket.remotePort}`;
    const id = `${socket.localAddress}:${socket.localPort}-${clientAddress}-${this.nextConnectionIndex++}`;
    const sasl = usesSasl(security.securityProtocol) ? this.options.saslAuthenticator?.(listenerName) : undefined;
    const conn = new Connection(
      id,
      clientAddress,
      listenerName,
      socket,
      this.processor,
      {
        requestMaxBytes: this.options.requestMaxBytes,
        queuedMaxRequests: this.options.queuedMaxRequests,
        queuedMaxResponseBytes: this.options.queuedMaxResponseBytes ?? DEFAULT_QUEUED_MAX_RESPONSE_BYTES,
        queuedMaxRequestBytes: this.options.queuedMaxRequestBytes ?? DEFAULT_QUEUED_MAX_REQUEST_BYTES,
        connectionsMaxIdleMs: this.options.connectionsMaxIdleMs,
        closeLingerMs: this.options.closeLingerMs ?? DEFAULT_CLOSE_LINGER_MS,
      },
      this.stats,
      this.logger,
      security,
      sasl?.authenticator,
      sasl?.failedAuthenticationDelayMs,
    );
    this.connections.add(conn);
    this.stats.connectionsAccepted++;
    this.stats.connectionsActive++;
    void conn.closedPromise.then(() => {
      this.connections.delete(conn);
      this.stats.connectionsActive--;
    });
  }
}

/**
 * Why a TLS handshake failed, for the log line. With ssl.client.auth=required node:tls checks the
 * client's certificate once the handshake is done and, if the truststore does not vouch for it,
 * destroys the socket without an alert: the error it reports is then a bare ECONNRESET ("socket
 * hang up"), and only the socket's authorizationError (e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE) says
 * that the certificate was the cause.
 */
function handshakeFailure(error: Error & { code?: string }, socket: TLSSocket): string {
  if (socket.authorizationError !== undefined && socket.authorizationError !== null) {
    return `client certificate not trusted (${String(socket.authorizationError)})`;
  }
  return error.code ?? error.message;
}
