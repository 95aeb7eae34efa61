import * as zookeeper from 'node-zookeeper-client';
import type { Client, Stat, Watcher } from 'node-zookeeper-client';
import { waitFor, withTimeout } from './wait';

/**
 * Promise wrappers over node-zookeeper-client for tests that look at or poke ZooKeeper directly.
 * Product code has its own client (packages/zk); these are for assertions and fault injection.
 */
export type ZkClient = Client;
export type { Stat, Watcher };

export interface ConnectZkOptions {
  sessionTimeoutMs?: number;
  /** Deadline for the first 'connected'. */
  connectTimeoutMs?: number;
}

export type ZnodeMode = 'persistent' | 'ephemeral' | 'persistent_sequential' | 'ephemeral_sequential';

const CREATE_MODES: Record<ZnodeMode, number> = {
  persistent: zookeeper.CreateMode.PERSISTENT,
  ephemeral: zookeeper.CreateMode.EPHEMERAL,
  persistent_sequential: zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
  ephemeral_sequential: zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
};

/**
 * ConnectionManager's own states (node-zookeeper-client 1.1.3, lib/ConnectionManager.js). The
 * client's public getState() reports DISCONNECTED both while it reconnects and after it is closed
 * or expired; these tell the two apart.
 */
const CONNECTION = { CONNECTED: 2, CLOSED: -2, SESSION_EXPIRED: -3, AUTHENTICATION_FAILED: -4 } as const;

interface ConnectionManagerInternals {
  state: number;
  socket?: { destroy(): void };
  connect(): void;
}

function connectionManager(client: Client): ConnectionManagerInternals {
  return (client as unknown as { connectionManager: ConnectionManagerInternals }).connectionManager;
}

/** Connects and resolves once the session is established; rejects (and gives up) at the deadline. */
export function connectZk(connectString: string, options: ConnectZkOptions = {}): Promise<ZkClient> {
  return openClient(connectString, options);
}

async function openClient(
  connectString: string,
  { sessionTimeoutMs = 6000, connectTimeoutMs = 10_000 }: ConnectZkOptions,
  resume?: { sessionId: Buffer; sessionPassword: Buffer },
): Promise<ZkClient> {
  const client = zookeeper.createClient(connectString, { sessionTimeout: sessionTimeoutMs, ...resume });
  const connected = new Promise<void>((resolve) => client.once('connected', resolve));
  client.connect();
  try {
    await withTimeout(connected, connectTimeoutMs, `a ZooKeeper session with ${connectString}`);
  } catch (error) {
    await close(client);
    throw error;
  }
  return client;
}

/** Closes the session (the server deletes its ephemeral znodes) and waits for the socket to go. */
export async function close(
  client: ZkClient,
  { timeoutMs = 3000 }: { timeoutMs?: number } = {},
): Promise<void> {
  const manager = connectionManager(client);
  const finished = (): boolean =>
    manager.state === CONNECTION.CLOSED ||
    manager.state === CONNECTION.SESSION_EXPIRED ||
    manager.state === CONNECTION.AUTHENTICATION_FAILED;
  if (finished()) return;
  client.close();
  try {
    await waitFor(finished, { timeoutMs, intervalMs: 10, what: 'the ZooKeeper client to close' });
  } catch {
    // No answer to closeSession (server paused or gone): drop the socket; the session then
    // ends by timeout on the server, if it is alive.
    manager.socket?.destroy();
    await waitFor(finished, {
      timeoutMs: 1000,
      intervalMs: 10,
      what: 'the ZooKeeper client socket to close',
    });
  }
}

export function create(
  client: ZkClient,
  path: string,
  data: Buffer | string | null = null,
  { mode = 'persistent' }: { mode?: ZnodeMode } = {},
): Promise<string> {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return new Promise((resolve, reject) =>
    client.create(path, bytes, CREATE_MODES[mode], (error, created) =>
      error ? reject(error) : resolve(created),
    ),
  );
}

