import { AdminZkClient, TopicAlreadyMarkedForDeletionError } from '@samsa/admin-zk';
import { ApiKey, ErrorCode } from '@samsa/protocol';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';
import { toApiError } from './adminErrors';

/**
 * DeleteTopics v0–3, on the controller only (Kafka's handleDeleteTopicsRequest with
 * ZkAdminManager.deleteTopics):
 *   1. not the active controller → NOT_CONTROLLER for every topic; delete.topic.enable=false →
 *      TOPIC_DELETION_DISABLED (INVALID_REQUEST before v3, which lacks that code);
 *   2. a topic unknown to the MetadataCache → UNKNOWN_TOPIC_OR_PARTITION; the others are marked
 *      (/admin/delete_topics/T through AdminZkClient; already marked counts as done);
 *   3. wait until the marked topics are gone from the MetadataCache (DelayedDeleteTopics) — the
 *      controller's TopicDeletionManager does the deleting — or the timeout: REQUEST_TIMED_OUT.
 */
export function deleteTopicsHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.DeleteTopics> {
  const admin = new AdminZkClient(deps.zkClient);
  return {
    apiKey: ApiKey.DeleteTopics,
    maxVersion: 3,
    async handle(ctx, body) {
      const names = body.topicNames;
      const errors = new Map<string, number>();
      const answer = () => ({
        throttleTimeMs: 0,
        responses: names.map((name) => ({ name, errorCode: errors.get(name) ?? ErrorCode.NONE })),
      });
      if (!deps.isController()) {
        for (const n of names) errors.set(n, ErrorCode.NOT_CONTROLLER);
        return answer();
      }
      if (!deps.config.bool('delete.topic.enable')) {
        const code =
          ctx.header.apiVersion < 3 ? ErrorCode.INVALID_REQUEST : ErrorCode.TOPIC_DELETION_DISABLED;
        for (const n of names) errors.set(n, code);
        return answer();
      }
      const marked: string[] = [];
      for (const name of new Set(names)) {
        if (!deps.metadataCache.contains(name)) {
          errors.set(name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          continue;
        }
        try {
          await admin.deleteTopic(name);
          deps.logger.info(`Marked topic ${name} for deletion`);
          marked.push(name);
        } catch (e) {
          if (e instanceof TopicAlreadyMarkedForDeletionError) {
            // still wait for it, so that repeated calls all see the deletion finish
            marked.push(name);
            continue;
          }
          errors.set(name, toApiError(e, deps.logger, `delete topic request for ${name}`).code);
        }
      }
      if (marked.length > 0) {
        const gone = () => marked.every((t) => !deps.metadataCache.contains(t));
        if (body.timeoutMs > 0) await deps.topicPurgatory.waitUntil(marked, gone, body.timeoutMs);
        for (const t of marked)
          if (deps.metadataCache.contains(t)) errors.set(t, ErrorCode.REQUEST_TIMED_OUT);
      }
      return answer();
    },
  };
}
