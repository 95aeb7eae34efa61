import { ApiKey, type Struct } from '@samsa/protocol';
import type { BrokerHandle } from '../../harness/broker';
import { errorName } from '../../fault/support';
import { array, int16, int32, int64, int8, sendHandBuilt, string } from '../hardening/support';

/**
 * TxnOffsetCommit v0 and WriteTxnMarkers v0 built by hand on the wire (what librdkafka's
 * send_offsets_to_transaction and a transaction coordinator's marker channel send), and their
 * answers as "topic:partition ERROR" lines. Test support only.
 */

/** TxnOffsetCommit v0: transactionalId, groupId, producerId, producerEpoch, topics (no metadata). */
export function txnOffsetCommitV0(
  groupId: string,
  producerId: number,
  offsets: readonly [topic: string, partition: number, offset: number][],
): Buffer[] {
  return [
    string('tx-1'),
    string(groupId),
    int64(producerId),
    int16(0),
    array(
      offsets.map(([topic, partition, offset]) =>
        Buffer.concat([
          string(topic),
          array([Buffer.concat([int32(partition), int64(offset), string(null)])]),
        ]),
      ),
    ),
  ];
}

/** WriteTxnMarkers v0: one marker of `producerId` (producer epoch 0, coordinator epoch 0). */
export function writeTxnMarkersV0(
  producerId: number,
  commit: boolean,
  partitions: Record<string, number[]>,
): Buffer[] {
  return [
    array([
      Buffer.concat([
        int64(producerId),
        int16(0),
        int8(commit ? 1 : 0),
        array(
          Object.entries(partitions).map(([topic, ps]) =>
            Buffer.concat([string(topic), array(ps.map(int32))]),
          ),
        ),
        int32(0),
      ]),
    ]),
  ];
}

/** Sends a hand-built TxnOffsetCommit v0; "topic:partition ERROR" per partition. */
export async function sendTxnOffsetCommit(
  broker: BrokerHandle,
  groupId: string,
  producerId: number,
  offsets: readonly [string, number, number][],
): Promise<string[]> {
  const r = await sendHandBuilt(
    broker,
    ApiKey.TxnOffsetCommit,
    0,
    txnOffsetCommitV0(groupId, producerId, offsets),
  );
  return r.topics.flatMap((t: Struct) =>
    t.partitions.map((p: Struct) => `${t.name}:${p.partitionIndex} ${errorName(p.errorCode)}`),
  );
}

/** Sends a hand-built WriteTxnMarkers v0; "producerId topic:partition ERROR" per partition. */
export async function sendTxnMarker(
  broker: BrokerHandle,
  producerId: number,
  commit: boolean,
  partitions: Record<string, number[]>,
): Promise<string[]> {
  const r = await sendHandBuilt(
    broker,
    ApiKey.WriteTxnMarkers,
    0,
    writeTxnMarkersV0(producerId, commit, partitions),
  );
  return r.markers.flatMap((m: Struct) =>
    m.topics.flatMap((t: Struct) =>
      t.partitions.map(
        (p: Struct) => `${m.producerId} ${t.name}:${p.partitionIndex} ${errorName(p.errorCode)}`,
      ),
    ),
  );
}
