/** @samsa/protocol — the Kafka wire protocol as data plus a generic codec. No I/O. */
export * from './schema/types';
export * from './codec/versions';
export { Reader } from './codec/reader';
export { Writer } from './codec/writer';
export {
  compileMessage,
  type CompiledMessage,
  type Struct,
  type RecordsValue,
  type UnknownTaggedField,
} from './codec/compile';
export * from './codec/header';
export * from './codec/frame';
export * from './codec/uuid';
export * from './api';
export * from './apiKeys';
export * from './apiTypes';
export type * from './messages/types.generated';
export * from './errors';
export * as messages from './messages';
export * from './records/batch';
export * from './records/record';
export * from './records/controlRecord';
export * from './records/recordStream';
export * from './records/recordFraming';
export * from './records/crc';
export * from './records/compression';
export * from './records/legacy';
export * from './internal';
export * as internalMessages from './messages/internal';
export * from './requests';
