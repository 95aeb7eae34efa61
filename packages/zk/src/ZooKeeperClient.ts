import { EventEmitter } from 'events';
import { consoleLogger, type Logger } from '@samsa/common';
import {
  closeRaw,
  createRawClient,
  RawEventType,
  startReadTimeoutWatchdog,
  sendRaw,
  sessionIdOf,
  type RawClient,
  type RawEvent,
  type RawWatcher,
} from './nodeZk';
import {
  failedResponse,
  type CreateMode,
  type CreateResponse,
  type DeleteResponse,
  type ExistsResponse,
  type GetChildrenResponse,
  type GetDataResponse,
  type MultiResponse,
  type ResponseOf,
  type SetDataResponse,
  type ZkOp,
  type ZkRequest,
} from './requests';
import { ZooKeeperClientClosedError, ZooKeeperClientTimeoutError, type ZkCode } from './ZkErrors';

/**
 * A promise-based ZooKeeper client shaped like Kafka's ZooKeeperClient (zookeeper/ZooKeeperClient.scala):
 *
 * - Every request answers with a response carrying ZooKeeper's result code; nothing throws for a
 *   ZooKeeper error. Requests made while disconnected wait for the connection; those in flight
 *   when it drops answer CONNECTIONLOSS (KafkaZkClient retries them).
 * - Watches: register a handler for a path, and every exists/getData (or getChildren) of that path
 *   arms a one-shot ZooKeeper watch. When it fires the handler is called without a payload; the
 *   owner re-reads the path, which re-arms the watch (level-triggered, as Kafka's controller works).
 * - Session expiry: requests answer SESSIONEXPIRED, the 'expired' event fires, state-change handlers
 *   run beforeInitializingSession, a NEW session is created, and once it connects 'reinitialized'
 *   fires and afterInitializingSession runs, where owners re-create ephemerals and re-arm watches.
 * - A chroot in the connect string ("host:port/chroot") prefixes every path (the library does it).
 */
export interface ZNodeChangeHandler {
  handleCreation?(): void;
  handleDeletion?(): void;
  handleDataChange?(): void;
}

export interface ZNodeChildChangeHandler {
  handleChildChange(): void;
}

export interface StateChangeHandler {
  readonly name: string;
  /** The session has expired; runs before the new session is created. Awaited. */
  beforeInitializingSession?(): void | Promise<void>;
  /** A new session is connected: re-register ephemerals, re-arm watches. */
  afterInitializingSession?(): void | Promise<void>;
}

export interface ZooKeeperClientOptions {
  /** Requested session timeout; the server clamps it to its min/max (Kafka's default 18000). */
  sessionTimeoutMs?: number;
  /** Deadline for the first connection (Kafka's zookeeper.connection.timeout.ms; default: the session timeout). */
  connectionTimeoutMs?: number;
  /** Longest random pause between reconnect rounds (default 1000, as the Java client). */
  spinDelayMs?: number;
  /** Names the client in logs. */
  name?: string;
  logger?: Logger;
}

export type ConnectionState = 'CONNECTING' | 'CONNECTED' | 'EXPIRED' | 'CLOSED';

export interface ZooKeeperClientEvents {
  connected: [sessionId: bigint];
  disconnected: [];
  expired: [sessionId: bigint];
  reinitialized: [sessionId: bigint];
}

interface Session {
  readonly raw: RawClient;
  /** Requests sent on this session and not answered; answered SESSIONEXPIRED/CONNECTIONLOSS when it ends. */
  readonly pending: Set<(code: ZkCode) => void>;
  readonly reinitialized: boolean;
  connected: boolean;
  everConnected: boolean;
  expired: boolean;
  stopWatchdog: () => void;
}

export class ZooKeeperClient extends EventEmitter<ZooKeeperClientEvents> {
  private readonly zNodeChangeHandlers = new Map<string, ZNodeChangeHandler>();
  private readonly zNodeChildChangeHandlers = new Map<string, ZNodeChildChangeHandler>();
  private readonly stateChangeHandlers = new Map<string, StateChangeHandler>();
  private readonly connectionWaiters = new Set<{ resolve(): void; reject(e: Error): void }>();
  private readonly logger: Logger;
  private readonly sessionTimeoutMs: number;
  private readonly spinDelayMs: number;
  private session: Session;
  private closing: Promise<void> | undefined;
  private lastEvent: RawEvent | undefined;
  private readonly watcher: RawWatcher = (event) => this.dispatchWatch(event);
  /** Told the time from sending each request to its answer (Kafka's ZooKeeperRequestLatencyMs). */
  requestLatencyListener: ((latencyMs: number) => void) | null = null;

