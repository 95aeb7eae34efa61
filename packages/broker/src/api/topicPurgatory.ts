import { readUpdateMetadataTopicNames, type ApiKey } from '@samsa/protocol';
import type { MetadataCache } from '../metadata/MetadataCache';
import { DelayedOperationPurgatory } from '../replica/DelayedOperationPurgatory';
import type { ApiHandlerEntry } from './types';

/**
 * Admin requests that wait for the controller's word (Kafka's ZkAdminManager topicPurgatory):
 * CreateTopics and CreatePartitions until every partition has a leader in the MetadataCache
 * (DelayedCreatePartitions), DeleteTopics until the topic is gone from it (DelayedDeleteTopics).
 * Each waits on its topics' keys; every UpdateMetadata re-checks the operations on the topics it
 * names; a timer ends the wait at the request's timeout.
 */
export class TopicPurgatory {
  private readonly purgatory = new DelayedOperationPurgatory('topic');

  /**
   * Resolves with true once `done()` holds (checked now and after each UpdateMetadata naming one of
   * `topics`), or with false when `timeoutMs` passes first.
   */
  waitUntil(topics: readonly string[], done: () => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.purgatory.tryCompleteElseWatch(
        {
          tryComplete: () => {
            if (!done()) return false;
            resolve(true);
            return true;
          },
          onExpiration: () => resolve(done()),
        },
        [...new Set(topics)],
        timeoutMs,
      );
    });
  }

  /** Re-checks the operations waiting on these topics (after the MetadataCache changed). */
  checkAndComplete(topics: Iterable<string>): void {
    for (const t of new Set(topics)) this.purgatory.checkAndComplete(t);
  }

  /** Number of waiting operations (metrics, tests). */
  get size(): number {
    return this.purgatory.size;
  }

  /** Ends every wait now (shutdown); each answers with what holds at that moment. */
  shutdown(): void {
    this.purgatory.shutdown();
  }
}

/** Every partition of `topic` in `partitions` has a leader (Kafka: not LeaderAndIsr.NoLeader). */
export function allHaveLeaders(cache: MetadataCache, topic: string, partitions: Iterable<number>): boolean {
  for (const p of partitions) {
    const state = cache.partitionState(topic, p);
    if (!state || state.leader < 0) return false;
  }
  return true;
}

/**
 * The UpdateMetadata handler followed by a re-check of the topic operations waiting on the topics
 * it carries (Kafka's handleUpdateMetadataRequest → tryCompleteDelayedTopicOperations).
 */
export function completingTopicOperations(
  updateMetadata: ApiHandlerEntry<typeof ApiKey.UpdateMetadata>,
  purgatory: TopicPurgatory,
): ApiHandlerEntry<typeof ApiKey.UpdateMetadata> {
  return {
    apiKey: updateMetadata.apiKey,
    maxVersion: updateMetadata.maxVersion,
    async handle(ctx, body) {
      const response = await updateMetadata.handle(ctx, body);
      if (purgatory.size > 0) purgatory.checkAndComplete(readUpdateMetadataTopicNames(body));
      return response;
    },
  };
}
