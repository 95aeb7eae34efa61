import { consoleLogger, type Logger } from '@samsa/common';
import {
  failedResponse,
  maybeThrow,
  type CreateResponse,
  type MultiRequest,
  type MultiResponse,
  type ResponseOf,
  type ZkOp,
  type ZkRequest,
  type ZkStat,
} from './requests';
import { ControllerEpochZNode, ZkVersion } from './ZkData';
import { ControllerMovedError, ZkError } from './ZkErrors';
import {
  ZooKeeperClient,
  type StateChangeHandler,
  type ZNodeChangeHandler,
  type ZNodeChildChangeHandler,
  type ZooKeeperClientOptions,
} from './ZooKeeperClient';

export interface KafkaZkClientOptions extends ZooKeeperClientOptions {
  /**
   * Create the connect string's chroot if it is missing, as a Kafka broker does at start
   * (KafkaServer.initZkClient); admin tools leave it alone. Default false.
   */
  createChroot?: boolean;
}

/** The chroot of a connect string ("host:port/chroot" → "/chroot"), or null. */
export function chrootOf(connectString: string): string | null {
  const slash = connectString.indexOf('/');
  if (slash <= 0 || slash === connectString.length - 1) return null;
  return connectString.substring(slash);
}

function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  if (slash === -1) throw new Error(`Invalid path ${path}`);
  return path.substring(0, slash);
}

/**
 * The plumbing under KafkaZkClient (Kafka KafkaZkClient.scala's private half): requests retried
 * across connection loss, controller writes fenced on /controller_epoch's version, and the generic
 * path operations. Typed Kafka operations are in KafkaZkClient.
 */
export abstract class KafkaZkClientBase {
  protected readonly logger: Logger;

  protected constructor(
    readonly zooKeeperClient: ZooKeeperClient,
    options: { logger?: Logger; name?: string } = {},
  ) {
    this.logger = options.logger ?? consoleLogger(options.name === undefined ? 'zk' : `zk ${options.name}`);
  }

  /** Connects a ZooKeeperClient, first creating the chroot when asked to (see KafkaZkClientOptions). */
  protected static async connectZooKeeper(
    connectString: string,
    options: KafkaZkClientOptions,
  ): Promise<ZooKeeperClient> {
    const chroot = chrootOf(connectString);
    if (chroot !== null && options.createChroot === true) {
      const root = await ZooKeeperClient.connect(
        connectString.substring(0, connectString.indexOf('/')),
        options,
      );
      try {
        await new ChrootCreator(root, options).makeSurePersistentPathExists(chroot);
      } finally {
        await root.close();
      }
    }
    return ZooKeeperClient.connect(connectString, options);
  }

  get sessionId(): bigint {
    return this.zooKeeperClient.sessionId;
  }

  close(): Promise<void> {
    return this.zooKeeperClient.close();
  }

  // ---- watches and session handlers -------------------------------------------------------------

  /** Registers the handler, then arms its watch with an exists(); true when the znode exists. */
  async registerZNodeChangeHandlerAndCheckExistence(
    path: string,
    handler: ZNodeChangeHandler,
  ): Promise<boolean> {
    this.zooKeeperClient.registerZNodeChangeHandler(path, handler);
    const response = await this.retryRequestUntilConnected({ type: 'exists', path });
    if (response.code === 'OK') return true;
    if (response.code === 'NONODE') return false;
    throw new ZkError(response.code, path);
  }

  registerZNodeChangeHandler(path: string, handler: ZNodeChangeHandler): void {
    this.zooKeeperClient.registerZNodeChangeHandler(path, handler);
  }

  unregisterZNodeChangeHandler(path: string): void {
    this.zooKeeperClient.unregisterZNodeChangeHandler(path);
  }

  registerZNodeChildChangeHandler(path: string, handler: ZNodeChildChangeHandler): void {
    this.zooKeeperClient.registerZNodeChildChangeHandler(path, handler);
  }

  unregisterZNodeChildChangeHandler(path: string): void {
    this.zooKeeperClient.unregisterZNodeChildChangeHandler(path);
  }

  registerStateChangeHandler(handler: StateChangeHandler): void {
    this.zooKeeperClient.registerStateChangeHandler(handler);
  }

  unregisterStateChangeHandler(name: string): void {
    this.zooKeeperClient.unregisterStateChangeHandler(name);
  }

  // ---- generic path operations ------------------------------------------------------------------

