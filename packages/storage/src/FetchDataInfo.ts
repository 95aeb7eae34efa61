import type { FileRecords } from './FileRecords';
import type { AbortedTxn } from './TransactionIndex';

/**
 * What a read returns. The bytes are not copied out of the segment by `Log.read`: the broker gets
 * a `RecordsSlice` (file, position, size) and reads it when it builds the response — `read()` on
 * libuv's pool (the event loop stays free), or `readSync()` for small slices. Node cannot sendfile
 * to a socket, so a Buffer is needed in the end; deferring the read keeps it to one copy, and only
 * for partitions that make it into the response.
 */
export class RecordsSlice {
  static readonly EMPTY = new RecordsSlice(null, 0, 0);

  constructor(
    readonly file: FileRecords | null,
    readonly position: number,
    readonly sizeInBytes: number,
  ) {}

  /**
   * Reads the slice; shorter if the segment was truncated meanwhile. With `alloc`, into the buffer
   * it returns for the slice's size (the broker's pool of fetch buffers).
   */
  read(alloc?: (size: number) => Buffer): Promise<Buffer> {
    if (this.file === null || this.sizeInBytes === 0) return Promise.resolve(Buffer.alloc(0));
    return this.file.read(this.position, this.sizeInBytes, alloc);
  }

  readSync(): Buffer {
    if (this.file === null || this.sizeInBytes === 0) return Buffer.alloc(0);
    return this.file.readSync(this.position, this.sizeInBytes);
  }
}

/** An offset and, when known, where it is: the segment's base offset and the byte position in it. */
export interface LogOffsetMetadata {
  readonly messageOffset: number;
  readonly segmentBaseOffset: number;
  readonly relativePositionInSegment: number;
}

export const UNKNOWN_OFFSET_METADATA_POSITION = -1;

export function offsetOnlyMetadata(offset: number): LogOffsetMetadata {
  return {
    messageOffset: offset,
    segmentBaseOffset: -1,
    relativePositionInSegment: UNKNOWN_OFFSET_METADATA_POSITION,
  };
}

export interface FetchDataInfo {
  readonly fetchOffsetMetadata: LogOffsetMetadata;
  /** A read_committed read's aborted transactions overlapping it (Kafka's FetchTxnCommitted); absent otherwise. */
  readonly abortedTransactions?: readonly AbortedTxn[];
  readonly records: RecordsSlice;
  /** The first batch is larger than the bytes allowed (and minOneMessage was off). */
  readonly firstEntryIncomplete: boolean;
}
