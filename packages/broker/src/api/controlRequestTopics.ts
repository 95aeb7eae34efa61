import { ErrorCode } from '@samsa/protocol';
import { isValidTopicName } from '@samsa/zk';

/**
 * The topic partitions a controller request names, checked before anything is done with them.
 * A topic name becomes a directory name (`<log.dir>/<topic>-<partition>`), so a name outside
 * Kafka's legal ones (Topic.validate: 1–249 of [a-zA-Z0-9._-], not "." or "..") — `../victim`, say —
 * must never reach the LogManager. Kafka's controller never sends such a name (topics are validated
 * when created), so only a forged or corrupt request carries one; it is answered per partition and
 * the rest of the request goes on.
 */

/**
 * The error a partition named in a control request answers without being touched, or NONE:
 * INVALID_TOPIC_EXCEPTION for an illegal topic name (Kafka's InvalidTopicException), and
 * UNKNOWN_TOPIC_OR_PARTITION for a partition index that cannot exist (negative).
 */
export function controlRequestPartitionError(topic: string, partition: number): number {
  if (!isValidTopicName(topic)) return ErrorCode.INVALID_TOPIC_EXCEPTION;
  if (!Number.isInteger(partition) || partition < 0) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  return ErrorCode.NONE;
}

/** Splits `items` into those whose partition is legal and the others' errors. */
export function partitionByLegality<T>(
  items: readonly T[],
  tpOf: (item: T) => { readonly topic: string; readonly partition: number },
): { legal: T[]; illegal: { topic: string; partition: number; errorCode: number }[] } {
  const legal: T[] = [];
  const illegal: { topic: string; partition: number; errorCode: number }[] = [];
  for (const item of items) {
    const { topic, partition } = tpOf(item);
    const errorCode = controlRequestPartitionError(topic, partition);
    if (errorCode === ErrorCode.NONE) legal.push(item);
    else illegal.push({ topic, partition, errorCode });
  }
  return { legal, illegal };
}
