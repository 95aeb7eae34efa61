import { ApiKey, type Struct } from '@samsa/protocol';
import { MetadataCache } from '../metadata/MetadataCache';
import { updateMetadataContent } from '../testing/controlRequests';
import { awaitingMetadata } from './awaitingMetadata';
import { dispatchable, typedEntry } from './registry';
import { ctx, updateMetadataBody } from './testing/fakeDeps';

/** An entry answering with the order it was called in. */
function counting(apiKey: number, calls: string[]) {
  return typedEntry({
    apiKey,
    maxVersion: 0,
    handle: (_ctx, body: Struct) => {
      calls.push(String(body.name));
      return { name: body.name };
    },
  });
}

const flush = () => new Promise((r) => setImmediate(r));

describe('awaitingMetadata', () => {
  test('clientRequestsWaitForTheFirstUpdateMetadataThenAreHandledInArrivalOrder', async () => {
    const cache = new MetadataCache(0);
    const calls: string[] = [];
    const metadata = dispatchable(awaitingMetadata(counting(ApiKey.Metadata, calls), cache));
    const produce = dispatchable(awaitingMetadata(counting(ApiKey.Produce, calls), cache));
    const answers = [
      metadata.handle(ctx(ApiKey.Metadata, 0), { name: 'first' }),
      produce.handle(ctx(ApiKey.Produce, 0), { name: 'second' }),
      metadata.handle(ctx(ApiKey.Metadata, 0), { name: 'third' }),
    ];
    await flush();
    expect(calls).toEqual([]);
    expect(cache.initialized).toBe(false);
    cache.updateMetadata(updateMetadataContent(updateMetadataBody([0], { t: [0] })));
    expect(cache.initialized).toBe(true);
    await expect(Promise.all(answers)).resolves.toEqual([{ name: 'first' }, { name: 'second' }, { name: 'third' }]);
    expect(calls).toEqual(['first', 'second', 'third']);
    // afterwards at once, with no promise in between
    expect(metadata.handle(ctx(ApiKey.Metadata, 0), { name: 'later' })).toEqual({ name: 'later' });
  });

  test('theControlPlaneAndAConnectionsSetUpAreServedBeforeAnyUpdateMetadata', () => {
    const cache = new MetadataCache(0);
    const calls: string[] = [];
    for (const apiKey of [ApiKey.UpdateMetadata, ApiKey.LeaderAndIsr, ApiKey.StopReplica, ApiKey.ControlledShutdown, ApiKey.ApiVersions, ApiKey.SaslHandshake]) {
      const entry = dispatchable(awaitingMetadata(counting(apiKey, calls), cache));
      expect(entry.handle(ctx(apiKey, 0), { name: String(apiKey) })).toEqual({ name: String(apiKey) });
    }
    expect(calls).toHaveLength(6);
  });
});