  async pathExists(path: string): Promise<boolean> {
    const response = await this.retryRequestUntilConnected({ type: 'exists', path });
    if (response.code === 'OK') return true;
    if (response.code === 'NONODE') return false;
    throw new ZkError(response.code, path);
  }

  /** Children of `path` ([] when it does not exist); arms a child watch if a handler is registered. */
  async getChildren(path: string): Promise<string[]> {
    const response = await this.retryRequestUntilConnected({
      type: 'getChildren',
      path,
      registerWatch: true,
    });
    if (response.code === 'OK') return response.children;
    if (response.code === 'NONODE') return [];
    throw new ZkError(response.code, path);
  }

  /** Data and stat, or nulls when the znode does not exist. */
  async getDataAndStat(path: string): Promise<{ data: Buffer | null; stat: ZkStat | null }> {
    const response = await this.retryRequestUntilConnected({ type: 'getData', path });
    if (response.code === 'OK') return { data: response.data, stat: response.stat };
    if (response.code === 'NONODE') return { data: null, stat: null };
    throw new ZkError(response.code, path);
  }

  /** Data and znode version; version is ZkVersion.UnknownVersion when the znode does not exist. */
  async getDataAndVersion(path: string): Promise<{ data: Buffer | null; version: number }> {
    const { data, stat } = await this.getDataAndStat(path);
    return { data, version: stat === null ? ZkVersion.UnknownVersion : stat.version };
  }

  /**
   * setData conditional on `expectVersion`. On BADVERSION the optional checker may decide the
   * write had in fact happened (the data there is ours, e.g. a retry after a lost answer).
   */
  async conditionalUpdatePath(
    path: string,
    data: Buffer,
    expectVersion: number,
    checker?: (path: string, data: Buffer) => Promise<{ succeeded: boolean; version: number }>,
  ): Promise<{ succeeded: boolean; version: number }> {
    const response = await this.retryRequestUntilConnected({
      type: 'setData',
      path,
      data,
      version: expectVersion,
    });
    switch (response.code) {
      case 'OK':
        return { succeeded: true, version: response.stat!.version };
      case 'BADVERSION':
        if (checker !== undefined) return checker(path, data);
        return { succeeded: false, version: ZkVersion.UnknownVersion };
      case 'NONODE':
        return { succeeded: false, version: ZkVersion.UnknownVersion };
      default:
        throw new ZkError(response.code, path);
    }
  }

  async makeSurePersistentPathExists(path: string): Promise<void> {
    await this.createRecursive(path, null, { throwIfPathExists: false });
  }

  /** Creates `path` with `data`, and any missing parents without data (Kafka createRecursive). */
  async createRecursive(
    path: string,
    data: Buffer | null = null,
    { throwIfPathExists = true } = {},
  ): Promise<void> {
    const create = (p: string, d: Buffer | null): Promise<CreateResponse> =>
      this.retryRequestUntilConnected({ type: 'create', path: p, data: d, mode: 'PERSISTENT' });
    const createParents = async (p: string): Promise<void> => {
      if (p === '') throw new ZkError('NONODE', path, 'the root (chroot) does not exist');
      let response = await create(p, null);
      if (response.code === 'NONODE') {
        await createParents(parentPath(p));
        response = await create(p, null);
      }
      if (response.code !== 'OK' && response.code !== 'NODEEXISTS') maybeThrow(response);
    };
    let response = await create(path, data);
    if (response.code === 'NONODE') {
      await createParents(parentPath(path));
      response = await create(path, data);
    }
    if (response.code === 'NODEEXISTS' && !throwIfPathExists) return;
    maybeThrow(response);
  }

  /** Deletes `path` and everything under it; false when it did not exist. Fenced when a version is given. */
  async deleteRecursive(
    path: string,
    expectedControllerEpochZkVersion: number = ZkVersion.MatchAnyVersion,
  ): Promise<boolean> {
    const children = await this.retryRequestUntilConnected({
      type: 'getChildren',
      path,
      registerWatch: true,
    });
    if (children.code === 'NONODE') return false;
    if (children.code !== 'OK') throw new ZkError(children.code, path);
    await Promise.all(
      children.children.map((child) =>
        this.deleteRecursive(`${path}/${child}`, expectedControllerEpochZkVersion),
      ),
    );
    const response = await this.retryRequestUntilConnected(
      { type: 'delete', path, version: ZkVersion.MatchAnyVersion },
      expectedControllerEpochZkVersion,
    );
    if (response.code !== 'OK' && response.code !== 'NONODE') throw new ZkError(response.code, path);
    return true;
  }

