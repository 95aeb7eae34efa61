/**
 * Topic names as Kafka allows them (Kafka `org.apache.kafka.common.internals.Topic`): 1–249 of
 * [a-zA-Z0-9._-], and not "." or ".." (which would be directory names on disk).
 */
export const GROUP_METADATA_TOPIC_NAME = '__consumer_offsets';
export const TRANSACTION_STATE_TOPIC_NAME = '__transaction_state';
export const MAX_TOPIC_NAME_LENGTH = 249;

const INTERNAL_TOPICS: ReadonlySet<string> = new Set([
  GROUP_METADATA_TOPIC_NAME,
  TRANSACTION_STATE_TOPIC_NAME,
]);
const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Kafka's InvalidTopicException; its message is Kafka's, word for word. */
export class InvalidTopicError extends Error {
  override readonly name = 'InvalidTopicError';
}

/** Throws InvalidTopicError with Kafka's message when `topic` is not a legal topic name. */
export function validateTopic(topic: string): void {
  const problem = topicNameProblem(topic);
  if (problem !== null) throw new InvalidTopicError(problem);
}

export function isValidTopicName(topic: string): boolean {
  return topicNameProblem(topic) === null;
}

/** Kafka's message for an illegal name, or null when the name is legal. */
export function topicNameProblem(topic: string): string | null {
  if (topic.length === 0) return "Topic name is illegal, it can't be empty";
  if (topic === '.' || topic === '..') return 'Topic name cannot be "." or ".."';
  if (topic.length > MAX_TOPIC_NAME_LENGTH) {
    return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${topic}`;
  }
  if (!LEGAL.test(topic)) {
    return `Topic name "${topic}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}

export function isInternalTopic(topic: string): boolean {
  return INTERNAL_TOPICS.has(topic);
}

/** '.' and '_' collide in metric names; Kafka warns about (and refuses) topics differing only there. */
export function hasCollisionChars(topic: string): boolean {
  return topic.includes('_') || topic.includes('.');
}

export function hasCollision(topicA: string, topicB: string): boolean {
  return topicA.replace(/\./g, '_') === topicB.replace(/\./g, '_');
}
