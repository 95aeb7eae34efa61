import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiKey, ErrorCode, type Struct } from '@samsa/protocol';
import type { ZkClient } from '../../harness';
import type { BrokerHandle, ClusterHandle } from '../../harness/broker';
import { errorName, kcatConsume, kcatProduce } from '../../fault/support';
import { brokerEpochOf, currentController, leaderAndIsrV2, stopReplicaV1 } from './controlRequests';
import {
  sendHandBuilt,
  startSingleBroker,
  stillServes,
  stopSingleBroker,
} from './support';

/**
 * Issue 13, row 2, on a real broker: controller requests written byte by byte by a client that is
 * not the controller.
 *  - A LeaderAndIsr v2 carrying the real controller's id and epoch (read from ZooKeeper, as anyone
 *    could) for topics `../victim` and `..` answers INVALID_TOPIC_EXCEPTION for each partition and
 *    creates no directory, inside log.dirs or outside it; a StopReplica(delete=true) for
 *    `../victim2` leaves a directory of that name beside log.dirs alone.
 *  - A StopReplica v1 (delete=true) for a real partition with a broker epoch older than the broker's
 *    registration (KIP-380) answers STALE_BROKER_EPOCH, and the partition and its records stay.
 * Afterwards the broker (same pid) still serves kcat.
 */
jest.setTimeout(60_000);

const TOPIC = 'kept';

let cluster: ClusterHandle;
let broker: BrokerHandle;
let zk: ZkClient;
let pids: ReadonlyMap<number, number | undefined>;

beforeAll(async () => {
  ({ cluster, broker, zk, pids } = await startSingleBroker(TOPIC));
});

afterAll(() => stopSingleBroker({ cluster, zk }));

/** Every file and directory under `dir`, relative to it (the broker's own dir, holding log.dirs). */
function tree(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

function partitionErrors(body: Struct): { topic: string; partition: number; error: string }[] {
  return (body.partitionErrors as Struct[]).map((e) => ({
    topic: e.topicName as string,
    partition: e.partitionIndex as number,
    error: errorName(e.errorCode as number),
  }));
}

test('aLeaderAndIsrForTopicDotDotSlashVictimIsInvalidTopicAndTouchesNoDisk', async () => {
  const controller = await currentController(zk);
  const outside = path.dirname(broker.logDir);
  const beforeOutside = fs.readdirSync(outside).sort();
  const beforeLogDir = tree(broker.logDir);

  const answer = await sendHandBuilt(
    broker,
    ApiKey.LeaderAndIsr,
    2,
    leaderAndIsrV2(
      { controllerId: controller.brokerId, controllerEpoch: controller.epoch, brokerEpoch: -1 },
      ['../victim', '..'].map((topic) => ({ topic, partition: 0, leader: 0, leaderEpoch: 0, isr: [0], replicas: [0] })),
    ),
  );
  expect(errorName(answer.errorCode as number)).toBe('NONE');
  expect(partitionErrors(answer)).toEqual([
    { topic: '../victim', partition: 0, error: 'INVALID_TOPIC_EXCEPTION' },
    { topic: '..', partition: 0, error: 'INVALID_TOPIC_EXCEPTION' },
  ]);
  expect(fs.existsSync(path.join(outside, 'victim-0'))).toBe(false);
  expect(fs.readdirSync(outside).sort()).toEqual(beforeOutside);
  expect(tree(broker.logDir).filter((f) => !beforeLogDir.includes(f) && !/checkpoint/.test(f))).toEqual([]);

  // StopReplica(delete=true) of `../victim2`: a directory of that name beside log.dirs stays
  const bystander = path.join(outside, 'victim2-0');
  fs.mkdirSync(bystander);
  fs.writeFileSync(path.join(bystander, 'precious'), 'keep me');
  const stop = await sendHandBuilt(
    broker,
    ApiKey.StopReplica,
    1,
    stopReplicaV1({ controllerId: controller.brokerId, controllerEpoch: controller.epoch, brokerEpoch: -1 }, true, [
      { topic: '../victim2', partition: 0 },
    ]),
  );
  expect(errorName(stop.errorCode as number)).toBe('NONE');
  expect(partitionErrors(stop)).toEqual([{ topic: '../victim2', partition: 0, error: 'INVALID_TOPIC_EXCEPTION' }]);
  expect(fs.readFileSync(path.join(bystander, 'precious'), 'utf8')).toBe('keep me');

  await stillServes(cluster, { pids, topic: TOPIC });
  // still nothing of the forged names, now or after the broker's scheduled deletions
  expect(fs.existsSync(path.join(outside, 'victim-0'))).toBe(false);
  expect(fs.existsSync(path.join(bystander, 'precious'))).toBe(true);
  fs.rmSync(bystander, { recursive: true });
});

test('aStopReplicaWithDeleteAndAStaleBrokerEpochIsRefusedAndThePartitionStays', async () => {
  const value = `before-forged-stop-${process.pid}`;
  await kcatProduce(cluster.bootstrap, TOPIC, [value], { partition: 0 });
  const controller = await currentController(zk);
  const brokerEpoch = await brokerEpochOf(zk, 0);

  const answer = await sendHandBuilt(
    broker,
    ApiKey.StopReplica,
    1,
    stopReplicaV1({ controllerId: controller.brokerId, controllerEpoch: controller.epoch, brokerEpoch: brokerEpoch - 1 }, true, [
      { topic: TOPIC, partition: 0 },
    ]),
  );
  // Kafka's handleStopReplicaRequest: the error at the top, no partitions
  expect(answer.errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
  expect(partitionErrors(answer)).toEqual([]);

  expect(fs.existsSync(path.join(broker.logDir, `${TOPIC}-0`))).toBe(true);
  expect(await kcatConsume(cluster.bootstrap, TOPIC, 0)).toContain(value);
  const values = await stillServes(cluster, { pids, topic: TOPIC });
  expect(values).toContain(value);
});