  /** Creates a PERSISTENT_SEQUENTIAL znode; returns its full name. */
  async createSequentialPersistentPath(path: string, data: Buffer | null): Promise<string> {
    const response = await this.retryRequestUntilConnected({
      type: 'create',
      path,
      data,
      mode: 'PERSISTENT_SEQUENTIAL',
    });
    maybeThrow(response);
    return response.name!;
  }

  // ---- requests ---------------------------------------------------------------------------------

  protected async retryRequestUntilConnected<R extends ZkRequest>(
    request: R,
    expectedControllerEpochZkVersion: number = ZkVersion.MatchAnyVersion,
  ): Promise<ResponseOf<R>> {
    return (await this.retryRequestsUntilConnected([request], expectedControllerEpochZkVersion))[0];
  }

  /**
   * Sends the requests, resending those that met a connection loss once connected again. With an
   * expected controller epoch zkVersion (>= 0), each write goes as a multi that first checks
   * /controller_epoch's version (Kafka wrapRequestWithControllerEpochCheck); a failed check throws
   * ControllerMovedError, so a deposed controller's write never lands.
   */
  protected async retryRequestsUntilConnected<R extends ZkRequest>(
    requests: readonly R[],
    expectedControllerEpochZkVersion: number = ZkVersion.MatchAnyVersion,
  ): Promise<Array<ResponseOf<R>>> {
    if (expectedControllerEpochZkVersion === ZkVersion.MatchAnyVersion)
      return this.retryUntilConnected(requests);
    if (!Number.isInteger(expectedControllerEpochZkVersion) || expectedControllerEpochZkVersion < 0) {
      throw new Error(
        `Expected controller epoch zkVersion ${expectedControllerEpochZkVersion} should be non-negative or -1`,
      );
    }
    const wrapped = requests.map((r) => wrapWithControllerEpochCheck(r, expectedControllerEpochZkVersion));
    const responses = await this.retryUntilConnected(wrapped);
    return responses.map((response, i) =>
      unwrapControllerEpochCheck(requests[i], response, expectedControllerEpochZkVersion),
    );
  }

  private async retryUntilConnected<R extends ZkRequest>(
    requests: readonly R[],
  ): Promise<Array<ResponseOf<R>>> {
    const responses = new Array<ResponseOf<R>>(requests.length);
    let remaining = requests.map((request, index) => ({ request, index }));
    while (remaining.length > 0) {
      const batch = await this.zooKeeperClient.handleRequests(remaining.map((r) => r.request));
      const retry: typeof remaining = [];
      batch.forEach((response, i) => {
        if (response.code === 'CONNECTIONLOSS') retry.push(remaining[i]);
        else responses[remaining[i].index] = response;
      });
      remaining = retry;
      if (remaining.length > 0) await this.zooKeeperClient.waitUntilConnected();
    }
    return responses;
  }
}

function wrapWithControllerEpochCheck(request: ZkRequest, expectedVersion: number): MultiRequest {
  if (request.type !== 'create' && request.type !== 'setData' && request.type !== 'delete') {
    throw new Error(`${request.type} ${request.path ?? ''} does not need a controller epoch check`);
  }
  const check: ZkOp = { type: 'check', path: ControllerEpochZNode.path(), version: expectedVersion };
  return { type: 'multi', path: request.path, ops: [check, request] };
}

function unwrapControllerEpochCheck<R extends ZkRequest>(
  request: R,
  response: MultiResponse,
  expectedVersion: number,
): ResponseOf<R> {
  if (response.results === null) throw new ZkError(response.code, request.path);
  const [check, op] = response.results;
  if (check.code === 'BADVERSION') {
    throw new ControllerMovedError(
      `Controller epoch zkVersion check fails. Expected zkVersion = ${expectedVersion}`,
    );
  }
  if (check.code !== 'OK') throw new ZkError(check.code, ControllerEpochZNode.path());
  const base = failedResponse(request, op.code) as unknown as Record<string, unknown>;
  if (op.op.type === 'create') base.name = op.name ?? null;
  if (op.op.type === 'setData') base.stat = op.stat ?? null;
  return base as unknown as ResponseOf<R>;
}

/** A bare client on the server's root, only to create the chroot. */
class ChrootCreator extends KafkaZkClientBase {
  constructor(zooKeeperClient: ZooKeeperClient, options: KafkaZkClientOptions) {
    super(zooKeeperClient, options);
  }
}
