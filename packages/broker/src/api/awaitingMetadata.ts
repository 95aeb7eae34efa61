import { ApiKey } from '@samsa/protocol';
import { dispatchable, typedEntry } from './registry';
import type { AnyApiHandlerEntry } from './types';
import type { MetadataCache } from '../metadata/MetadataCache';

/**
 * What a broker serves before the controller's first UpdateMetadata: the control plane that brings
 * that UpdateMetadata (LeaderAndIsr, UpdateMetadata, StopReplica, ControlledShutdown to a controller
 * here) and a connection's own set-up (ApiVersions, the SASL exchange).
 */
const SERVED_BEFORE_METADATA: ReadonlySet<number> = new Set<number>([
  ApiKey.ApiVersions,
  ApiKey.SaslHandshake,
  ApiKey.SaslAuthenticate,
  ApiKey.LeaderAndIsr,
  ApiKey.UpdateMetadata,
  ApiKey.StopReplica,
  ApiKey.ControlledShutdown,
]);

/**
 * Every other request waits for the first UpdateMetadata (MetadataCache.whenInitialized), then is
 * handled, in arrival order. A broker that has just started (again) knows no topic until the
 * controller speaks: answered at once, a Metadata request would tell a client that its topics do
 * not exist (UNKNOWN_TOPIC_OR_PARTITION), and librdkafka then drops the topic's partitions (count
 * 3 → 0) until its next periodic refresh, five minutes later: a consumer stalled that long after
 * a broker restart. A Kafka 2.8 broker has the same window, shorter (it starts processing requests
 * at the end of its start-up); KRaft brokers close it as here, serving only once their metadata has
 * caught up. The wait costs one boolean check per request afterwards.
 */
export function awaitingMetadata(entry: AnyApiHandlerEntry, cache: MetadataCache): AnyApiHandlerEntry {
  if (SERVED_BEFORE_METADATA.has(entry.apiKey)) return entry;
  const inner = dispatchable(entry);
  return typedEntry({
    apiKey: inner.apiKey,
    maxVersion: inner.maxVersion,
    handle: (ctx, body) =>
      cache.initialized ? inner.handle(ctx, body) : cache.whenInitialized().then(() => inner.handle(ctx, body)),
  });
}
