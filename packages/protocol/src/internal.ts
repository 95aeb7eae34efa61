import { compileMessage, type Struct } from './codec/compile';
import { Reader } from './codec/reader';
import { inRange, parseVersions } from './codec/versions';
import { Writer } from './codec/writer';
import { ErrorCode, KafkaError } from './errors';
import type { MessageSpec } from './schema/types';
import type { DataInputOf, DataMessageName, DataOf } from './apiTypes';

/** True for a union of several types (a spec that is one of several schemas). */
type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;

/**
 * Decoded form of a data schema when it is one of messages/internal (by its literal name); `Struct`
 * for a plain `MessageSpec` or a spec that may be one of several.
 */
export type DataFor<S extends MessageSpec> =
  true extends IsUnion<S['name']> ? Struct : S['name'] extends DataMessageName ? DataOf<S['name']> : Struct;
/** Input form of a data schema, chosen like `DataFor`. */
export type DataInputFor<S extends MessageSpec> =
  true extends IsUnion<S['name']> ? Struct : S['name'] extends DataMessageName ? DataInputOf<S['name']> : Struct;

/**
 * Data messages stored or embedded by Kafka (the __consumer_offsets keys and values, the consumer
 * protocol's subscription and assignment) travel as an int16 version followed by the struct.
 */
export function encodeVersioned<S extends MessageSpec>(spec: S, version: number, value: DataInputFor<S>): Buffer {
  const w = new Writer(128);
  w.int16(version);
  compileMessage(spec, version).encode(w, value);
  return w.toBuffer();
}

/** Reads the version prefix, then the struct; a version outside the schema is CORRUPT_MESSAGE. */
export function decodeVersioned<S extends MessageSpec>(spec: S, buf: Buffer): { version: number; value: DataFor<S> } {
  const r = new Reader(buf);
  const version = r.int16();
  if (!inRange(parseVersions(spec.validVersions), version)) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `${spec.name} has no version ${version}`);
  }
  return { version, value: compileMessage(spec, version).decode(r) as DataFor<S> };
}

/** The version prefix alone (to tell an offset-commit key, v0–1, from a group-metadata key, v2). */
export function peekVersion(buf: Buffer): number {
  if (buf.length < 2) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'versioned message shorter than its version');
  return buf.readInt16BE(0);
}
