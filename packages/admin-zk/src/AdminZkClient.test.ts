import { InvalidTopicError, ZkError, type KafkaZkClient } from '@samsa/zk';
import { AdminZkClient } from './AdminZkClient';
import { TopicAlreadyMarkedForDeletionError, UnknownTopicOrPartitionError } from './errors';

/** The two ZooKeeper calls deleteTopic makes, recorded. */
function deletionZk(existing: string[], alreadyMarked: string[] = []) {
  const calls: string[] = [];
  const zk = {
    topicExists: async (t: string) => {
      calls.push(`exists ${t}`);
      return existing.includes(t);
    },
    createDeleteTopicPath: async (t: string) => {
      calls.push(`mark ${t}`);
      if (alreadyMarked.includes(t)) throw new ZkError('NODEEXISTS', `/admin/delete_topics/${t}`);
    },
  } as unknown as KafkaZkClient;
  return { zk, calls };
}

describe('AdminZkClient.deleteTopic', () => {
  test('anInternalTopicIsRefusedWithKafkasMessageBeforeAnyZooKeeperCall', async () => {
    const { zk, calls } = deletionZk(['__consumer_offsets', '__transaction_state']);
    const admin = new AdminZkClient(zk);
    for (const topic of ['__consumer_offsets', '__transaction_state']) {
      const refused = admin.deleteTopic(topic);
      await expect(refused).rejects.toBeInstanceOf(InvalidTopicError);
      await expect(refused).rejects.toThrow(
        `Topic ${topic} is a kafka internal topic and is not allowed to be marked for deletion.`,
      );
    }
    expect(calls).toEqual([]);
  });

  test('anOrdinaryTopicIsMarkedAnUnknownOneRefusedAndAMarkedOneSaysSo', async () => {
    const { zk, calls } = deletionZk(['mine', 'marked'], ['marked']);
    const admin = new AdminZkClient(zk);
    await admin.deleteTopic('mine');
    await expect(admin.deleteTopic('other')).rejects.toBeInstanceOf(UnknownTopicOrPartitionError);
    await expect(admin.deleteTopic('marked')).rejects.toBeInstanceOf(TopicAlreadyMarkedForDeletionError);
    expect(calls).toEqual(['exists mine', 'mark mine', 'exists other', 'exists marked', 'mark marked']);
  });
});