export function getData(
  client: ZkClient,
  path: string,
  watcher?: Watcher,
): Promise<{ data: Buffer | null; stat: Stat }> {
  return new Promise((resolve, reject) =>
    client.getData(path, watcher, (error, data, stat) =>
      error ? reject(error) : resolve({ data: data ?? null, stat }),
    ),
  );
}

export function setData(
  client: ZkClient,
  path: string,
  data: Buffer | string | null,
  { version = -1 }: { version?: number } = {},
): Promise<Stat> {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return new Promise((resolve, reject) =>
    client.setData(path, bytes, version, (error, stat) => (error ? reject(error) : resolve(stat))),
  );
}

export function remove(
  client: ZkClient,
  path: string,
  { version = -1 }: { version?: number } = {},
): Promise<void> {
  return new Promise((resolve, reject) =>
    client.remove(path, version, (error) => (error ? reject(error) : resolve())),
  );
}

export function getChildren(client: ZkClient, path: string, watcher?: Watcher): Promise<string[]> {
  return new Promise((resolve, reject) =>
    client.getChildren(path, watcher, (error, children) => (error ? reject(error) : resolve(children))),
  );
}

/** The znode's Stat, or null when it does not exist. */
export function exists(client: ZkClient, path: string, watcher?: Watcher): Promise<Stat | null> {
  return new Promise((resolve, reject) =>
    client.exists(path, watcher, (error, stat) => (error ? reject(error) : resolve(stat))),
  );
}

/** A session id (or ephemeralOwner) as ZooKeeper prints it in logs and `cons`: 0x, no leading zeros. */
export function sessionIdHex(idOrOwner: Buffer): string {
  return `0x${idOrOwner.readBigUInt64BE().toString(16)}`;
}

/**
 * Forces a real expiry of `client`'s session, the way Kafka's test harness does: a second
 * connection resumes the same session (same id and password), then closes it. The server ends the
 * session (its ephemeral znodes go); the original client, reconnecting with the dead session id,
 * is told so and emits 'expired'. Resolves after that event.
 *
 * One wrinkle: when the second connection takes the session over, the server drops the original
 * connection, and node-zookeeper-client reconnects at once (the Java client waits up to a second),
 * taking the session back before the second connection can close it; the closeSession then fails
 * as "session moved" and nothing expires. So the original client's reconnect is held back
 * (ConnectionManager.connect, an internal of 1.1.3) until the second connection has closed.
 */
export async function expireSession(
  connectString: string,
  client: ZkClient,
  { timeoutMs = 10_000 }: { timeoutMs?: number } = {},
): Promise<void> {
  const manager = connectionManager(client);
  if (manager.state !== CONNECTION.CONNECTED) {
    throw new Error(`expireSession needs a connected client; its connection state is ${manager.state}`);
  }
  const sessionId = client.getSessionId();
  const expired = new Promise<void>((resolve) => client.once('expired', resolve));

  let reconnectWanted = false;
  Object.defineProperty(manager, 'connect', {
    configurable: true,
    writable: true,
    value: () => {
      reconnectWanted = true;
    },
  });
  try {
    const twin = await openClient(
      connectString,
      { sessionTimeoutMs: client.getSessionTimeout(), connectTimeoutMs: timeoutMs },
      {
        sessionId,
        sessionPassword: client.getSessionPassword(),
      },
    );
    try {
      if (!twin.getSessionId().equals(sessionId)) {
        throw new Error(
          `the server gave the second connection session ${sessionIdHex(twin.getSessionId())}, not ${sessionIdHex(sessionId)}`,
        );
      }
      await waitFor(() => reconnectWanted, {
        timeoutMs,
        intervalMs: 10,
        what: 'the server to drop the original connection',
      });
    } finally {
      await close(twin);
    }
  } finally {
    delete (manager as Partial<ConnectionManagerInternals>).connect; // the prototype's connect again
    if (reconnectWanted) manager.connect();
  }
  await withTimeout(expired, timeoutMs, `session ${sessionIdHex(sessionId)} to be reported expired`);
}
