/**
 * The exceptions Kafka's admin code throws, by Kafka's names, so a caller can branch on the kind
 * (TopicCommand treats TopicExists differently under --if-not-exists) and the CLIs can print the
 * message Kafka prints. `name` is the Kafka exception's simple name without "Exception".
 */
export class AdminError extends Error {
  override readonly name: string = 'AdminError';
}

/** Kafka's AdminOperationException: the operation cannot be done as asked. */
export class AdminOperationError extends AdminError {
  override readonly name: string = 'AdminOperationError';
}

/** Kafka's AdminCommandFailedException (bad command-line input found while parsing it). */
export class AdminCommandFailedError extends AdminError {
  override readonly name: string = 'AdminCommandFailedError';
}

export class InvalidPartitionsError extends AdminError {
  override readonly name: string = 'InvalidPartitionsError';
}

export class InvalidReplicationFactorError extends AdminError {
  override readonly name: string = 'InvalidReplicationFactorError';
}

export class InvalidReplicaAssignmentError extends AdminError {
  override readonly name: string = 'InvalidReplicaAssignmentError';
}

export class TopicExistsError extends AdminError {
  override readonly name: string = 'TopicExistsError';
}

export class UnknownTopicOrPartitionError extends AdminError {
  override readonly name: string = 'UnknownTopicOrPartitionError';
}

export class TopicAlreadyMarkedForDeletionError extends AdminError {
  override readonly name: string = 'TopicAlreadyMarkedForDeletionError';
}

export class BrokerNotAvailableError extends AdminError {
  override readonly name: string = 'BrokerNotAvailableError';
}

/** Kafka's InvalidConfigurationException (topic configs that LogConfig refuses). */
export class InvalidConfigurationError extends AdminError {
  override readonly name: string = 'InvalidConfigurationError';
}

/** Kafka's IllegalArgumentException as TopicCommand throws it ("Topic T does not exist …"). */
export class IllegalArgumentError extends AdminError {
  override readonly name: string = 'IllegalArgumentError';
}
