import { Reader } from '@samsa/protocol';
import type { ConsumerRecord } from '../client/RecordFetcher';
import { UsageError } from '../cli/OptionParser';

/** How the console consumer prints a record (Kafka's MessageFormatter): bytes to the output. */
export interface MessageFormatter {
  writeTo(record: ConsumerRecord, write: (chunk: Buffer | string) => void): void;
}

export const DEFAULT_FORMATTER = 'kafka.tools.DefaultMessageFormatter';
export const OFFSETS_FORMATTER = 'kafka.coordinator.group.GroupMetadataManager$OffsetsMessageFormatter';
const NO_OP_FORMATTER = 'kafka.tools.NoOpMessageFormatter';

/** The formatter named by --formatter, configured with the --property values. */
export function messageFormatter(className: string, props: ReadonlyMap<string, string>): MessageFormatter {
  switch (className) {
    case DEFAULT_FORMATTER:
      return new DefaultMessageFormatter(props);
    case OFFSETS_FORMATTER:
      return new OffsetsMessageFormatter();
    case NO_OP_FORMATTER:
      return { writeTo() {} };
    default:
      throw new UsageError(
        `java.lang.ClassNotFoundException: ${className} (Samsa's console consumer has ${DEFAULT_FORMATTER}, ${NO_OP_FORMATTER} and ${OFFSETS_FORMATTER})`,
      );
  }
}

type Deserializer = (bytes: Buffer) => Buffer | string;

/** The deserializers a --property key.deserializer= / value.deserializer= may name. */
function deserializer(className: string | undefined): Deserializer {
  switch (className) {
    case undefined:
    case 'org.apache.kafka.common.serialization.ByteArrayDeserializer':
      return (b) => b;
    case 'org.apache.kafka.common.serialization.StringDeserializer':
      return (b) => b.toString('utf8');
    case 'org.apache.kafka.common.serialization.LongDeserializer':
      return (b) => (b.length === 8 ? b.readBigInt64BE(0).toString() : fail('Size of data received by LongDeserializer is not 8'));
    case 'org.apache.kafka.common.serialization.IntegerDeserializer':
      return (b) => (b.length === 4 ? String(b.readInt32BE(0)) : fail('Size of data received by IntegerDeserializer is not 4'));
    case 'org.apache.kafka.common.serialization.ShortDeserializer':
      return (b) => (b.length === 2 ? String(b.readInt16BE(0)) : fail('Size of data received by ShortDeserializer is not 2'));
    case 'org.apache.kafka.common.serialization.DoubleDeserializer':
      return (b) => (b.length === 8 ? javaDouble(b.readDoubleBE(0)) : fail('Size of data received by Deserializer is not 8'));
    default:
      throw new UsageError(`java.lang.ClassNotFoundException: ${className}`);
  }
}

function fail(message: string): never {
  throw new Error(`org.apache.kafka.common.errors.SerializationException: ${message}`);
}

function javaDouble(d: number): string {
  return Number.isInteger(d) ? d.toFixed(1) : String(d);
}

/**
 * Kafka's DefaultMessageFormatter (2.8, KIP-431): print.timestamp, print.partition,
 * print.offset, print.headers, print.key, print.value (true), key.separator ("\t"),
 * line.separator ("\n"), headers.separator (","), null.literal ("null"), and the key/value/headers
 * deserializers. Columns in Kafka's order: `CreateTime:ts`, `Partition:p`, `Offset:o`, headers
 * (`k:v` joined, or NO_HEADERS), key, value; each followed by the key separator, the last by the
 * line separator.
 */
export class DefaultMessageFormatter implements MessageFormatter {
  private readonly flags: {
    timestamp: boolean;
    partition: boolean;
    offset: boolean;
    headers: boolean;
    key: boolean;
    value: boolean;
  };
  private readonly keySeparator: string;
  private readonly lineSeparator: string;
  private readonly headersSeparator: string;
  private readonly nullLiteral: string;
  private readonly keyDeserializer: Deserializer;
  private readonly valueDeserializer: Deserializer;
  private readonly headersDeserializer: Deserializer;

