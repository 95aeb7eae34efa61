import { TopicPartitionStateZNode, type KafkaZkClient } from '@samsa/zk';
import { zkIsrUpdater } from './IsrUpdater';

/**
 * A setData whose answer was lost and which the client sent again finds BADVERSION: the znode
 * already holds the write. The leader must take that as success at the znode's version, or it keeps
 * a stale version and no later ISR change of the partition succeeds.
 */
describe('zkIsrUpdater', () => {
  const tp = { topic: 't', partition: 0 };
  const state = { leader: 1, leaderEpoch: 3, isr: [1], controllerEpoch: 2 };

  function zkHolding(stored: Buffer, version: number): KafkaZkClient {
    const fake = {
      async conditionalUpdatePath(
        path: string,
        data: Buffer,
        _expected: number,
        checker?: (path: string, data: Buffer) => Promise<{ succeeded: boolean; version: number }>,
      ) {
        return checker ? checker(path, data) : { succeeded: false, version: -1 };
      },
      async getDataAndVersion() {
        return { data: stored, version };
      },
    };
    return fake as unknown as KafkaZkClient;
  }

  test('a BADVERSION on a znode holding exactly this write is success at its version', async () => {
    const written = TopicPartitionStateZNode.encode({
      leaderAndIsr: { leader: 1, leaderEpoch: 3, isr: [1], zkVersion: 7 },
      controllerEpoch: 2,
    });
    expect(await zkIsrUpdater(zkHolding(written, 8)).updateIsr(tp, state, 7)).toBe(8);
  });

  test('a BADVERSION on a znode someone else wrote is a failure', async () => {
    const other = TopicPartitionStateZNode.encode({
      leaderAndIsr: { leader: 2, leaderEpoch: 4, isr: [2, 1], zkVersion: 7 },
      controllerEpoch: 2,
    });
    expect(await zkIsrUpdater(zkHolding(other, 8)).updateIsr(tp, state, 7)).toBeNull();
  });
});
