import { randomBytes } from 'node:crypto';
import type { Reader } from './reader';
import type { Writer } from './writer';

/** Kafka prints and stores UUIDs (topic ids) as URL-safe base64 without padding: 22 characters. */
export const NULL_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export function uuidToBytes(uuid: string): Buffer {
  const b = Buffer.from(uuid, 'base64url');
  if (b.length !== 16) throw new Error(`invalid uuid '${uuid}'`);
  return b;
}

export function readUuid(r: Reader): string {
  return r.slice(16, 'uuid').toString('base64url');
}

export function writeUuid(w: Writer, uuid: string): void {
  w.raw(uuidToBytes(uuid));
}

/** A random (version 4) UUID in Kafka's text form. */
export function randomUuid(): string {
  const b = randomBytes(16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return b.toString('base64url');
}
