import { updateMetadataContent } from '../testing/controlRequests';
import { ApiKey, ErrorCode } from '@samsa/protocol';
import type { KafkaZkClient } from '@samsa/zk';
import type { GroupCoordinator } from '@samsa/coordinator';
import type { ReplicaManager } from '../replica/ReplicaManager';
import { updateMetadataHandler } from './controlPlane';
import { fakeControlRequestFence } from './testing/fakeFence';
import { deleteTopicsHandler } from './deleteTopics';
import { ctx, fakeDeps, updateMetadataBody } from './testing/fakeDeps';
import { completingTopicOperations } from './topicPurgatory';
import { dispatchable } from './registry';
import { answerOf } from './testing/untypedEntry';

/** Just what AdminZkClient.deleteTopic uses: the topic znode check and the deletion marker. */
function markerZk(existing: string[]) {
  const marked: string[] = [];
  const zk = {
    topicExists: async (t: string) => existing.includes(t),
    createDeleteTopicPath: async (t: string) => {
      marked.push(t);
    },
  } as unknown as KafkaZkClient;
  return { zk, marked };
}

const request = (topicNames: string[], timeoutMs = 1000) => ({ topicNames, timeoutMs });

describe('deleteTopicsHandler', () => {
  test('notControllerThenDeletionDisabledByVersion', async () => {
    const notController = deleteTopicsHandler(fakeDeps({ isController: () => false }));
    const r = await answerOf(notController, ctx(ApiKey.DeleteTopics, 3), request(['a']));
    expect(r.responses).toEqual([{ name: 'a', errorCode: ErrorCode.NOT_CONTROLLER }]);

    const disabled = deleteTopicsHandler(fakeDeps({}, { 'delete.topic.enable': false }));
    const v3 = await answerOf(disabled, ctx(ApiKey.DeleteTopics, 3), request(['a']));
    expect(v3.responses[0].errorCode).toBe(ErrorCode.TOPIC_DELETION_DISABLED);
    const v1 = await answerOf(disabled, ctx(ApiKey.DeleteTopics, 1), request(['a']));
    expect(v1.responses[0].errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  test('marksKnownTopicsAndAnswersWhenUpdateMetadataRemovesThem', async () => {
    const { zk, marked } = markerZk(['gone']);
    const replicaManager = {
      controllerEpoch: 0,
      allPartitions: () => [],
      onPartitionsChanged: () => undefined,
    } as unknown as ReplicaManager;
    const offsetsDroppedFor: unknown[] = [];
    const groupCoordinator = {
      handleDeletedPartitions: (tps: unknown[]) => offsetsDroppedFor.push(...tps),
    } as unknown as GroupCoordinator;
    const deps = fakeDeps({ zkClient: zk, replicaManager, groupCoordinator });
    deps.metadataCache.updateMetadata(updateMetadataContent(updateMetadataBody([0], { gone: [0, 0] })));
    const updateMetadata = completingTopicOperations(updateMetadataHandler(deps, fakeControlRequestFence()), deps.topicPurgatory);
    const pending = answerOf(
      deleteTopicsHandler(deps),
      ctx(ApiKey.DeleteTopics, 3),
      request(['gone', 'never'], 10_000),
    );
    await new Promise((r) => setImmediate(r));
    expect(marked).toEqual(['gone']);
    expect(deps.topicPurgatory.size).toBe(1);
    // the controller marks the partitions deleted (leader -2)
    await dispatchable(updateMetadata).handle(ctx(ApiKey.UpdateMetadata, 6), updateMetadataBody([0], { gone: [-2, -2] }));
    expect((await pending).responses).toEqual([
      { name: 'gone', errorCode: ErrorCode.NONE },
      { name: 'never', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
    ]);
    expect(deps.topicPurgatory.size).toBe(0);
    // the groups' committed offsets of the deleted partitions go too
    expect(offsetsDroppedFor).toEqual([
      { topic: 'gone', partition: 0 },
      { topic: 'gone', partition: 1 },
    ]);
  });

  test('aTopicStillThereAtTheTimeoutIsRequestTimedOut', async () => {
    const { zk } = markerZk(['stays']);
    const deps = fakeDeps({ zkClient: zk });
    deps.metadataCache.updateMetadata(updateMetadataContent(updateMetadataBody([0], { stays: [0] })));
    const r = await answerOf(
      deleteTopicsHandler(deps),
      ctx(ApiKey.DeleteTopics, 3),
      request(['stays'], 50),
    );
    expect(r.responses).toEqual([{ name: 'stays', errorCode: ErrorCode.REQUEST_TIMED_OUT }]);
  });
});

describe('deleteTopicsHandler refusals', () => {
  test('aNameGivenTwiceIsAnsweredOnceWithInvalidRequestAndIsNotMarked', async () => {
    const { zk, marked } = markerZk(['twice', 'once']);
    const deps = fakeDeps({ zkClient: zk });
    deps.metadataCache.updateMetadata(
      updateMetadataContent(updateMetadataBody([0], { twice: [0], once: [0] })),
    );
    const r = await answerOf(
      deleteTopicsHandler(deps),
      ctx(ApiKey.DeleteTopics, 3),
      request(['twice', 'once', 'twice', 'twice'], 0),
    );
    expect(r.responses).toEqual([
      { name: 'twice', errorCode: ErrorCode.INVALID_REQUEST },
      { name: 'once', errorCode: ErrorCode.REQUEST_TIMED_OUT }, // marked; timeout 0 waits for nothing
    ]);
    expect(marked).toEqual(['once']);
  });

  test('aNameGivenTwiceIsAnsweredOnceEvenWhenThisBrokerIsNotTheController', async () => {
    const deps = fakeDeps({ isController: () => false });
    const r = await answerOf(deleteTopicsHandler(deps), ctx(ApiKey.DeleteTopics, 1), request(['a', 'a']));
    expect(r.responses).toEqual([{ name: 'a', errorCode: ErrorCode.NOT_CONTROLLER }]);
  });

  test('anInternalTopicIsInvalidTopicExceptionAndIsNotMarked', async () => {
    const { zk, marked } = markerZk(['__consumer_offsets', '__transaction_state', 'mine']);
    const deps = fakeDeps({ zkClient: zk });
    deps.metadataCache.updateMetadata(
      updateMetadataContent(
        updateMetadataBody([0], { __consumer_offsets: [0], __transaction_state: [0], mine: [0] }),
      ),
    );
    const r = await answerOf(
      deleteTopicsHandler(deps),
      ctx(ApiKey.DeleteTopics, 3),
      request(['__consumer_offsets', '__transaction_state', 'mine'], 0),
    );
    expect(r.responses).toEqual([
      { name: '__consumer_offsets', errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION },
      { name: '__transaction_state', errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION },
      { name: 'mine', errorCode: ErrorCode.REQUEST_TIMED_OUT },
    ]);
    expect(marked).toEqual(['mine']);
  });
});
