import { ApiKey, ErrorCode, type Struct } from '@samsa/protocol';
import type { LogManager } from '@samsa/storage';
import type { BrokerDeps } from './deps';
import { describeLogDirsHandler } from './describeLogDirs';
import { answerOf } from './testing/untypedEntry';
import { ctx, fakeDeps } from './testing/fakeDeps';

/**
 * Three dirs: /d1 online with logs of a-0, a-1, b-0 and the future log of c-0 (moving there from
 * /d3, 5 offsets behind); /d2 offline; /d3 online with c-0.
 */
function handler(authorized = true) {
  const log = (topic: string, partition: number, size: number, hw: number, leo: number, parentDir = '/d1') => ({
    topicPartition: { topic, partition },
    parentDir,
    size,
    highWatermark: hw,
    logEndOffset: leo,
  });
  const current = [log('a', 0, 100, 5, 5), log('a', 1, 50, 3, 3), log('b', 0, 7, 1, 1), log('c', 0, 90, 9, 9, '/d3')];
  const logManager = {
    liveLogDirs: ['/d1', '/d3'],
    offlineLogDirs: ['/d2'],
    isLogDirOnline: (dir: string) => dir !== '/d2',
    allLogs: () => current,
    allFutureLogs: () => [log('c', 0, 40, 0, 4)],
    getLog: (tp: { topic: string; partition: number }) =>
      current.find((l) => l.topicPartition.topic === tp.topic && l.topicPartition.partition === tp.partition),
  } as unknown as LogManager;
  const authorizer = { authorize: (_c: unknown, actions: unknown[]) => actions.map(() => authorized) } as unknown as BrokerDeps['authorizer'];
  return describeLogDirsHandler(fakeDeps({ logManager, authorizer }));
}

const describe2 = (h: ReturnType<typeof handler>, topics: Struct[] | null) => answerOf(h, ctx(ApiKey.DescribeLogDirs, 2), { topics });

describe('describeLogDirsHandler', () => {
  test('everyDirWithItsPartitionsSizesAndLagsAndTheOfflineDirAsKafkaStorageError', async () => {
    const h = handler();
    expect(h.maxVersion).toBe(2);
    const all = await describe2(h, null);
    expect(all.results).toEqual([
      {
        errorCode: ErrorCode.NONE,
        logDir: '/d1',
        topics: [
          { name: 'a', partitions: [{ partitionIndex: 0, partitionSize: 100, offsetLag: 0, isFutureKey: false }, { partitionIndex: 1, partitionSize: 50, offsetLag: 0, isFutureKey: false }] },
          { name: 'b', partitions: [{ partitionIndex: 0, partitionSize: 7, offsetLag: 0, isFutureKey: false }] },
          { name: 'c', partitions: [{ partitionIndex: 0, partitionSize: 40, offsetLag: 5, isFutureKey: true }] },
        ],
      },
      {
        errorCode: ErrorCode.NONE,
        logDir: '/d3',
        topics: [{ name: 'c', partitions: [{ partitionIndex: 0, partitionSize: 90, offsetLag: 0, isFutureKey: false }] }],
      },
      { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir: '/d2', topics: [] },
    ]);
  });

  test('onlyTheRequestedPartitionsAndKafkasEmptyTopicsForTheOthers', async () => {
    const some = await describe2(handler(), [{ topic: 'a', partitionIndex: [1] }]);
    expect(some.results[0].topics).toEqual([
      { name: 'a', partitions: [{ partitionIndex: 1, partitionSize: 50, offsetLag: 0, isFutureKey: false }] },
      { name: 'b', partitions: [] },
      { name: 'c', partitions: [] },
    ]);
  });

  test('withoutDescribeOnTheClusterAnEmptyAnswer', async () => {
    expect((await describe2(handler(false), null)).results).toEqual([]);
  });
});
