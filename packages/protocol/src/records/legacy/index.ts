/**
 * Legacy message sets (magic 0 and 1): what Produce v0–2 carries and Fetch v0–3 returns. Names are
 * chosen not to collide with the record batch v2 exports (records/batch.ts, records/record.ts).
 */
export { decodeMessageSet, type LegacyRecord } from './decode';
export { convertMessageSetToBatch, type ConvertMessageSetOptions } from './convert';
export { inflateLegacyWrappers } from './inflate';
export {
  encodeMessageSet,
  entrySize as legacyEntrySize,
  writeMessage as writeLegacyMessage,
  type EncodeMessageSetOptions,
  type LegacyRecordInput,
} from './encode';
export { validateMessageSet, type MessageSetInfo } from './validate';
export { assignMessageSetOffsets, type AssignedMessageSet, type AssignOffsetsOptions } from './assignOffsets';
export {
  forEachLegacyRecord,
  RecordCursor as LegacyRecordCursor,
  type ScanOptions as MessageSetScanOptions,
  type ScanSummary as MessageSetScanSummary,
} from './iterate';
export type { LegacyTimestampType } from './format';
