import { ApiKey, ErrorCode, KafkaError } from '@samsa/protocol';
import { replicaAssignment, type KafkaZkClient } from '@samsa/zk';
import { checkPartitionsRequest, createPartitionsHandler } from './createPartitions';
import { answerOf } from './testing/untypedEntry';
import { ctx, fakeDeps } from './testing/fakeDeps';

const existing = new Map([
  [0, replicaAssignment([0, 1])],
  [1, replicaAssignment([1, 0])],
]);
const brokerIds = new Set([0, 1, 2]);

function code(fn: () => unknown): number | string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return e instanceof KafkaError ? e.code : String(e);
  }
}

describe('checkPartitionsRequest', () => {
  test('onlyAnIncreaseOfAnExistingTopicWithoutReassignment', () => {
    expect(checkPartitionsRequest('t', existing, 3, null, brokerIds)).toBeNull();
    expect(code(() => checkPartitionsRequest('t', existing, 2, null, brokerIds))).toBe(
      ErrorCode.INVALID_PARTITIONS,
    );
    expect(code(() => checkPartitionsRequest('t', existing, 1, null, brokerIds))).toBe(
      ErrorCode.INVALID_PARTITIONS,
    );
    expect(code(() => checkPartitionsRequest('t', new Map(), 3, null, brokerIds))).toBe(
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    // a count whose assignment cannot fit in ZooKeeper's znode is refused before any placement
    expect(code(() => checkPartitionsRequest('t', existing, 0x7fffffff, null, brokerIds))).toBe(
      ErrorCode.INVALID_PARTITIONS,
    );
    const moving = new Map([[0, replicaAssignment([0, 1], [2], [1])]]);
    expect(code(() => checkPartitionsRequest('t', moving, 3, null, brokerIds))).toBe(
      ErrorCode.REASSIGNMENT_IN_PROGRESS,
    );
  });

  test('explicitAssignmentsNumberedAfterTheExistingOnes', () => {
    const a = checkPartitionsRequest(
      't',
      existing,
      4,
      [{ brokerIds: [2, 0] }, { brokerIds: [1, 2] }],
      brokerIds,
    );
    expect([...a!]).toEqual([
      [2, [2, 0]],
      [3, [1, 2]],
    ]);
    expect(
      code(() =>
        checkPartitionsRequest('t', existing, 4, [{ brokerIds: [2, 9] }, { brokerIds: [1, 2] }], brokerIds),
      ),
    ).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    expect(code(() => checkPartitionsRequest('t', existing, 4, [{ brokerIds: [2, 0] }], brokerIds))).toBe(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    );
  });
});

describe('createPartitionsHandler', () => {
  test('notControllerAnswersNotController', async () => {
    const h = createPartitionsHandler(fakeDeps({ isController: () => false }));
    expect(h.maxVersion).toBe(1);
    const r = await answerOf(h, ctx(ApiKey.CreatePartitions, 1), {
      topics: [{ name: 'a', count: 3, assignments: null }],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect(r.results).toEqual([{ name: 'a', errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null }]);
  });

  test('aNameNoTopicCanHaveIsUnknownAndNeverBecomesAZooKeeperPath', async () => {
    const pathsAsked: string[] = [];
    const zkClient = {
      getAllBrokersInCluster: () => Promise.resolve([]),
      isTopicMarkedForDeletion: (name: string) => {
        pathsAsked.push(name);
        return Promise.resolve(false);
      },
    } as unknown as KafkaZkClient;
    const h = createPartitionsHandler(fakeDeps({ zkClient }));
    const r = await answerOf(h, ctx(ApiKey.CreatePartitions, 1), {
      topics: ['', 'a/b', '..', 'x\u0001'].map((name) => ({ name, count: 3, assignments: null })),
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect(r.results.map((t: { errorCode: number }) => t.errorCode)).toEqual(
      Array(4).fill(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION),
    );
    expect(pathsAsked).toEqual([]);
  });
});
