import type { EventEmitter } from 'events';
import type { Logger } from '@samsa/common';
import {
  failedResponse,
  type CreateMode,
  type ResponseOf,
  type ZkOp,
  type ZkOpResult,
  type ZkRequest,
  type ZkStat,
} from './requests';
import { zkCodeOf, type ZkCode } from './ZkErrors';

/**
 * The binding to node-zookeeper-client 1.1.3 (untyped JavaScript): the part we use, typed here
 * rather than as an ambient module so it cannot clash with the tests' own declarations. Only this
 * file and ZooKeeperClient.ts touch the library.
 */
interface RawStat {
  czxid: Buffer;
  mzxid: Buffer;
  pzxid: Buffer;
  ctime: Buffer;
  mtime: Buffer;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: Buffer;
  dataLength: number;
  numChildren: number;
}
export interface RawEvent {
  getType(): number;
  getPath(): string;
}
export type RawWatcher = (event: RawEvent) => void;
type RawCallback<T> = (error: (Error & { code?: number }) | null, result: T, stat?: RawStat) => void;
interface RawOpResult {
  type: number;
  err?: number;
  path?: string;
  stat?: RawStat;
}
interface RawTransaction {
  ops: unknown[];
  commit(callback: (error: (Error & { code?: number }) | null, results?: RawOpResult[]) => void): void;
}
/** ConnectionManager internals: its state tells "reconnecting" from "closed", which getState() does not. */
export interface RawConnectionManager {
  state: number;
  socket?: { destroyed?: boolean; destroy(): void; on(event: 'data', listener: () => void): void };
}
export interface RawClient extends EventEmitter {
  connect(): void;
  close(): void;
  getSessionId(): Buffer;
  getSessionTimeout(): number;
  create(path: string, data: Buffer | null, mode: number, callback: RawCallback<string>): void;
  remove(path: string, version: number, callback: (error: (Error & { code?: number }) | null) => void): void;
  setData(path: string, data: Buffer | null, version: number, callback: RawCallback<RawStat>): void;
  getData(
    path: string,
    watcher: RawWatcher | undefined,
    callback: (e: Error | null, data: Buffer | undefined, stat: RawStat) => void,
  ): void;
  exists(path: string, watcher: RawWatcher | undefined, callback: RawCallback<RawStat | null>): void;
  getChildren(path: string, watcher: RawWatcher | undefined, callback: RawCallback<string[]>): void;
  transaction(): RawTransaction;
  connectionManager: RawConnectionManager;
}

interface Library {
  createClient(
    connectString: string,
    options: { sessionTimeout: number; spinDelay: number; retries: number },
  ): RawClient;
  CreateMode: Record<CreateMode, number>;
  ACL: { OPEN_ACL_UNSAFE: unknown[] };
  Event: {
    NODE_CREATED: number;
    NODE_DELETED: number;
    NODE_DATA_CHANGED: number;
    NODE_CHILDREN_CHANGED: number;
  };
}
const lib = require('node-zookeeper-client') as Library;
const OP_CODES = require('node-zookeeper-client/lib/jute').OP_CODES as Record<string, number>;

export const RawEventType = lib.Event;

/** ConnectionManager.STATES of 1.1.3. */
export const RawConnectionState = {
  CONNECTING: 1,
  CONNECTED: 2,
  CLOSED: -2,
  SESSION_EXPIRED: -3,
  AUTHENTICATION_FAILED: -4,
} as const;

export function createRawClient(
  connectString: string,
  sessionTimeoutMs: number,
  spinDelayMs: number,
): RawClient {
  return lib.createClient(connectString, {
    sessionTimeout: sessionTimeoutMs,
    spinDelay: spinDelayMs,
    retries: 0,
  });
}

export function sessionIdOf(raw: RawClient): bigint {
  return raw.getSessionId().readBigUInt64BE(0);
}

function toStat(raw: RawStat | null | undefined): ZkStat | null {
  if (raw === null || raw === undefined) return null;
  const long = (b: Buffer): number => Number(b.readBigInt64BE(0));
  return {
    czxid: long(raw.czxid),
    mzxid: long(raw.mzxid),
    pzxid: long(raw.pzxid),
    ctime: long(raw.ctime),
    mtime: long(raw.mtime),
    version: raw.version,
    cversion: raw.cversion,
    aversion: raw.aversion,
    ephemeralOwner: raw.ephemeralOwner.readBigUInt64BE(0),
    dataLength: raw.dataLength,
    numChildren: raw.numChildren,
  };
}

function codeOf(error: (Error & { code?: number }) | null): ZkCode {
  if (error === null) return 'OK';
  if (typeof error.code === 'number') return zkCodeOf(error.code);
  throw error; // not a ZooKeeper error: a bug (the library asserts its arguments)
}

/**
 * The library's Transaction.check/setData/remove turn version 0 into -1 (`version || -1`), which
 * would make a fenced write unconditional; so ops go into the transaction as raw records.
 */
function rawOp(op: ZkOp): unknown {
  switch (op.type) {
    case 'create':
      return {
        type: OP_CODES.CREATE,
        path: op.path,
        data: op.data ?? undefined,
        acls: lib.ACL.OPEN_ACL_UNSAFE,
        mode: lib.CreateMode[op.mode],
      };
    case 'setData':
      return { type: OP_CODES.SET_DATA, path: op.path, data: op.data ?? undefined, version: op.version };
    case 'delete':
      return { type: OP_CODES.DELETE, path: op.path, version: op.version };
    case 'check':
      return { type: OP_CODES.CHECK, path: op.path, version: op.version };
  }
}

