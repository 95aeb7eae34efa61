import { AdminZkClient, TopicAlreadyMarkedForDeletionError } from '@samsa/admin-zk';
import { ApiKey, ErrorCode } from '@samsa/protocol';
import { AclOperation, ResourceType } from '@samsa/security';
import { filterByAuthorized } from './authorization';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';
import { toApiError } from './adminErrors';

/**
 * DeleteTopics v0–3, on the controller only (Kafka's handleDeleteTopicsRequest with
 * ZkAdminManager.deleteTopics). Each name is answered once, in the order first named:
 *   1. not the active controller → NOT_CONTROLLER for every topic; delete.topic.enable=false →
 *      TOPIC_DELETION_DISABLED (INVALID_REQUEST before v3, which lacks that code);
 *   2. a name given more than once → INVALID_REQUEST, and that topic is not deleted (Kafka's
 *      ControllerApis rule, "Duplicate topic name."; 2.8's ZooKeeper-mode handler answers such a
 *      name twice, which clients cannot match to their request); a topic unknown to the MetadataCache →
 *      UNKNOWN_TOPIC_OR_PARTITION; the others are marked (/admin/delete_topics/T through
 *      AdminZkClient, which refuses internal topics: INVALID_TOPIC_EXCEPTION; already marked
 *      counts as done);
 *   3. wait until the marked topics are gone from the MetadataCache (DelayedDeleteTopics) — the
 *      controller's TopicDeletionManager does the deleting — or the timeout: REQUEST_TIMED_OUT.
 */
export function deleteTopicsHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.DeleteTopics> {
  const admin = new AdminZkClient(deps.zkClient);
  return {
    apiKey: ApiKey.DeleteTopics,
    maxVersion: 3,
    async handle(ctx, body) {
      const { unique: names, duplicates } = partitionDuplicates(body.topicNames);
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
      for (const name of duplicates) {
        deps.logger.info(`Delete topics request from ${ctx.header.clientId}: duplicate topic name ${name}`);
        errors.set(name, ErrorCode.INVALID_REQUEST);
      }
      const marked: string[] = [];
      // Kafka 2.8: DELETE on each topic
      const deletable = filterByAuthorized(deps, ctx, AclOperation.DELETE, ResourceType.TOPIC, names);
      for (const name of names) {
        if (duplicates.has(name)) continue;
        if (!deletable.has(name)) {
          errors.set(name, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          continue;
        }
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

/** The names in the order first given, and those given more than once. */
export function partitionDuplicates(names: readonly string[]): { unique: string[]; duplicates: Set<string> } {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) duplicates.add(name);
    else seen.add(name);
  }
  return { unique: [...seen], duplicates };
}
