import { compileMessage, type Struct } from './codec/compile';
import { Reader } from './codec/reader';
import { inRange, parseVersions } from './codec/versions';
import { Writer } from './codec/writer';
import { ErrorCode, KafkaError } from './errors';
import type { MessageSpec } from './schema/types';

/**
 * Data messages stored or embedded by Kafka (the __consumer_offsets keys and values, the consumer
 * protocol's subscription and assignment) travel as an int16 version followed by the struct.
 */
export function encodeVersioned(spec: MessageSpec, version: number, value: Struct): Buffer {
  const w = new Writer(128);
  w.int16(version);
  compileMessage(spec, version).encode(w, value);
  return w.toBuffer();
}

/** Reads the version prefix, then the struct; a version outside the schema is CORRUPT_MESSAGE. */
export function decodeVersioned(spec: MessageSpec, buf: Buffer): { version: number; value: Struct } {
  const r = new Reader(buf);
  const version = r.int16();
  if (!inRange(parseVersions(spec.validVersions), version)) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `${spec.name} has no version ${version}`);
  }
  return { version, value: compileMessage(spec, version).decode(r) };
}

/** The version prefix alone (to tell an offset-commit key, v0–1, from a group-metadata key, v2). */
export function peekVersion(buf: Buffer): number {
  if (buf.length < 2) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'versioned message shorter than its version');
  return buf.readInt16BE(0);
}
