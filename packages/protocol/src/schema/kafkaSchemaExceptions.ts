/**
 * Differences from Kafka 2.8's message JSON that we accept, each with a one-line reason.
 *
 * `difference` is the exact line `compareWithKafka` reports, so an exception stops matching (and the
 * difference is reported again) as soon as either side changes. Reasons starting with "TODO" mark
 * schema errors that could not be fixed without changing behaviour for versions we serve; the
 * integrator owns them.
 */
export interface KafkaSchemaException {
  readonly difference: string;
  readonly reason: string;
}

export const KAFKA_SCHEMA_EXCEPTIONS: readonly KafkaSchemaException[] = [];
