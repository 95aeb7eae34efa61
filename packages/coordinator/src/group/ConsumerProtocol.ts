import { compileMessage, internalMessages, Reader } from '@samsa/protocol';

/** The protocol type of Kafka consumers (KafkaConsumer, kafkajs, librdkafka, kafka-python). */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

const subscriptionV0 = compileMessage(internalMessages.ConsumerProtocolSubscription, 0);

/**
 * The topics of a consumer's subscription, read with the v0 layout whatever the version says:
 * every later version starts with v0's fields, so the coordinator needs no newer schema (Kafka's
 * computeSubscribedTopics). Throws on bytes that are not a subscription.
 */
export function subscriptionTopics(metadata: Buffer): string[] {
  const r = new Reader(metadata);
  r.int16();
  return subscriptionV0.decode(r).topics as string[];
}
