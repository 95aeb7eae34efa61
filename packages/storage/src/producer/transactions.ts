import {
  Attribute,
  BatchField,
  decodeBatch,
  decodeControlRecordType,
  decodeEndTxnMarkerValue,
  ErrorCode,
  KafkaError,
} from '@samsa/protocol';

/** A producer's transaction in a partition that has no marker yet, or whose marker is above the HW (Kafka's TxnMetadata). */
export interface TxnMetadata {
  readonly producerId: number;
  readonly firstOffset: number;
  /** The marker's offset once written. */
  lastOffset: number | null;
}

/** A transaction a marker ended (Kafka's CompletedTxn). */
export interface CompletedTxn {
  readonly producerId: number;
  readonly firstOffset: number;
  /** The marker's offset. */
  readonly lastOffset: number;
  readonly isAborted: boolean;
}

/** What the one record of a control batch says (Kafka's EndTransactionMarker). */
export interface EndTxnMarker {
  /** ABORT 0, COMMIT 1 (other control types are not transaction markers). */
  readonly type: number;
  readonly coordinatorEpoch: number;
}

/**
 * The end-transaction marker of the control batch at `buf[pos…]`, or null for an empty control
 * batch (one the cleaner emptied: its transaction is gone from the log) or a control record that is
 * not a marker. Control batches are never compressed, so the record is read in place: a varint
 * length, attributes, timestamp and offset deltas, then the key and the value.
 */
export function readEndTxnMarker(buf: Buffer, pos: number): EndTxnMarker | null {
  if (buf.readInt32BE(pos + BatchField.RECORDS_COUNT) <= 0) return null;
  const end = pos + 12 + buf.readInt32BE(pos + BatchField.BATCH_LENGTH);
  if ((buf.readInt16BE(pos + BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK) !== 0) {
    // Not as Kafka writes markers, but a compressed one is still read right.
    const record = decodeBatch(buf.subarray(pos, end), 0, { verifyCrc: false }).records[0];
    if (record === undefined) return null;
    const t = decodeControlRecordType(record.key);
    return t === 0 || t === 1 ? { type: t, coordinatorEpoch: decodeEndTxnMarkerValue(record.value).coordinatorEpoch } : null;
  }
  const r = new VarintReader(buf, pos + BatchField.RECORDS, end);
  r.varint(); // record length
  r.skip(1); // attributes
  r.varint(); // timestamp delta
  r.varint(); // offset delta
  const key = r.bytes();
  const type = decodeControlRecordType(key);
  if (type !== 0 && type !== 1) return null;
  const { coordinatorEpoch } = decodeEndTxnMarkerValue(r.bytes());
  return { type, coordinatorEpoch };
}

class VarintReader {
  constructor(
    private readonly buf: Buffer,
    private at: number,
    private readonly end: number,
  ) {}

  private corrupt(): KafkaError {
    return new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'a control record is cut short');
  }

  skip(n: number): void {
    this.at += n;
    if (this.at > this.end) throw this.corrupt();
  }

  varint(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (this.at >= this.end || shift > 28) throw this.corrupt();
      const b = this.buf[this.at++];
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
    }
    return (value >>> 1) ^ -(value & 1);
  }

  bytes(): Buffer | null {
    const n = this.varint();
    if (n < 0) return null;
    if (this.at + n > this.end) throw this.corrupt();
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
}
