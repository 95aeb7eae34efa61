import type { Struct } from './codec/compile';
import type { ApiKey } from './apiKeys';
import type { ApiMessageTypes, DataMessageTypes } from './messages/types.generated';

/** The numeric api keys this protocol has schemas for: 0 | 1 | … (`ApiKey.Produce` is the literal 0). */
export type ApiKeyValue = (typeof ApiKey)[keyof typeof ApiKey];

/** Decoded request body of an api (what `decodeRequest` returns as body): `RequestOf<typeof ApiKey.Produce>`. */
export type RequestOf<K extends ApiKeyValue> = ApiMessageTypes[K]['request'];
/** Request body `encodeRequest` accepts for an api (fields the codec can fill are optional). */
export type RequestInputOf<K extends ApiKeyValue> = ApiMessageTypes[K]['requestInput'];
/** Decoded response body of an api (what `decodeResponse` returns as body). */
export type ResponseOf<K extends ApiKeyValue> = ApiMessageTypes[K]['response'];
/** Response body `encodeResponse` accepts for an api (fields the codec can fill are optional). */
export type ResponseInputOf<K extends ApiKeyValue> = ApiMessageTypes[K]['responseInput'];

/*
 * The generic entry points take any number as api key so existing callers holding a plain `number`
 * keep compiling: a literal key (`ApiKey.Metadata`) selects the typed form, a plain number the
 * untyped `Struct`.
 */
/** `RequestOf<K>` for a known literal key, `Struct` for a plain number. */
export type RequestFor<K extends number> = K extends ApiKeyValue ? RequestOf<K> : Struct;
/** `RequestInputOf<K>` for a known literal key, `Struct` for a plain number. */
export type RequestInputFor<K extends number> = K extends ApiKeyValue ? RequestInputOf<K> : Struct;
/** `ResponseOf<K>` for a known literal key, `Struct` for a plain number. */
export type ResponseFor<K extends number> = K extends ApiKeyValue ? ResponseOf<K> : Struct;
/** `ResponseInputOf<K>` for a known literal key, `Struct` for a plain number. */
export type ResponseInputFor<K extends number> = K extends ApiKeyValue ? ResponseInputOf<K> : Struct;

/** Names of the data schemas in messages/internal (`OffsetCommitKey`, `GroupMetadataValue`, …). */
export type DataMessageName = keyof DataMessageTypes;
/** Decoded form of a data schema: `DataOf<'OffsetCommitValue'>`. */
export type DataOf<N extends DataMessageName> = DataMessageTypes[N]['value'];
/** Input form of a data schema, for `encodeVersioned`. */
export type DataInputOf<N extends DataMessageName> = DataMessageTypes[N]['input'];
