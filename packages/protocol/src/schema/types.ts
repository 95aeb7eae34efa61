/**
 * The protocol as data. One `ApiSpec` per Kafka API, transcribed from Kafka 2.8's message JSON
 * (`clients/src/main/resources/common/message/*.json`); the codec compiles an encoder and a decoder
 * per (message, version) from these, so no per-version codec is ever written by hand.
 *
 * Version ranges are strings in Kafka's notation: "0+" (from 0 on), "3+" , "0-2" (0 to 2),
 * "5" (only 5), "none" (never).
 */

/** Scalar wire types. `records` is nullable-bytes-shaped and carries record batches untouched. */
export type PrimitiveType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'string'
  | 'bytes'
  | 'records'
  | 'uuid';

/** `[]int32`, `[]string`: arrays of a primitive. */
export type PrimitiveArrayType = `[]${PrimitiveType}`;

/** `struct` is a nested struct (one value); `[]struct` an array of them. Both need `fields`. */
export type FieldType = PrimitiveType | PrimitiveArrayType | 'struct' | '[]struct';

export interface FieldSpec {
  /** Kafka's field name with a lower-case first letter: `TopicData` → `topicData`. */
  readonly name: string;
  readonly type: FieldType;
  /** Versions in which the field is on the wire (as a regular or a tagged field). */
  readonly versions: string;
  /** Versions in which the field may be null (strings, bytes, records, arrays, structs). */
  readonly nullableVersions?: string;
  /** For tagged fields: the tag number and the versions in which it is tagged. */
  readonly tag?: number;
  readonly taggedVersions?: string;
  /**
   * Value when absent from a version (or omitted by the caller). Kafka's JSON strings are turned into
   * typed values: "-1" → -1, "null" → null, "true" → true, "0x7fffffff" → 2147483647. Without it:
   * 0, false, '' , [] , empty bytes, or null where the field is nullable.
   */
  readonly default?: number | bigint | boolean | string | null;
  /** Kafka's `ignorable`: the encoder may drop a non-default value in a version that lacks the field. */
  readonly ignorable?: boolean;
  /** Sub-fields of `struct` / `[]struct`. Shared ("common") structs are plain constants reused here. */
  readonly fields?: readonly FieldSpec[];
}

export interface MessageSpec {
  /** Kafka's message name: `ProduceRequest`, `ProduceResponse`, `OffsetCommitKey`, … */
  readonly name: string;
  readonly type: 'request' | 'response' | 'header' | 'data';
  readonly validVersions: string;
  readonly flexibleVersions: string;
  readonly fields: readonly FieldSpec[];
}

export interface ApiSpec {
  readonly apiKey: number;
  /** Kafka's API name without the suffix: `Produce`, `LeaderAndIsr`. */
  readonly name: string;
  readonly request: MessageSpec;
  readonly response: MessageSpec;
}