  constructor(props: ReadonlyMap<string, string>) {
    const flag = (name: string, fallback: boolean): boolean => {
      const v = props.get(name);
      return v === undefined ? fallback : v.trim().toLowerCase() === 'true';
    };
    this.flags = {
      timestamp: flag('print.timestamp', false),
      partition: flag('print.partition', false),
      offset: flag('print.offset', false),
      headers: flag('print.headers', false),
      key: flag('print.key', false),
      value: flag('print.value', true),
    };
    this.keySeparator = unescapeSeparator(props.get('key.separator') ?? '\t');
    this.lineSeparator = unescapeSeparator(props.get('line.separator') ?? '\n');
    this.headersSeparator = unescapeSeparator(props.get('headers.separator') ?? ',');
    this.nullLiteral = props.get('null.literal') ?? 'null';
    this.keyDeserializer = deserializer(props.get('key.deserializer'));
    this.valueDeserializer = deserializer(props.get('value.deserializer'));
    this.headersDeserializer = deserializer(props.get('headers.deserializer'));
  }

  writeTo(r: ConsumerRecord, write: (chunk: Buffer | string) => void): void {
    const f = this.flags;
    const separator = (more: boolean): void => write(more ? this.keySeparator : this.lineSeparator);
    if (f.timestamp) {
      write(`${r.timestampType}:${r.timestamp}`);
      separator(f.partition || f.offset || f.headers || f.key || f.value);
    }
    if (f.partition) {
      write(`Partition:${r.partition}`);
      separator(f.offset || f.headers || f.key || f.value);
    }
    if (f.offset) {
      write(`Offset:${r.offset}`);
      separator(f.headers || f.key || f.value);
    }
    if (f.headers) {
      if (r.headers.length === 0) write('NO_HEADERS');
      r.headers.forEach((h, i) => {
        if (i > 0) write(this.headersSeparator);
        write(`${h.key}:`);
        write(h.value === null ? this.nullLiteral : this.headersDeserializer(h.value));
      });
      separator(f.key || f.value);
    }
    if (f.key) {
      write(r.key === null ? this.nullLiteral : this.keyDeserializer(r.key));
      separator(f.value);
    }
    if (f.value) {
      write(r.value === null ? this.nullLiteral : this.valueDeserializer(r.value));
      write(this.lineSeparator);
    }
  }
}

/** Kafka's console tools take "\t" and "\n" typed as two characters too. */
function unescapeSeparator(s: string): string {
  return s.replace(/\\t/g, '\t').replace(/\\n/g, '\n').replace(/\\r/g, '\r');
}

/**
 * GroupMetadataManager$OffsetsMessageFormatter for __consumer_offsets: each offset commit as
 * `[group,topic-partition]::OffsetAndMetadata(offset=…, leaderEpoch=Optional[…]|Optional.empty,
 * metadata=…, commitTimestamp=…, expireTimestamp=Some(…)|None)`, a tombstone as `…::NULL`; group
 * metadata records (key version 2) are skipped, as Kafka's formatter skips them.
 */
export class OffsetsMessageFormatter implements MessageFormatter {
  writeTo(r: ConsumerRecord, write: (chunk: Buffer | string) => void): void {
    if (r.key === null) return;
    const key = readOffsetKey(r.key);
    if (key === null) return;
    const value = r.value === null ? 'NULL' : formatOffsetValue(r.value);
    write(`[${key.group},${key.topic}-${key.partition}]::${value}\n`);
  }
}

export interface OffsetKey {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
}

/** The key of an offset commit record (versions 0 and 1); null for group metadata keys (version 2). */
export function readOffsetKey(bytes: Buffer): OffsetKey | null {
  const r = new Reader(bytes);
  const version = r.int16();
  if (version !== 0 && version !== 1) return null;
  const group = readString(r);
  const topic = readString(r);
  const partition = r.int32();
  return { group: group ?? '', topic: topic ?? '', partition };
}

/** An offset commit value (versions 0–3) as Kafka's OffsetAndMetadata.toString writes it. */
export function formatOffsetValue(bytes: Buffer): string {
  const r = new Reader(bytes);
  const version = r.int16();
  if (version < 0 || version > 3) throw new Error(`Unknown offset message version ${version}`);
  const offset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = readString(r) ?? '';
  const commitTimestamp = r.int64();
  const expireTimestamp = version === 1 ? r.int64() : null;
  return (
    `OffsetAndMetadata(offset=${offset}` +
    `, leaderEpoch=${leaderEpoch < 0 ? 'Optional.empty' : `Optional[${leaderEpoch}]`}` +
    `, metadata=${metadata}` +
    `, commitTimestamp=${commitTimestamp}` +
    `, expireTimestamp=${expireTimestamp === null ? 'None' : `Some(${expireTimestamp})`})`
  );
}

/** A Kafka STRING (int16 length, -1 for null) at the reader's position. */
function readString(r: Reader): string | null {
  const length = r.int16();
  return length < 0 ? null : r.utf8(length);
}
