import { AdminTimeoutError as WireAdminTimeoutError } from '@samsa/client';
import { errorInfo } from '@samsa/protocol';

/**
 * How kafka-consumer-groups words failures. Kafka's tool prints a failed Admin call as the Java
 * exception's toString (`org.apache.kafka.common.errors.GroupNotEmptyException: The group is not
 * empty.`), so the codes the group APIs can return are listed here with Kafka 2.8's exception class
 * and default message (org.apache.kafka.common.protocol.Errors). Other codes print the error's name
 * and the protocol package's description.
 */
const KAFKA_EXCEPTIONS: ReadonlyMap<number, readonly [className: string, message: string]> = new Map([
  [-1, ['UnknownServerException', 'The server experienced an unexpected error when processing the request.']],
  [3, ['UnknownTopicOrPartitionException', 'This server does not host this topic-partition.']],
  [
    5,
    [
      'LeaderNotAvailableException',
      'There is no leader for this topic-partition as we are in the middle of a leadership election.',
    ],
  ],
  [
    6,
    [
      'NotLeaderOrFollowerException',
      'For requests intended only for the leader, this error indicates that the broker is not the current leader. ' +
        'For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition.',
    ],
  ],
  [7, ['TimeoutException', 'The request timed out.']],
  [12, ['OffsetMetadataTooLarge', 'The metadata field of the offset request was too large.']],
  [13, ['NetworkException', 'The server disconnected before a response was received.']],
  [
    14,
    ['CoordinatorLoadInProgressException', "The coordinator is loading and hence can't process requests."],
  ],
  [15, ['CoordinatorNotAvailableException', 'The coordinator is not available.']],
  [16, ['NotCoordinatorException', 'This is not the correct coordinator.']],
  [17, ['InvalidTopicException', 'The request attempted to perform an operation on an invalid topic.']],
  [22, ['IllegalGenerationException', 'Specified group generation id is not valid.']],
  [24, ['InvalidGroupIdException', 'The configured groupId is invalid.']],
  [25, ['UnknownMemberIdException', 'The coordinator is not aware of this member.']],
  [27, ['RebalanceInProgressException', 'The group is rebalancing, so a rejoin is needed.']],
  [28, ['InvalidCommitOffsetSizeException', 'The committing offset data size is not valid.']],
  [29, ['TopicAuthorizationException', 'Topic authorization failed.']],
  [30, ['GroupAuthorizationException', 'Group authorization failed.']],
  [35, ['UnsupportedVersionException', 'The version of API is not supported.']],
  [
    42,
    [
      'InvalidRequestException',
      'This most likely occurs because of a request being malformed by the client library or the message was sent ' +
        'to an incompatible broker. See the broker logs for more details.',
    ],
  ],
  [56, ['KafkaStorageException', 'Disk error when trying to access log file on the disk.']],
  [68, ['GroupNotEmptyException', 'The group is not empty.']],
  [69, ['GroupIdNotFoundException', 'The group id does not exist.']],
  [
    86,
    [
      'GroupSubscribedToTopicException',
      'Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.',
    ],
  ],
  [88, ['UnstableOffsetCommitException', 'There are unstable offsets that need to be cleared.']],
]);

/** A broker's refusal, by Kafka error code. `toString()` is the Java exception's. */
export class KafkaApiError extends Error {
  override readonly name = 'KafkaApiError';

  constructor(
    readonly code: number,
    message?: string,
  ) {
    super(message ?? KAFKA_EXCEPTIONS.get(code)?.[1] ?? errorInfo(code).message);
  }

  /** Kafka's Errors enum name (what `Errors.toString` prints). */
  get errorName(): string {
    return errorInfo(this.code).name;
  }

  override toString(): string {
    const className = KAFKA_EXCEPTIONS.get(this.code)?.[0];
    return className === undefined
      ? `org.apache.kafka.common.errors.ApiException: ${this.errorName}: ${this.message}`
      : `org.apache.kafka.common.errors.${className}: ${this.message}`;
  }
}

/** An IllegalArgumentException raised inside Kafka's Admin client (reported as its toString). */
export class AdminIllegalArgumentError extends Error {
  override readonly name: string = 'AdminIllegalArgumentError';

  override toString(): string {
    return `java.lang.IllegalArgumentException: ${this.message}`;
  }
}

/** The Admin client's answer for a group of another protocol type (e.g. Kafka Connect's). */
export class NotConsumerGroupError extends AdminIllegalArgumentError {
  override readonly name: string = 'NotConsumerGroupError';

  constructor(groupId: string, protocolType: string) {
    super(`GroupId ${groupId} is not a consumer group (${protocolType}).`);
  }
}

/** An Admin call that did not finish within --timeout. */
export class AdminTimeoutError extends Error {
  override readonly name = 'AdminTimeoutError';

  constructor(callName: string, timeoutMs: number) {
    super(`Call(callName=${callName}) timed out after ${timeoutMs} ms`);
  }

  override toString(): string {
    return `org.apache.kafka.common.errors.TimeoutException: ${this.message}`;
  }
}

/**
 * What Kafka's tool shows for an exception: an Admin call's failure arrives wrapped in an
 * ExecutionException, whose message is the cause's toString; other failures show their message.
 */
export function failureText(error: unknown): string {
  // The wire Admin's own deadline (its last retriable failure in the message).
  if (error instanceof WireAdminTimeoutError) return `org.apache.kafka.common.errors.TimeoutException: ${error.message}`;
  if (
    error instanceof KafkaApiError ||
    error instanceof AdminIllegalArgumentError ||
    error instanceof AdminTimeoutError
  )
    return error.toString();
  if (error instanceof Error) return error.message.replace(/\s*\n\s*/g, ' ');
  return String(error);
}

/** An Admin call's failure as `Future.get` throws it: `java.util.concurrent.ExecutionException: …`. */
export function executionExceptionText(error: unknown): string {
  return `java.util.concurrent.ExecutionException: ${failureText(error)}`;
}
