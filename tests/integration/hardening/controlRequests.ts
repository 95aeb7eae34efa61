import { exists, type ZkClient } from '../../harness';
import { controllerInfo, type ControllerInfo } from '../../fault/support';
import { array, int32, string } from './support';

/**
 * Controller-to-broker requests written byte by byte, as a client that is not the controller would
 * forge them (issue 13 row 2), and the ZooKeeper facts a forger would read to make them look real.
 * Only non-flexible versions: LeaderAndIsr v2 (the first with the broker epoch and topic grouping),
 * StopReplica v1 (the first with the broker epoch) and UpdateMetadata v0 (no broker epoch: -1).
 */

export function int8(v: number): Buffer {
  const b = Buffer.alloc(1);
  b.writeInt8(v);
  return b;
}

export function int64(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(v));
  return b;
}

/** The largest controller epoch the wire can carry (int32): what locked brokers out before. */
export const MAX_CONTROLLER_EPOCH = 2 ** 31 - 1;

export interface ControlHeader {
  readonly controllerId: number;
  readonly controllerEpoch: number;
  readonly brokerEpoch: number;
}

export interface ForgedPartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly replicas: readonly number[];
}

/** A LeaderAndIsr v2 body: header, one topic state per partition given, no live leaders. */
export function leaderAndIsrV2(header: ControlHeader, partitions: readonly ForgedPartitionState[]): Buffer[] {
  const topicStates = partitions.map((p) =>
    Buffer.concat([
      string(p.topic),
      array([
        Buffer.concat([
          int32(p.partition),
          int32(header.controllerEpoch),
          int32(p.leader),
          int32(p.leaderEpoch),
          array(p.isr.map(int32)),
          int32(0), // zkVersion
          array(p.replicas.map(int32)),
          int8(1), // isNew
        ]),
      ]),
    ]),
  );
  return [int32(header.controllerId), int32(header.controllerEpoch), int64(header.brokerEpoch), array(topicStates), array([])];
}

/** A StopReplica v1 body: header, delete flag, one topic entry per partition given. */
export function stopReplicaV1(
  header: ControlHeader,
  deletePartitions: boolean,
  partitions: readonly { topic: string; partition: number }[],
): Buffer[] {
  const topics = partitions.map((p) => Buffer.concat([string(p.topic), array([int32(p.partition)])]));
  return [int32(header.controllerId), int32(header.controllerEpoch), int64(header.brokerEpoch), int8(deletePartitions ? 1 : 0), array(topics)];
}

/** An UpdateMetadata v0 body: no live brokers, and each partition given marked deleted (leader -2). */
export function updateMetadataV0DeletingAll(
  header: Pick<ControlHeader, 'controllerId' | 'controllerEpoch'>,
  partitions: readonly { topic: string; partition: number }[],
): Buffer[] {
  const states = partitions.map((p) =>
    Buffer.concat([
      string(p.topic),
      int32(p.partition),
      int32(header.controllerEpoch),
      int32(-2), // leader: LeaderAndIsr.LeaderDuringDelete
      int32(1_000_000), // leader epoch
      array([]), // isr
      int32(0), // zkVersion
      array([]), // replicas
    ]),
  );
  return [int32(header.controllerId), int32(header.controllerEpoch), array(states), array([])];
}

/** The controller as ZooKeeper holds it now (fails while there is none). */
export async function currentController(zk: ZkClient): Promise<ControllerInfo> {
  const c = await controllerInfo(zk);
  if (c === null) throw new Error('no controller registered');
  return c;
}

/** A broker's epoch: the czxid of its /brokers/ids/<id> registration. */
export async function brokerEpochOf(zk: ZkClient, brokerId: number): Promise<number> {
  const stat = await exists(zk, `/brokers/ids/${brokerId}`);
  if (!stat) throw new Error(`broker ${brokerId} is not registered`);
  return Number(stat.czxid.readBigInt64BE(0));
}
