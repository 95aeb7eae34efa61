/**
 * The part of node-zookeeper-client 1.1.3 (untyped JavaScript) that the harness uses. Longs
 * (zxids, times, session ids, ephemeralOwner) arrive as 8-byte big-endian Buffers.
 */
declare module 'node-zookeeper-client' {
  import { EventEmitter } from 'events';

  export interface Stat {
    czxid: Buffer;
    mzxid: Buffer;
    ctime: Buffer;
    mtime: Buffer;
    version: number;
    cversion: number;
    aversion: number;
    ephemeralOwner: Buffer;
    dataLength: number;
    numChildren: number;
    pzxid: Buffer;
  }

  export class State {
    readonly name: string;
    readonly code: number;
    getName(): string;
    getCode(): number;
    static readonly DISCONNECTED: State;
    static readonly SYNC_CONNECTED: State;
    static readonly AUTH_FAILED: State;
    static readonly CONNECTED_READ_ONLY: State;
    static readonly SASL_AUTHENTICATED: State;
    static readonly EXPIRED: State;
  }

  export class Event {
    readonly type: number;
    readonly name: string;
    readonly path: string;
    getType(): number;
    getName(): string;
    getPath(): string;
    static readonly NODE_CREATED: number;
    static readonly NODE_DELETED: number;
    static readonly NODE_DATA_CHANGED: number;
    static readonly NODE_CHILDREN_CHANGED: number;
  }

  export class Exception extends Error {
    readonly code: number;
    readonly path?: string;
    getCode(): number;
    getName(): string;
    static readonly OK: number;
    static readonly CONNECTION_LOSS: number;
    static readonly NO_NODE: number;
    static readonly BAD_VERSION: number;
    static readonly NODE_EXISTS: number;
    static readonly NOT_EMPTY: number;
    static readonly SESSION_EXPIRED: number;
  }

  export const CreateMode: {
    readonly PERSISTENT: 0;
    readonly EPHEMERAL: 1;
    readonly PERSISTENT_SEQUENTIAL: 2;
    readonly EPHEMERAL_SEQUENTIAL: 3;
  };

  export interface ClientOptions {
    sessionTimeout?: number;
    spinDelay?: number;
    retries?: number;
    /** Resume this session instead of creating one (8 bytes, with sessionPassword). */
    sessionId?: Buffer;
    sessionPassword?: Buffer;
  }

  export type Watcher = (event: Event) => void;
  type Callback<T> = (error: Exception | Error | null, result: T) => void;

  export interface Client extends EventEmitter {
    connect(): void;
    close(): void;
    getState(): State;
    getSessionId(): Buffer;
    getSessionPassword(): Buffer;
    getSessionTimeout(): number;
    create(path: string, data: Buffer | null, mode: number, callback: Callback<string>): void;
    remove(path: string, version: number, callback: (error: Exception | Error | null) => void): void;
    setData(path: string, data: Buffer | null, version: number, callback: Callback<Stat>): void;
    getData(
      path: string,
      watcher: Watcher | undefined,
      callback: (error: Exception | Error | null, data: Buffer | undefined, stat: Stat) => void,
    ): void;
    exists(path: string, watcher: Watcher | undefined, callback: Callback<Stat | null>): void;
    getChildren(
      path: string,
      watcher: Watcher | undefined,
      callback: (error: Exception | Error | null, children: string[], stat: Stat) => void,
    ): void;
    on(
      event: 'connected' | 'disconnected' | 'expired' | 'authenticationFailed' | 'connectedReadOnly',
      listener: () => void,
    ): this;
    on(event: 'state', listener: (state: State) => void): this;
    once(
      event: 'connected' | 'disconnected' | 'expired' | 'authenticationFailed' | 'connectedReadOnly',
      listener: () => void,
    ): this;
    once(event: 'state', listener: (state: State) => void): this;
  }

  export function createClient(connectionString: string, options?: ClientOptions): Client;
}
