import * as path from 'node:path';
import type { DumpErrors } from './DumpErrors';
import {
  batchRecords,
  codecName,
  describeControlRecord,
  isControlBatch,
  isTransactionalBatch,
  lastSequenceOf,
  scanLog,
  type LogBatch,
  type LogRecord,
} from './LogBatches';
import type { MessageParser } from './MessageParsers';

/**
 * kafka-dump-log of a `.log` segment (Kafka 2.1 DumpLogSegments.dumpLog): one line per batch, or
 * with deep iteration one line per record, each in Kafka's exact words; with --json one JSON object
 * per line instead. A record's "position" is its batch's, as Kafka prints it.
 */
export interface LogDumpOptions {
  readonly deepIteration: boolean;
  readonly printContents: boolean;
  readonly json: boolean;
  readonly parser: MessageParser;
}

export type Emit = (line: string) => void;

export function dumpLog(
  file: string,
  buf: Buffer,
  baseOffset: number,
  opts: LogDumpOptions,
  errors: DumpErrors,
  out: Emit,
): void {
  const absolute = path.resolve(file);
  if (opts.json) out(JSON.stringify({ type: 'log', file, startingOffset: baseOffset }));
  else out(`Starting offset: ${baseOffset}`);
  const { batches, validBytes } = scanLog(buf, path.basename(file));
  let lastOffset = -1;
  for (const batch of batches) {
    if (!opts.deepIteration) {
      out(opts.json ? JSON.stringify(batchJson(batch)) : batchLine(batch));
      continue;
    }
    for (const record of batchRecords(buf, batch)) {
      if (lastOffset === -1) lastOffset = record.offset;
      else if (record.offset !== lastOffset + 1)
        errors.recordNonConsecutive(absolute, lastOffset, record.offset);
      lastOffset = record.offset;
      out(recordOutput(batch, record, opts));
    }
  }
  const trailingBytes = buf.length - validBytes;
  if (trailingBytes > 0) {
    const name = path.basename(file);
    out(
      opts.json
        ? JSON.stringify({ type: 'invalidBytes', file: name, bytes: trailingBytes })
        : `Found ${trailingBytes} invalid bytes at the end of ${name}`,
    );
  }
}

export function batchLine(b: LogBatch): string {
  const h = b.header;
  const head =
    h === null
      ? `offset: ${b.lastOffset}`
      : `baseOffset: ${h.baseOffset} lastOffset: ${b.lastOffset} count: ${h.recordsCount}` +
        ` baseSequence: ${h.baseSequence} lastSequence: ${lastSequenceOf(h)}` +
        ` producerId: ${h.producerId} producerEpoch: ${h.producerEpoch}` +
        ` partitionLeaderEpoch: ${h.partitionLeaderEpoch} isTransactional: ${isTransactionalBatch(b)}` +
        ` isControl: ${isControlBatch(b)}`;
  return (
    `${head} position: ${b.position} ${b.timestampType}: ${b.maxTimestamp} isvalid: ${b.isValid}` +
    ` size: ${b.size} magic: ${b.magic} compresscodec: ${codecName(b.compression)} crc: ${b.checksum}`
  );
}

function batchJson(b: LogBatch): Record<string, unknown> {
  const h = b.header;
  return {
    type: 'batch',
    ...(h === null
      ? { offset: b.lastOffset }
      : {
          baseOffset: h.baseOffset,
          lastOffset: b.lastOffset,
          count: h.recordsCount,
          baseSequence: h.baseSequence,
          lastSequence: lastSequenceOf(h),
          producerId: h.producerId,
          producerEpoch: h.producerEpoch,
          partitionLeaderEpoch: h.partitionLeaderEpoch,
          isTransactional: isTransactionalBatch(b),
          isControl: isControlBatch(b),
        }),
    position: b.position,
    timestampType: b.timestampType,
    maxTimestamp: b.maxTimestamp,
    isValid: b.isValid,
    size: b.size,
    magic: b.magic,
    compressCodec: codecName(b.compression),
    crc: b.checksum,
  };
}

const keySize = (r: LogRecord): number => (r.key === null ? -1 : r.key.length);
const valueSize = (r: LogRecord): number => (r.value === null ? -1 : r.value.length);

function recordOutput(batch: LogBatch, r: LogRecord, opts: LogDumpOptions): string {
  const control = isControlBatch(batch) ? describeControlRecord(r) : null;
  const parsed = control === null && opts.printContents ? opts.parser(r) : null;
  if (opts.json) return JSON.stringify(recordJson(batch, r, control, parsed));
  let line =
    `offset: ${r.offset} position: ${batch.position} ${r.timestampType}: ${r.timestamp}` +
    ` isvalid: ${r.isValid} keysize: ${keySize(r)} valuesize: ${valueSize(r)} magic: ${r.magic}` +
    ` compresscodec: ${codecName(r.compression)}`;
  if (batch.magic >= 2) {
    const h = batch.header!;
    line +=
      ` producerId: ${h.producerId} producerEpoch: ${h.producerEpoch} sequence: ${r.sequence}` +
      ` isTransactional: ${isTransactionalBatch(batch)} headerKeys: [${r.headerKeys.join(',')}]`;
  } else {
    line += ` crc: ${r.checksum}`;
  }
  if (control !== null) line += control;
  if (parsed !== null) {
    if (parsed.key !== null) line += ` key: ${parsed.key}`;
    if (parsed.payload !== null) line += ` payload: ${parsed.payload}`;
  }
  return line;
}

function recordJson(
  batch: LogBatch,
  r: LogRecord,
  control: string | null,
  parsed: { key: string | null; payload: string | null } | null,
): Record<string, unknown> {
  const h = batch.header;
  return {
    type: 'record',
    offset: r.offset,
    position: batch.position,
    timestampType: r.timestampType,
    timestamp: r.timestamp,
    isValid: r.isValid,
    keySize: keySize(r),
    valueSize: valueSize(r),
    magic: r.magic,
    compressCodec: codecName(r.compression),
    ...(h === null
      ? { crc: r.checksum }
      : {
          producerId: h.producerId,
          producerEpoch: h.producerEpoch,
          sequence: r.sequence,
          isTransactional: isTransactionalBatch(batch),
          headerKeys: r.headerKeys,
        }),
    ...(control === null ? {} : { control: control.trim() }),
    ...(parsed?.key == null ? {} : { key: parsed.key }),
    ...(parsed?.payload == null ? {} : { payload: parsed.payload }),
  };
}