  /** Connects and resolves once a session is established; rejects with ZooKeeperClientTimeoutError at the deadline. */
  static async connect(
    connectString: string,
    options: ZooKeeperClientOptions = {},
  ): Promise<ZooKeeperClient> {
    const client = new ZooKeeperClient(connectString, options);
    try {
      await client.waitUntilConnected(options.connectionTimeoutMs ?? client.sessionTimeoutMs);
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  private constructor(
    readonly connectString: string,
    options: ZooKeeperClientOptions,
  ) {
    super();
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 18_000;
    this.spinDelayMs = options.spinDelayMs ?? 1000;
    this.logger = options.logger ?? consoleLogger(options.name === undefined ? 'zk' : `zk ${options.name}`);
    this.session = this.newSession(false);
  }

  /** The current session's id (0n until the first connection). */
  get sessionId(): bigint {
    return sessionIdOf(this.session.raw);
  }

  /** The negotiated session timeout (the requested one until connected). */
  get sessionTimeoutNegotiatedMs(): number {
    return this.session.raw.getSessionTimeout();
  }

  get connectionState(): ConnectionState {
    if (this.closing !== undefined) return 'CLOSED';
    if (this.session.expired) return 'EXPIRED';
    return this.session.connected ? 'CONNECTED' : 'CONNECTING';
  }

  /**
   * The node-zookeeper-client Client of the current session, for tests that force an expiry with
   * the harness's expireSession(). Product code never needs it.
   */
  get currentZooKeeper(): unknown {
    return this.session.raw;
  }

  // ---- requests ---------------------------------------------------------------------------------

  /** Sends one request; ZooKeeper errors come back as the response's code. */
  handleRequest<R extends ZkRequest>(request: R): Promise<ResponseOf<R>> {
    if (this.closing !== undefined)
      return Promise.reject(new ZooKeeperClientClosedError('the ZooKeeper client is closed'));
    const session = this.session;
    if (session.expired) return Promise.resolve(failedResponse(request, 'SESSIONEXPIRED'));
    return new Promise((resolve, reject) => {
      const answer = (code: ZkCode): void => {
        session.pending.delete(answer);
        resolve(failedResponse(request, code));
      };
      session.pending.add(answer);
      const sentAtMs = Date.now();
      sendRaw(session.raw, request, this.watcherFor(request)).then(
        (response) => {
          if (!session.pending.delete(answer)) return; // already answered when the session ended
          this.requestLatencyListener?.(Date.now() - sentAtMs);
          resolve(response);
        },
        (error) => {
          session.pending.delete(answer);
          reject(error);
        },
      );
    });
  }

  /** Sends requests together (pipelined on the one connection); responses in request order. */
  handleRequests<R extends ZkRequest>(requests: readonly R[]): Promise<Array<ResponseOf<R>>> {
    return Promise.all(requests.map((r) => this.handleRequest(r)));
  }

  exists(path: string): Promise<ExistsResponse> {
    return this.handleRequest({ type: 'exists', path });
  }

  getData(path: string): Promise<GetDataResponse> {
    return this.handleRequest({ type: 'getData', path });
  }

  getChildren(
    path: string,
    { registerWatch = true }: { registerWatch?: boolean } = {},
  ): Promise<GetChildrenResponse> {
    return this.handleRequest({ type: 'getChildren', path, registerWatch });
  }

  create(path: string, data: Buffer | null, mode: CreateMode = 'PERSISTENT'): Promise<CreateResponse> {
    return this.handleRequest({ type: 'create', path, data, mode });
  }

  setData(path: string, data: Buffer | null, version: number): Promise<SetDataResponse> {
    return this.handleRequest({ type: 'setData', path, data, version });
  }

  delete(path: string, version: number): Promise<DeleteResponse> {
    return this.handleRequest({ type: 'delete', path, version });
  }

  multi(ops: readonly ZkOp[]): Promise<MultiResponse> {
    return this.handleRequest({ type: 'multi', ops });
  }

  /** Resolves when connected; rejects on timeout, or when the client closes. */
  waitUntilConnected(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    if (this.closing !== undefined)
      return Promise.reject(new ZooKeeperClientClosedError('the ZooKeeper client is closed'));
    if (this.session.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.connectionWaiters.add(waiter);
      if (Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          this.connectionWaiters.delete(waiter);
          reject(
            new ZooKeeperClientTimeoutError(
              `Timed out after ${timeoutMs} ms waiting for a ZooKeeper session with ${this.connectString} (state ${this.connectionState})`,
            ),
          );
        }, timeoutMs);
      }
    });
  }

  // ---- handlers ---------------------------------------------------------------------------------

  registerZNodeChangeHandler(path: string, handler: ZNodeChangeHandler): void {
    this.zNodeChangeHandlers.set(path, handler);
  }

  unregisterZNodeChangeHandler(path: string): void {
    this.zNodeChangeHandlers.delete(path);
  }

  registerZNodeChildChangeHandler(path: string, handler: ZNodeChildChangeHandler): void {
    this.zNodeChildChangeHandlers.set(path, handler);
  }

  unregisterZNodeChildChangeHandler(path: string): void {
    this.zNodeChildChangeHandlers.delete(path);
  }

  registerStateChangeHandler(handler: StateChangeHandler): void {
    this.stateChangeHandlers.set(handler.name, handler);
  }

  unregisterStateChangeHandler(name: string): void {
    this.stateChangeHandlers.delete(name);
  }

  /** Ends the session (its ephemeral znodes go) and waits for the connection to close. Idempotent. */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    const session = this.session;
    this.zNodeChangeHandlers.clear();
    this.zNodeChildChangeHandlers.clear();
    this.stateChangeHandlers.clear();
    for (const waiter of this.connectionWaiters)
      waiter.reject(new ZooKeeperClientClosedError('the ZooKeeper client was closed'));
    this.connectionWaiters.clear();
    session.stopWatchdog();
    this.closing = closeRaw(session.raw, this.logger).finally(() => {
      for (const answer of [...session.pending]) answer('CONNECTIONLOSS');
      session.connected = false;
    });
    return this.closing;
  }

  // ---- internals --------------------------------------------------------------------------------

  private watcherFor(request: ZkRequest): RawWatcher | undefined {
    switch (request.type) {
      case 'exists':
      case 'getData':
        return this.zNodeChangeHandlers.has(request.path) ? this.watcher : undefined;
      case 'getChildren':
        return (request.registerWatch ?? true) && this.zNodeChildChangeHandlers.has(request.path)
          ? this.watcher
          : undefined;
      default:
        return undefined;
    }
  }

  private dispatchWatch(event: RawEvent): void {
    // The library hands one NODE_DELETED event to both a data and a child watch of the path; the
    // handler hears of it once, as with the Java client's single watcher.
    if (event === this.lastEvent) return;
    this.lastEvent = event;
    const path = event.getPath();
    const type = event.getType();
    const node = this.zNodeChangeHandlers.get(path);
    const call = (what: string, fn: (() => void) | undefined, target: object | undefined): void => {
      if (fn === undefined) return;
      try {
        const result: unknown = fn.call(target);
        if (result instanceof Promise)
          result.catch((e) => this.logger.error(`${what} handler for ${path} failed`, e));
      } catch (e) {
        this.logger.error(`${what} handler for ${path} failed`, e);
      }
    };
    if (type === RawEventType.NODE_CHILDREN_CHANGED) {
      const child = this.zNodeChildChangeHandlers.get(path);
      call('child change', child?.handleChildChange, child);
    } else if (type === RawEventType.NODE_CREATED) call('creation', node?.handleCreation, node);
    else if (type === RawEventType.NODE_DELETED) call('deletion', node?.handleDeletion, node);
    else if (type === RawEventType.NODE_DATA_CHANGED) call('data change', node?.handleDataChange, node);
  }

  private newSession(reinitialized: boolean): Session {
    const raw = createRawClient(this.connectString, this.sessionTimeoutMs, this.spinDelayMs);
    const session: Session = {
      raw,
      pending: new Set(),
      reinitialized,
      connected: false,
      everConnected: false,
      expired: false,
      stopWatchdog: startReadTimeoutWatchdog(raw, this.logger),
    };
    raw.on('connected', () => this.onConnected(session));
    raw.on('disconnected', () => this.onDisconnected(session));
    raw.on('expired', () => this.onExpired(session));
    raw.connect();
    return session;
  }

  private isCurrent(session: Session): boolean {
    return session === this.session && this.closing === undefined;
  }

  private onConnected(session: Session): void {
    if (!this.isCurrent(session)) return;
    session.connected = true;
    const sessionId = sessionIdOf(session.raw);
    const first = !session.everConnected;
    session.everConnected = true;
    this.logger.info(`Connected to ${this.connectString}, session 0x${sessionId.toString(16)}`);
    for (const waiter of this.connectionWaiters) waiter.resolve();
    this.connectionWaiters.clear();
    this.emit('connected', sessionId);
    if (first && session.reinitialized) {
      this.emit('reinitialized', sessionId);
      void this.runStateChangeHandlers('afterInitializingSession');
    }
  }

  private onDisconnected(session: Session): void {
    if (!this.isCurrent(session) || !session.connected) return;
    session.connected = false;
    this.logger.info(`Disconnected from ${this.connectString}`);
    this.emit('disconnected');
  }

  /** Kafka's reinitialize(): handlers first, then a new session. */
  private onExpired(session: Session): void {
    if (!this.isCurrent(session) || session.expired) return;
    const sessionId = sessionIdOf(session.raw);
    session.expired = true;
    session.connected = false;
    session.stopWatchdog();
    this.logger.warn(`Session 0x${sessionId.toString(16)} expired; creating a new session`);
    for (const answer of [...session.pending]) answer('SESSIONEXPIRED');
    this.emit('expired', sessionId);
    void this.runStateChangeHandlers('beforeInitializingSession').then(() => {
      if (!this.isCurrent(session)) return;
      void closeRaw(session.raw, this.logger);
      this.session = this.newSession(true);
    });
  }

  private async runStateChangeHandlers(
    phase: 'beforeInitializingSession' | 'afterInitializingSession',
  ): Promise<void> {
    for (const handler of [...this.stateChangeHandlers.values()]) {
      try {
        await handler[phase]?.();
      } catch (e) {
        this.logger.error(`${phase} of state change handler ${handler.name} failed`, e);
      }
    }
  }
}