function opResult(op: ZkOp, raw: RawOpResult): ZkOpResult {
  if (raw.type === OP_CODES.ERROR) return { op, code: zkCodeOf(raw.err ?? 0) };
  if (op.type === 'create') return { op, code: 'OK', name: raw.path };
  if (op.type === 'setData') return { op, code: 'OK', stat: toStat(raw.stat) };
  return { op, code: 'OK' };
}

/** Sends one request on `raw`; a watcher is passed where the caller wants a watch armed. */
export function sendRaw<R extends ZkRequest>(
  raw: RawClient,
  request: R,
  watcher: RawWatcher | undefined,
): Promise<ResponseOf<R>> {
  return new Promise((resolve, reject) => {
    const done = (value: unknown): void => resolve(value as ResponseOf<R>);
    const fail = (error: (Error & { code?: number }) | null): boolean => {
      try {
        const code = codeOf(error);
        if (code === 'OK') return false;
        done(failedResponse(request, code));
      } catch (bug) {
        reject(bug);
      }
      return true;
    };
    const r = request as ZkRequest;
    const path = r.path ?? '';
    switch (r.type) {
      case 'exists':
        return raw.exists(
          path,
          watcher,
          (e, stat) => fail(e) || done({ code: stat ? 'OK' : 'NONODE', path, stat: toStat(stat) }),
        );
      case 'getData':
        return raw.getData(
          path,
          watcher,
          (e, data, stat) =>
            fail(e) || done({ code: 'OK', path, data: data ?? Buffer.alloc(0), stat: toStat(stat) }),
        );
      case 'getChildren':
        return raw.getChildren(
          path,
          watcher,
          (e, children) => fail(e) || done({ code: 'OK', path, children }),
        );
      case 'create':
        return raw.create(
          path,
          r.data,
          lib.CreateMode[r.mode],
          (e, name) => fail(e) || done({ code: 'OK', path, name }),
        );
      case 'setData':
        return raw.setData(
          path,
          r.data,
          r.version,
          (e, stat) => fail(e) || done({ code: 'OK', path, stat: toStat(stat) }),
        );
      case 'delete':
        return raw.remove(path, r.version, (e) => fail(e) || done({ code: 'OK', path }));
      case 'multi': {
        const transaction = raw.transaction();
        transaction.ops.push(...r.ops.map(rawOp));
        return transaction.commit((e, results) => {
          let code: ZkCode;
          try {
            code = codeOf(e);
          } catch (bug) {
            return reject(bug);
          }
          const opResults = Array.isArray(results) ? r.ops.map((op, i) => opResult(op, results[i])) : null;
          done({ code, path, results: opResults });
        });
      }
    }
  });
}

const CLOSE_TIMEOUT_MS = 3000;

/** Closes a library client and waits until its connection is gone (or gives up after a deadline). */
export async function closeRaw(raw: RawClient, logger: Logger): Promise<void> {
  const manager = raw.connectionManager;
  const finished = (): boolean =>
    manager.state === RawConnectionState.CLOSED ||
    manager.state === RawConnectionState.SESSION_EXPIRED ||
    manager.state === RawConnectionState.AUTHENTICATION_FAILED;
  if (finished()) return;
  const wasConnected = manager.state === RawConnectionState.CONNECTED;
  raw.close();
  // Not connected, nobody would answer the closeSession: drop the socket (a pending connect attempt
  // then ends in CLOSED instead of a new connection).
  if (!wasConnected) manager.socket?.destroy();
  const deadline = Date.now() + CLOSE_TIMEOUT_MS;
  while (!finished()) {
    if (Date.now() > deadline) {
      manager.socket?.destroy();
      if (Date.now() > deadline + CLOSE_TIMEOUT_MS) {
        logger.warn(`ZooKeeper connection did not close (state ${manager.state})`);
        return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The Java client drops a connection that has heard nothing from the server for 2/3 of the session
 * timeout (its read timeout; a live server answers the pings sent every 1/3). node-zookeeper-client
 * has no such timeout, so a server that stops answering (paused, or a ZooKeeper 3.8 that accepted a
 * connection while still starting and then leaks it) would hold the client in CONNECTED or
 * CONNECTING for ever. This watchdog destroys such a socket; the library then reconnects.
 * Returns the function that stops it.
 */
export function startReadTimeoutWatchdog(raw: RawClient, logger: Logger): () => void {
  const manager = raw.connectionManager;
  let watched: RawConnectionManager['socket'];
  let lastHeardMs = Date.now();
  let stopped = false;
  const readTimeoutMs = (): number => Math.max(500, Math.floor((raw.getSessionTimeout() * 2) / 3));
  const timer = setInterval(() => {
    const socket = manager.socket;
    if (socket !== watched) {
      watched = socket;
      lastHeardMs = Date.now();
      socket?.on('data', () => (lastHeardMs = Date.now()));
      return;
    }
    const silent = (): boolean => {
      const live =
        manager.state === RawConnectionState.CONNECTING || manager.state === RawConnectionState.CONNECTED;
      return (
        !stopped &&
        socket === manager.socket &&
        socket !== undefined &&
        !socket.destroyed &&
        live &&
        Date.now() - lastHeardMs > readTimeoutMs()
      );
    };
    if (!silent()) return;
    // Timers run before I/O in each turn of the event loop: after the loop was blocked (a long
    // synchronous task), this timer fires before the bytes the server sent meanwhile are read. Look
    // again once they have been (setImmediate runs after the I/O phase), so that a busy process does
    // not drop a healthy connection.
    setImmediate(() => {
      if (!silent()) return;
      logger.warn(`Nothing heard from the ZooKeeper server for ${Date.now() - lastHeardMs} ms; reconnecting`);
      lastHeardMs = Date.now();
      socket!.destroy();
    });
  }, 100);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
