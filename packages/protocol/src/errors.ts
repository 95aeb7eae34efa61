/**
 * Kafka's error codes, as in the `Errors` enum of Kafka 2.8 (codes -1 to 104). `retriable` is true when
 * Kafka's exception class for the code derives from `RetriableException` (directly or through
 * `InvalidMetadataException`); clients retry those on their own. Descriptions are our own wording.
 */

export interface KafkaErrorInfo {
  readonly code: number;
  readonly name: string;
  readonly retriable: boolean;
  readonly message: string;
}

/** Error name → code, for every code Kafka 2.8 defines. */
export const ErrorCode = {
  UNKNOWN_SERVER_ERROR: -1,
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  INVALID_FETCH_SIZE: 4,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  BROKER_NOT_AVAILABLE: 8,
  REPLICA_NOT_AVAILABLE: 9,
  MESSAGE_TOO_LARGE: 10,
  STALE_CONTROLLER_EPOCH: 11,
  OFFSET_METADATA_TOO_LARGE: 12,
  NETWORK_EXCEPTION: 13,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  INVALID_TOPIC_EXCEPTION: 17,
  RECORD_LIST_TOO_LARGE: 18,
  NOT_ENOUGH_REPLICAS: 19,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 20,
  INVALID_REQUIRED_ACKS: 21,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  INVALID_COMMIT_OFFSET_SIZE: 28,
  TOPIC_AUTHORIZATION_FAILED: 29,
  GROUP_AUTHORIZATION_FAILED: 30,
  CLUSTER_AUTHORIZATION_FAILED: 31,
  INVALID_TIMESTAMP: 32,
  UNSUPPORTED_SASL_MECHANISM: 33,
  ILLEGAL_SASL_STATE: 34,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REPLICA_ASSIGNMENT: 39,
  INVALID_CONFIG: 40,
  NOT_CONTROLLER: 41,
  INVALID_REQUEST: 42,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  POLICY_VIOLATION: 44,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  DUPLICATE_SEQUENCE_NUMBER: 46,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_TXN_STATE: 48,
  INVALID_PRODUCER_ID_MAPPING: 49,
  INVALID_TRANSACTION_TIMEOUT: 50,
  CONCURRENT_TRANSACTIONS: 51,
  TRANSACTION_COORDINATOR_FENCED: 52,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
  SECURITY_DISABLED: 54,
  OPERATION_NOT_ATTEMPTED: 55,
  KAFKA_STORAGE_ERROR: 56,
  LOG_DIR_NOT_FOUND: 57,
  SASL_AUTHENTICATION_FAILED: 58,
  UNKNOWN_PRODUCER_ID: 59,
  REASSIGNMENT_IN_PROGRESS: 60,
  DELEGATION_TOKEN_AUTH_DISABLED: 61,
  DELEGATION_TOKEN_NOT_FOUND: 62,
  DELEGATION_TOKEN_OWNER_MISMATCH: 63,
  DELEGATION_TOKEN_REQUEST_NOT_ALLOWED: 64,
  DELEGATION_TOKEN_AUTHORIZATION_FAILED: 65,
  DELEGATION_TOKEN_EXPIRED: 66,
  INVALID_PRINCIPAL_TYPE: 67,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  FETCH_SESSION_ID_NOT_FOUND: 70,
  INVALID_FETCH_SESSION_EPOCH: 71,
  LISTENER_NOT_FOUND: 72,
  TOPIC_DELETION_DISABLED: 73,
  FENCED_LEADER_EPOCH: 74,
  UNKNOWN_LEADER_EPOCH: 75,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  STALE_BROKER_EPOCH: 77,
  OFFSET_NOT_AVAILABLE: 78,
  MEMBER_ID_REQUIRED: 79,
  PREFERRED_LEADER_NOT_AVAILABLE: 80,
  GROUP_MAX_SIZE_REACHED: 81,
  FENCED_INSTANCE_ID: 82,
  ELIGIBLE_LEADERS_NOT_AVAILABLE: 83,
  ELECTION_NOT_NEEDED: 84,
  NO_REASSIGNMENT_IN_PROGRESS: 85,
  GROUP_SUBSCRIBED_TO_TOPIC: 86,
  INVALID_RECORD: 87,
  UNSTABLE_OFFSET_COMMIT: 88,
  THROTTLING_QUOTA_EXCEEDED: 89,
  PRODUCER_FENCED: 90,
  RESOURCE_NOT_FOUND: 91,
  DUPLICATE_RESOURCE: 92,
  UNACCEPTABLE_CREDENTIAL: 93,
  INCONSISTENT_VOTER_SET: 94,
  INVALID_UPDATE_VERSION: 95,
  FEATURE_UPDATE_FAILED: 96,
  PRINCIPAL_DESERIALIZATION_FAILURE: 97,
  SNAPSHOT_NOT_FOUND: 98,
  POSITION_OUT_OF_RANGE: 99,
  UNKNOWN_TOPIC_ID: 100,
  DUPLICATE_BROKER_REGISTRATION: 101,
  BROKER_ID_NOT_REGISTERED: 102,
  INCONSISTENT_TOPIC_ID: 103,
  INCONSISTENT_CLUSTER_ID: 104,
} as const;

