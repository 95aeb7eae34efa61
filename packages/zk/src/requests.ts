import { ZkError, type ZkCode } from './ZkErrors';

/**
 * Requests and responses of ZooKeeperClient (Kafka zookeeper/ZooKeeperClient.scala's AsyncRequest
 * and AsyncResponse). A response carries the ZooKeeper result code as data; callers branch on it,
 * or call maybeThrow().
 */

export type CreateMode = 'PERSISTENT' | 'EPHEMERAL' | 'PERSISTENT_SEQUENTIAL' | 'EPHEMERAL_SEQUENTIAL';

/** A znode's metadata. Zxids are exact below 2^53 (epoch < 2^21); session ids need all 64 bits. */
export interface ZkStat {
  readonly czxid: number;
  readonly mzxid: number;
  readonly pzxid: number;
  /** Creation and modification times, ms since the epoch. */
  readonly ctime: number;
  readonly mtime: number;
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  /** The owning session of an ephemeral znode; 0n for a persistent one. */
  readonly ephemeralOwner: bigint;
  readonly dataLength: number;
  readonly numChildren: number;
}

export interface ExistsRequest {
  readonly type: 'exists';
  readonly path: string;
}
export interface GetDataRequest {
  readonly type: 'getData';
  readonly path: string;
}
export interface GetChildrenRequest {
  readonly type: 'getChildren';
  readonly path: string;
  /** Arm a child watch if a child-change handler is registered for the path (default true). */
  readonly registerWatch?: boolean;
}
export interface CreateRequest {
  readonly type: 'create';
  readonly path: string;
  readonly data: Buffer | null;
  readonly mode: CreateMode;
}
export interface SetDataRequest {
  readonly type: 'setData';
  readonly path: string;
  readonly data: Buffer | null;
  /** Expected znode version; -1 matches any. */
  readonly version: number;
}
export interface DeleteRequest {
  readonly type: 'delete';
  readonly path: string;
  readonly version: number;
}
export interface CheckOp {
  readonly type: 'check';
  readonly path: string;
  readonly version: number;
}
/** One operation of a multi: all of them happen, or none. */
export type ZkOp = CreateRequest | SetDataRequest | DeleteRequest | CheckOp;
export interface MultiRequest {
  readonly type: 'multi';
  readonly ops: readonly ZkOp[];
  /** Names the request in errors; Kafka's MultiResponse path is null. */
  readonly path?: string;
}

export type ZkRequest =
  | ExistsRequest
  | GetDataRequest
  | GetChildrenRequest
  | CreateRequest
  | SetDataRequest
  | DeleteRequest
  | MultiRequest;

interface ResponseBase {
  readonly code: ZkCode;
  readonly path: string;
}
export interface ExistsResponse extends ResponseBase {
  readonly stat: ZkStat | null;
}
export interface GetDataResponse extends ResponseBase {
  /** The znode's bytes (empty for a znode without data); null unless code is OK. */
  readonly data: Buffer | null;
  readonly stat: ZkStat | null;
}
export interface GetChildrenResponse extends ResponseBase {
  readonly children: string[];
}
export interface CreateResponse extends ResponseBase {
  /** The created znode's path: differs from `path` for sequential znodes. */
  readonly name: string | null;
}
export interface SetDataResponse extends ResponseBase {
  readonly stat: ZkStat | null;
}
export type DeleteResponse = ResponseBase;
export interface ZkOpResult {
  readonly op: ZkOp;
  readonly code: ZkCode;
  /** Created path, for a create. */
  readonly name?: string;
  /** New stat, for a setData. */
  readonly stat?: ZkStat | null;
}
export interface MultiResponse extends ResponseBase {
  /** One per op when the server answered; the failing op has its code, the others OK or RUNTIMEINCONSISTENCY. */
  readonly results: readonly ZkOpResult[] | null;
}

export type ResponseOf<R extends ZkRequest> = R extends ExistsRequest
  ? ExistsResponse
  : R extends GetDataRequest
    ? GetDataResponse
    : R extends GetChildrenRequest
      ? GetChildrenResponse
      : R extends CreateRequest
        ? CreateResponse
        : R extends SetDataRequest
          ? SetDataResponse
          : R extends DeleteRequest
            ? DeleteResponse
            : R extends MultiRequest
              ? MultiResponse
              : never;

export type ZkResponse = ResponseOf<ZkRequest>;

/** Throws the response's code as a ZkError unless it is OK (Kafka AsyncResponse.maybeThrow). */
export function maybeThrow(response: { readonly code: ZkCode; readonly path: string }): void {
  if (response.code !== 'OK') throw new ZkError(response.code, response.path);
}

/** A response with `code` and nothing else, for a request that never reached the server. */
export function failedResponse<R extends ZkRequest>(request: R, code: ZkCode): ResponseOf<R> {
  const base = { code, path: request.path ?? '' };
  switch (request.type) {
    case 'exists':
    case 'setData':
      return { ...base, stat: null } as ResponseOf<R>;
    case 'getData':
      return { ...base, data: null, stat: null } as ResponseOf<R>;
    case 'getChildren':
      return { ...base, children: [] } as unknown as ResponseOf<R>;
    case 'create':
      return { ...base, name: null } as ResponseOf<R>;
    case 'delete':
      return base as ResponseOf<R>;
    case 'multi':
      return { ...base, results: null } as ResponseOf<R>;
  }
}
