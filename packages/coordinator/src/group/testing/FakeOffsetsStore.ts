import { assignOffsets, ErrorCode, forEachBatch, readBatchHeader, lastOffsetOf, type ProducePartitionResult } from '@samsa/protocol';
import { GROUP_METADATA_TOPIC_NAME } from '@samsa/zk';
import type { CoordinatorReplicaManager } from '../GroupMetadataManager';

/**
 * __consumer_offsets in memory, for coordinator tests: the partitions this broker leads hold the
 * batches appended (offsets assigned as a leader would), and read back in chunks as a Log does.
 * `hold()` keeps appends in flight until `release()`; `failNext(code)` fails the next append.
 * Test support only.
 */
export class FakeOffsetsStore implements CoordinatorReplicaManager {
  readonly logs = new Map<number, Buffer[]>();
  private readonly led = new Set<number>();
  private held: (() => void)[] | null = null;
  private nextError: number | null = null;
  appends = 0;
  /** The origin of every append, in order. */
  readonly origins: string[] = [];

  lead(...partitions: number[]): this {
    for (const p of partitions) {
      this.led.add(p);
      if (!this.logs.has(p)) this.logs.set(p, []);
    }
    return this;
  }

  follow(...partitions: number[]): this {
    for (const p of partitions) this.led.delete(p);
    return this;
  }

  hold(): void {
    this.held = [];
  }

  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const fn of held) fn();
  }

  failNext(errorCode: number): void {
    this.nextError = errorCode;
  }

  logEndOffset(partition: number): number {
    const batches = this.logs.get(partition) ?? [];
    if (batches.length === 0) return 0;
    return lastOffsetOf(readBatchHeader(batches[batches.length - 1])) + 1;
  }

  /** Every record (key, value) of a partition, decoded by the caller. */
  batches(partition: number): Buffer[] {
    return this.logs.get(partition) ?? [];
  }

  appendRecords(
    _timeoutMs: number,
    _requiredAcks: number,
    entries: readonly { topic: string; partition: number; records: Buffer | null }[],
    _onLocalComplete?: undefined,
    origin = 'client',
  ): Promise<ProducePartitionResult[]> {
    this.origins.push(origin);
    const results = entries.map((e): ProducePartitionResult => {
      const fail = (errorCode: number) => ({
        topic: e.topic,
        partition: e.partition,
        errorCode,
        baseOffset: -1,
        logAppendTimeMs: -1,
        logStartOffset: -1,
      });
      if (e.topic !== GROUP_METADATA_TOPIC_NAME || !this.led.has(e.partition))
        return fail(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      if (this.nextError !== null) {
        const code = this.nextError;
        this.nextError = null;
        return fail(code);
      }
      const baseOffset = this.logEndOffset(e.partition);
      const copy = Buffer.from(e.records!);
      assignOffsets(copy, baseOffset, 0);
      this.logs.get(e.partition)!.push(copy);
      this.appends++;
      return {
        topic: e.topic,
        partition: e.partition,
        errorCode: ErrorCode.NONE,
        baseOffset,
        logAppendTimeMs: -1,
        logStartOffset: 0,
      };
    });
    if (this.held === null) return Promise.resolve(results);
    const held = this.held;
    return new Promise((resolve) => held.push(() => resolve(results)));
  }

  /** One object per partition, as the ReplicaManager keeps one Partition per partition. */
  private readonly partitions = new Map<number, ReturnType<FakeOffsetsStore['makePartition']>>();

  getPartition(topic: string, partition: number) {
    if (topic !== GROUP_METADATA_TOPIC_NAME || !this.logs.has(partition)) return undefined;
    let p = this.partitions.get(partition);
    if (!p) this.partitions.set(partition, (p = this.makePartition(partition)));
    return p;
  }

  private makePartition(partition: number) {
    const isLeader = () => this.led.has(partition);
    const logEndOffset = () => this.logEndOffset(partition);
    const batches = () => this.batches(partition);
    return {
      get isLeader() {
        return isLeader();
      },
      log: {
        logStartOffset: 0,
        get logEndOffset() {
          return logEndOffset();
        },
        read(startOffset: number, maxLength: number) {
          const all = Buffer.concat(batches());
          let from = -1;
          let to = -1;
          forEachBatch(all, (pos, size) => {
            if (lastOffsetOf(readBatchHeader(all, pos)) < startOffset) return;
            if (from < 0) {
              // the first batch whole, however large (minOneMessage)
              from = pos;
              to = pos + size;
              return;
            }
            if (pos + size - from > maxLength) return false;
            to = pos + size;
          });
          const bytes = from < 0 ? Buffer.alloc(0) : all.subarray(from, to);
          return { records: { sizeInBytes: bytes.length, read: () => Promise.resolve(bytes) } };
        },
      },
    };
  }
}