export type ErrorName = keyof typeof ErrorCode;

/** code, name, retriable, description — one row per code, in code order. */
const TABLE: readonly (readonly [number, ErrorName, boolean, string])[] = [
  [-1, 'UNKNOWN_SERVER_ERROR', false, 'The broker hit an unexpected internal failure.'],
  [0, 'NONE', false, 'No error.'],
  [1, 'OFFSET_OUT_OF_RANGE', false, "The offset lies outside the partition's current log range."],
  [
    2,
    'CORRUPT_MESSAGE',
    true,
    'A record failed validation (checksum, size, or missing key on a compacted topic).',
  ],
  [3, 'UNKNOWN_TOPIC_OR_PARTITION', true, 'This broker does not know the topic or partition.'],
  [4, 'INVALID_FETCH_SIZE', false, 'The fetch size asked for is not valid.'],
  [5, 'LEADER_NOT_AVAILABLE', true, 'The partition has no leader right now (an election may be under way).'],
  [6, 'NOT_LEADER_OR_FOLLOWER', true, 'This broker is not the leader (or not a replica) for the partition.'],
  [7, 'REQUEST_TIMED_OUT', true, 'The request did not complete in time.'],
  [8, 'BROKER_NOT_AVAILABLE', false, 'The broker cannot be reached.'],
  [9, 'REPLICA_NOT_AVAILABLE', true, 'A replica of the partition is not available.'],
  [10, 'MESSAGE_TOO_LARGE', false, 'A record is larger than the broker accepts.'],
  [11, 'STALE_CONTROLLER_EPOCH', false, 'The request came from an outdated controller.'],
  [12, 'OFFSET_METADATA_TOO_LARGE', false, 'The metadata string attached to the offset is too long.'],
  [13, 'NETWORK_EXCEPTION', true, 'The connection failed before a response arrived.'],
  [
    14,
    'COORDINATOR_LOAD_IN_PROGRESS',
    true,
    'The coordinator is still loading its state; try again shortly.',
  ],
  [15, 'COORDINATOR_NOT_AVAILABLE', true, 'No coordinator is available for this group or transaction.'],
  [16, 'NOT_COORDINATOR', true, 'This broker is not the coordinator for this group or transaction.'],
  [17, 'INVALID_TOPIC_EXCEPTION', false, 'The topic name is invalid or the operation is not allowed on it.'],
  [18, 'RECORD_LIST_TOO_LARGE', false, 'The record batch is larger than the segment size allows.'],
  [19, 'NOT_ENOUGH_REPLICAS', true, 'Too few in-sync replicas to accept the write.'],
  [
    20,
    'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
    true,
    'The write was stored but too few in-sync replicas remained to acknowledge it.',
  ],
  [21, 'INVALID_REQUIRED_ACKS', false, 'The acks value is not one the broker supports.'],
  [22, 'ILLEGAL_GENERATION', false, 'The group generation id is not the current one.'],
  [
    23,
    'INCONSISTENT_GROUP_PROTOCOL',
    false,
    "The member's protocol type or protocols do not match the group's.",
  ],
  [24, 'INVALID_GROUP_ID', false, 'The group id is empty or otherwise invalid.'],
  [25, 'UNKNOWN_MEMBER_ID', false, 'The member id is not known to the coordinator.'],
  [26, 'INVALID_SESSION_TIMEOUT', false, "The session timeout is outside the broker's allowed range."],
  [27, 'REBALANCE_IN_PROGRESS', false, 'The group is rebalancing; the member should rejoin.'],
  [28, 'INVALID_COMMIT_OFFSET_SIZE', false, 'The offset commit was rejected because of its size.'],
  [29, 'TOPIC_AUTHORIZATION_FAILED', false, 'Not authorized for this topic.'],
  [30, 'GROUP_AUTHORIZATION_FAILED', false, 'Not authorized for this group.'],
  [31, 'CLUSTER_AUTHORIZATION_FAILED', false, 'Not authorized for this cluster operation.'],
  [32, 'INVALID_TIMESTAMP', false, 'A record timestamp is outside the acceptable range.'],
  [33, 'UNSUPPORTED_SASL_MECHANISM', false, 'The broker does not offer the requested SASL mechanism.'],
  [34, 'ILLEGAL_SASL_STATE', false, 'The request is not valid at this stage of SASL authentication.'],
  [35, 'UNSUPPORTED_VERSION', false, 'The broker does not support this API version.'],
  [36, 'TOPIC_ALREADY_EXISTS', false, 'A topic with this name already exists.'],
  [37, 'INVALID_PARTITIONS', false, 'The partition count is not valid.'],
  [38, 'INVALID_REPLICATION_FACTOR', false, 'The replication factor is not valid.'],
  [39, 'INVALID_REPLICA_ASSIGNMENT', false, 'The replica assignment is not valid.'],
  [40, 'INVALID_CONFIG', false, 'The configuration is not valid.'],
  [41, 'NOT_CONTROLLER', true, 'This broker is not the active controller.'],
  [42, 'INVALID_REQUEST', false, 'The request is malformed or inconsistent.'],
  [
    43,
    'UNSUPPORTED_FOR_MESSAGE_FORMAT',
    false,
    "The topic's message format version does not support this request.",
  ],
  [44, 'POLICY_VIOLATION', false, 'The request was rejected by a configured policy.'],
  [45, 'OUT_OF_ORDER_SEQUENCE_NUMBER', false, 'The broker got a producer sequence number out of order.'],
  [46, 'DUPLICATE_SEQUENCE_NUMBER', false, 'The broker got a duplicate producer sequence number.'],
  [
    47,
    'INVALID_PRODUCER_EPOCH',
    false,
    'The producer epoch is out of date (another producer may have taken over).',
  ],
  [48, 'INVALID_TXN_STATE', false, "The operation is not allowed in the transaction's current state."],
  [49, 'INVALID_PRODUCER_ID_MAPPING', false, 'The producer id does not belong to this transactional id.'],
  [50, 'INVALID_TRANSACTION_TIMEOUT', false, "The transaction timeout exceeds the broker's maximum."],
  [
    51,
    'CONCURRENT_TRANSACTIONS',
    false,
    'Another transaction operation for this producer is still in progress.',
  ],
  [52, 'TRANSACTION_COORDINATOR_FENCED', false, 'A newer transaction coordinator has taken over.'],
  [53, 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', false, 'Not authorized for this transactional id.'],
  [54, 'SECURITY_DISABLED', false, 'Security features are not enabled on the broker.'],
  [
    55,
    'OPERATION_NOT_ATTEMPTED',
    false,
    'The operation was skipped because another part of the request failed.',
  ],
  [56, 'KAFKA_STORAGE_ERROR', true, "A disk error on the broker makes the partition's log unusable."],
  [57, 'LOG_DIR_NOT_FOUND', false, "The log directory does not exist in the broker's configuration."],
  [58, 'SASL_AUTHENTICATION_FAILED', false, 'SASL authentication failed.'],
  [59, 'UNKNOWN_PRODUCER_ID', false, 'The broker has no state for this producer id.'],
  [60, 'REASSIGNMENT_IN_PROGRESS', false, 'A partition reassignment is already under way.'],
  [61, 'DELEGATION_TOKEN_AUTH_DISABLED', false, 'Delegation token authentication is not enabled.'],
  [62, 'DELEGATION_TOKEN_NOT_FOUND', false, 'No such delegation token.'],
  [63, 'DELEGATION_TOKEN_OWNER_MISMATCH', false, "The principal is neither the token's owner nor a renewer."],
  [
    64,
    'DELEGATION_TOKEN_REQUEST_NOT_ALLOWED',
    false,
    'Delegation token requests are not allowed over this kind of connection.',
  ],
  [65, 'DELEGATION_TOKEN_AUTHORIZATION_FAILED', false, 'Not authorized for this delegation token.'],
  [66, 'DELEGATION_TOKEN_EXPIRED', false, 'The delegation token has expired.'],
  [67, 'INVALID_PRINCIPAL_TYPE', false, 'The principal type is not supported.'],
  [68, 'NON_EMPTY_GROUP', false, 'The group still has members.'],
  [69, 'GROUP_ID_NOT_FOUND', false, 'The group does not exist.'],
  [70, 'FETCH_SESSION_ID_NOT_FOUND', true, 'The fetch session is not known to the broker.'],
  [71, 'INVALID_FETCH_SESSION_EPOCH', true, 'The fetch session epoch is not the expected one.'],
  [72, 'LISTENER_NOT_FOUND', true, 'The leader has no endpoint on the listener the request came in on.'],
  [73, 'TOPIC_DELETION_DISABLED', false, 'Topic deletion is turned off on the broker.'],
  [74, 'FENCED_LEADER_EPOCH', true, "The request's leader epoch is older than the broker's."],
  [75, 'UNKNOWN_LEADER_EPOCH', true, "The request's leader epoch is newer than the broker knows."],
  [
    76,
    'UNSUPPORTED_COMPRESSION_TYPE',
    false,
    "The consumer's fetch version cannot read this compression codec.",
  ],
  [77, 'STALE_BROKER_EPOCH', false, 'The broker epoch in the request is outdated.'],
  [
    78,
    'OFFSET_NOT_AVAILABLE',
    true,
    "The leader's high watermark is not yet known, so the offset cannot be given.",
  ],
  [79, 'MEMBER_ID_REQUIRED', false, 'The member must rejoin using the member id the broker returned.'],
  [80, 'PREFERRED_LEADER_NOT_AVAILABLE', true, 'The preferred replica cannot become leader right now.'],
  [81, 'GROUP_MAX_SIZE_REACHED', false, 'The group already has its maximum number of members.'],
  [82, 'FENCED_INSTANCE_ID', false, 'Another member with the same group instance id has replaced this one.'],
  [83, 'ELIGIBLE_LEADERS_NOT_AVAILABLE', true, 'No replica is eligible to become leader.'],
  [84, 'ELECTION_NOT_NEEDED', true, 'The leader election is not needed for this partition.'],
  [85, 'NO_REASSIGNMENT_IN_PROGRESS', false, 'There is no reassignment under way for this partition.'],
  [
    86,
    'GROUP_SUBSCRIBED_TO_TOPIC',
    false,
    'The group still subscribes to the topic, so its offsets cannot be deleted.',
  ],
  [87, 'INVALID_RECORD', false, 'A record failed broker-side validation.'],
  [88, 'UNSTABLE_OFFSET_COMMIT', true, 'Transactional offset commits for this partition are still pending.'],
  [89, 'THROTTLING_QUOTA_EXCEEDED', true, 'The request was throttled because a quota was exceeded.'],
  [
    90,
    'PRODUCER_FENCED',
    false,
    'A newer producer instance with the same transactional id has fenced this one.',
  ],
  [91, 'RESOURCE_NOT_FOUND', false, 'The requested resource does not exist.'],
  [92, 'DUPLICATE_RESOURCE', false, 'The same resource appears more than once in the request.'],
  [93, 'UNACCEPTABLE_CREDENTIAL', false, "The credential does not meet the broker's requirements."],
  [94, 'INCONSISTENT_VOTER_SET', false, "The voter set in the request does not match the receiver's."],
  [95, 'INVALID_UPDATE_VERSION', false, 'The feature update version is not valid.'],
  [
    96,
    'FEATURE_UPDATE_FAILED',
    false,
    'Finalized features could not be updated because of an internal error.',
  ],
  [97, 'PRINCIPAL_DESERIALIZATION_FAILURE', false, "A forwarded request's principal could not be decoded."],
  [98, 'SNAPSHOT_NOT_FOUND', false, 'The requested snapshot does not exist.'],
  [99, 'POSITION_OUT_OF_RANGE', false, 'The position lies outside the snapshot.'],
  [100, 'UNKNOWN_TOPIC_ID', true, 'This broker does not know the topic id.'],
  [101, 'DUPLICATE_BROKER_REGISTRATION', false, 'The broker id is already registered.'],
  [102, 'BROKER_ID_NOT_REGISTERED', false, 'The broker id has not been registered.'],
  [103, 'INCONSISTENT_TOPIC_ID', true, "The topic id in the request does not match the broker's."],
  [104, 'INCONSISTENT_CLUSTER_ID', false, "The cluster id in the request does not match the server's."],
];

const BY_CODE: ReadonlyMap<number, KafkaErrorInfo> = new Map(
  TABLE.map(([code, name, retriable, message]) => [code, Object.freeze({ code, name, retriable, message })]),
);

/** Every known error, in code order. */
export const KAFKA_ERRORS: readonly KafkaErrorInfo[] = [...BY_CODE.values()];

/** Facts about a code; a code Kafka 2.8 does not define gets `UNKNOWN_ERROR_<code>`, not retriable. */
export function errorInfo(code: number): KafkaErrorInfo {
  return (
    BY_CODE.get(code) ?? {
      code,
      name: `UNKNOWN_ERROR_${code}`,
      retriable: false,
      message: `Unknown Kafka error code ${code}.`,
    }
  );
}

export function isRetriable(code: number): boolean {
  return BY_CODE.get(code)?.retriable ?? false;
}

/** An error that maps to a Kafka error code; `message` defaults to the code's description. */
export class KafkaError extends Error {
  readonly code: number;
  readonly errorName: string;
  readonly retriable: boolean;

  constructor(code: number, message?: string) {
    const info = errorInfo(code);
    super(message ?? info.message);
    this.name = 'KafkaError';
    this.code = code;
    this.errorName = info.name;
    this.retriable = info.retriable;
  }
}
