/**
 * ZooKeeper result codes by the names Kafka branches on (Java's `KeeperException.Code`), and the
 * errors this package throws.
 */
export type ZkCode =
  | 'OK'
  | 'SYSTEMERROR'
  | 'RUNTIMEINCONSISTENCY'
  | 'DATAINCONSISTENCY'
  | 'CONNECTIONLOSS'
  | 'MARSHALLINGERROR'
  | 'UNIMPLEMENTED'
  | 'OPERATIONTIMEOUT'
  | 'BADARGUMENTS'
  | 'APIERROR'
  | 'NONODE'
  | 'NOAUTH'
  | 'BADVERSION'
  | 'NOCHILDRENFOREPHEMERALS'
  | 'NODEEXISTS'
  | 'NOTEMPTY'
  | 'SESSIONEXPIRED'
  | 'INVALIDCALLBACK'
  | 'INVALIDACL'
  | 'AUTHFAILED'
  | 'SESSIONMOVED'
  | 'UNKNOWN';

/** Wire value → code, and the text Java's KeeperException puts in its message. */
const CODES: ReadonlyArray<readonly [number, ZkCode, string]> = [
  [0, 'OK', 'ok'],
  [-1, 'SYSTEMERROR', 'SystemError'],
  [-2, 'RUNTIMEINCONSISTENCY', 'RuntimeInconsistency'],
  [-3, 'DATAINCONSISTENCY', 'DataInconsistency'],
  [-4, 'CONNECTIONLOSS', 'ConnectionLoss'],
  [-5, 'MARSHALLINGERROR', 'MarshallingError'],
  [-6, 'UNIMPLEMENTED', 'Unimplemented'],
  [-7, 'OPERATIONTIMEOUT', 'OperationTimeout'],
  [-8, 'BADARGUMENTS', 'BadArguments'],
  [-100, 'APIERROR', 'APIError'],
  [-101, 'NONODE', 'NoNode'],
  [-102, 'NOAUTH', 'NoAuth'],
  [-103, 'BADVERSION', 'BadVersion'],
  [-108, 'NOCHILDRENFOREPHEMERALS', 'NoChildrenForEphemerals'],
  [-110, 'NODEEXISTS', 'NodeExists'],
  [-111, 'NOTEMPTY', 'Directory not empty'],
  [-112, 'SESSIONEXPIRED', 'Session expired'],
  [-113, 'INVALIDCALLBACK', 'Invalid callback'],
  [-114, 'INVALIDACL', 'InvalidACL'],
  [-115, 'AUTHFAILED', 'AuthFailed'],
  [-118, 'SESSIONMOVED', 'Session moved'],
];
const BY_NUMBER = new Map(CODES.map(([n, code]) => [n, code]));
const TEXT = new Map<ZkCode, string>(CODES.map(([, code, text]) => [code, text]));

export function zkCodeOf(wireCode: number): ZkCode {
  return BY_NUMBER.get(wireCode) ?? 'UNKNOWN';
}

/** A ZooKeeper operation failed with `code` (Kafka's KeeperException). */
export class ZkError extends Error {
  override readonly name = 'ZkError';

  constructor(
    readonly code: ZkCode,
    readonly path?: string,
    detail?: string,
  ) {
    const base = `KeeperErrorCode = ${TEXT.get(code) ?? code}${path === undefined ? '' : ` for ${path}`}`;
    super(detail === undefined ? base : `${base}: ${detail}`);
  }

  /** True when `error` is a ZkError, with `code` if given. */
  static is(error: unknown, code?: ZkCode): error is ZkError {
    return error instanceof ZkError && (code === undefined || error.code === code);
  }
}

/**
 * A controller write was refused because /controller_epoch is no longer at the version this
 * controller wrote when it was elected: another controller has been elected since (Kafka's
 * ControllerMovedException). The controller resigns on it.
 */
export class ControllerMovedError extends Error {
  override readonly name = 'ControllerMovedError';
}

/** No ZooKeeper session within the deadline (Kafka's ZooKeeperClientTimeoutException). */
export class ZooKeeperClientTimeoutError extends Error {
  override readonly name = 'ZooKeeperClientTimeoutError';
}

/** The client was closed; it takes no more requests. */
export class ZooKeeperClientClosedError extends Error {
  override readonly name = 'ZooKeeperClientClosedError';
}

/** A znode's content is not what its ZkData codec can read (Kafka throws KafkaException). */
export class ZkDataError extends Error {
  override readonly name = 'ZkDataError';
}
