import { NULL_UUID } from '../codec/uuid';

/**
 * What every controller-to-broker request carries (Kafka's AbstractControlRequest): who sent it,
 * in which controller epoch, and the epoch of the receiving broker's registration, so a broker
 * can refuse a request meant for an earlier incarnation of itself.
 */
export interface ControlRequestHeader {
  readonly controllerId: number;
  readonly controllerEpoch: number;
  /** The receiving broker's epoch: czxid of its /brokers/ids/<id> registration; -1 where the version has none. */
  readonly brokerEpoch: number;
}

/** Kafka's AbstractControlRequest.UNKNOWN_BROKER_EPOCH: what a version without the field reads as. */
export const UNKNOWN_BROKER_EPOCH = -1;

/** Items grouped by topic name, topics in order of first appearance (the layout of newer versions). */
export function groupByTopic<T>(items: readonly T[], topicOf: (item: T) => string): Map<string, T[]> {
  const byTopic = new Map<string, T[]>();
  for (const item of items) {
    const topic = topicOf(item);
    const list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, [item]);
    else list.push(item);
  }
  return byTopic;
}

/**
 * The grouped layout LeaderAndIsr (v2+) and UpdateMetadata (v5+) share: one entry per topic with its
 * id (the null id when unknown) and its partitions' states in their wire shape.
 */
export function topicStatesOf<S extends { readonly topicName: string }, W>(
  states: readonly S[],
  topicIds: ReadonlyMap<string, string>,
  toWire: (state: S) => W,
): { topicName: string; topicId: string; partitionStates: W[] }[] {
  return [...groupByTopic(states, (s) => s.topicName)].map(([topicName, group]) => ({
    topicName,
    topicId: topicIds.get(topicName) ?? NULL_UUID,
    partitionStates: group.map(toWire),
  }));
}

/** The real topic ids a grouped body carries (topics sent with the null id are left out). */
export function topicIdsOf(topicStates: readonly { topicName: string; topicId: string }[]): Map<string, string> {
  const topicIds = new Map<string, string>();
  for (const t of topicStates) if (t.topicId !== NULL_UUID) topicIds.set(t.topicName, t.topicId);
  return topicIds;
}
