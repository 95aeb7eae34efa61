import { updateMetadataContent } from '../testing/controlRequests';
import { ApiKey, readUpdateMetadataTopicNames, type Struct } from '@samsa/protocol';
import { MetadataCache } from '../metadata/MetadataCache';
import { ctx, updateMetadataBody } from './testing/fakeDeps';
import { dispatchable } from './registry';
import {
  allHaveLeaders,
  completingTopicOperations,
  TopicPurgatory,
} from './topicPurgatory';

describe('TopicPurgatory', () => {
  test('completesOnCheckOfItsTopicOnly', async () => {
    const p = new TopicPurgatory();
    let ready = false;
    const waiting = p.waitUntil(['a'], () => ready, 10_000);
    ready = true;
    p.checkAndComplete(['b']);
    expect(p.size).toBe(1);
    p.checkAndComplete(['a']);
    expect(await waiting).toBe(true);
    expect(p.size).toBe(0);
  });

  test('answersAtTheTimeoutWithWhatHoldsThen', async () => {
    const p = new TopicPurgatory();
    expect(await p.waitUntil(['a'], () => false, 10)).toBe(false);
    expect(await p.waitUntil(['a'], () => true, 10)).toBe(true);
  });

  test('shutdownEndsEveryWait', async () => {
    const p = new TopicPurgatory();
    const waiting = p.waitUntil(['a'], () => false, 60_000);
    p.shutdown();
    expect(await waiting).toBe(false);
  });
});

describe('completingTopicOperations', () => {
  test('updateMetadataThenARecheckOfItsTopics', async () => {
    const cache = new MetadataCache(0);
    const p = new TopicPurgatory();
    const inner = {
      apiKey: ApiKey.UpdateMetadata,
      maxVersion: 7,
      handle: (_c: unknown, body: Struct) => {
        cache.updateMetadata(updateMetadataContent(body));
        return { errorCode: 0 };
      },
    };
    const wrapped = completingTopicOperations(inner, p);
    expect(wrapped.maxVersion).toBe(7);
    const waiting = p.waitUntil(['t'], () => allHaveLeaders(cache, 't', [0, 1]), 10_000);
    await dispatchable(wrapped).handle(ctx(ApiKey.UpdateMetadata, 6), updateMetadataBody([0], { t: [0, -1] }));
    expect(p.size).toBe(1);
    expect(
      await dispatchable(wrapped).handle(ctx(ApiKey.UpdateMetadata, 6), updateMetadataBody([0], { t: [0, 0] })),
    ).toEqual({ errorCode: 0 });
    expect(await waiting).toBe(true);
  });

  test('topicsOfEveryUpdateMetadataLayout', () => {
    expect(
      readUpdateMetadataTopicNames({ ungroupedPartitionStates: [{ topicName: 'a' }, { topicName: 'b' }] }),
    ).toEqual(['a', 'b']);
    expect(readUpdateMetadataTopicNames({ topicStates: [{ topicName: 'c' }] })).toEqual(['c']);
  });
});
