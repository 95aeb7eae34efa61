import { readFileSync } from 'node:fs';
import { GENERATED_PATH, generateMessageTypes } from '../../scripts/generateMessageTypes';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  isRequestOf,
  requestCodec,
  responseCodec,
} from '../api';
import { ApiKey } from '../apiKeys';
import type { ApiKeyValue, RequestInputOf, RequestOf, ResponseOf } from '../apiTypes';
import type { Struct } from '../codec/compile';
import { Reader } from '../codec/reader';
import { Writer } from '../codec/writer';
import { decodeVersioned, encodeVersioned } from '../internal';
import { OffsetCommitValue } from './internal';
import type {
  ApiMessageTypes,
  MetadataResponse,
  OffsetCommitValue as OffsetCommitValueType,
  ProduceRequest,
  ProduceRequestInput,
  ProduceRequestTopicDataPartitionData,
} from './types.generated';

/** Compile-time equality: `expectType<Equal<A, B>>(true)` fails to compile unless A and B are the same. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_ok: T): void {}

/** Strips the 4-byte size prefix the encoders add, as the network layer does before decoding. */
function unframe(chunks: Buffer[]): Buffer {
  return Buffer.concat(chunks).subarray(4);
}

describe('generated message types', () => {
  it('types.generated.ts is what the generator produces from the schemas now', () => {
    // On failure: node --import tsx packages/protocol/scripts/generateMessageTypes.ts
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(generateMessageTypes());
  });

  it('keys the map by the literal api keys', () => {
    expectType<Equal<typeof ApiKey.Produce, 0>>(true);
    expectType<Equal<keyof ApiMessageTypes, ApiKeyValue>>(true);
    expectType<Equal<RequestOf<typeof ApiKey.Produce>, ProduceRequest>>(true);
    expectType<Equal<RequestInputOf<0>, ProduceRequestInput>>(true);
    expectType<Equal<ResponseOf<typeof ApiKey.Metadata>, MetadataResponse>>(true);
    expectType<Equal<ProduceRequestTopicDataPartitionData['records'], Buffer | null>>(true);
  });

  it('round-trips a typed Produce request, and the decoded body has the typed fields', () => {
    const header = { apiKey: ApiKey.Produce, apiVersion: 9, correlationId: 7, clientId: 'c' } as const;
    const records = Buffer.from('not really a batch');
    const frame = unframe(
      encodeRequest(header, { acks: -1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 2, records }] }] }),
    );
    const decoded = decodeRequest(frame);
    if (!isRequestOf(decoded, ApiKey.Produce)) throw new Error('not a produce request');
    const body = decoded.body;
    expectType<Equal<typeof body, ProduceRequest>>(true);
    const partition: ProduceRequestTopicDataPartitionData = body.topicData[0].partitionData[0];
    expect(partition.index).toBe(2);
    expect(partition.records).toEqual(records);
    // Filled by the codec although the input left it out.
    expect(body.transactionalId).toBeNull();
    // @ts-expect-error a misspelled field is not on the decoded type
    expect(body.timeoutMS).toBeUndefined();
  });

  it('rejects misspelled and missing fields at compile time', () => {
    const header = { apiKey: ApiKey.Produce, apiVersion: 3, correlationId: 1, clientId: null } as const;
    // @ts-expect-error `timeoutMS` is not a ProduceRequest field
    expect(() => encodeRequest(header, { acks: 1, timeoutMS: 5, topicData: [] })).not.toThrow();
    // @ts-expect-error misspelled optional field (transactionalId)
    encodeRequest(header, { acks: 1, timeoutMs: 5, topicData: [], transactionId: null });
    // @ts-expect-error `errorCode` is required in an ApiVersions response
    encodeResponse(ApiKey.ApiVersions, 0, 1, { apiKeys: [] });
    const w = new Writer();
    // @ts-expect-error `partitionIndx` is not a field of a partition
    requestCodec(ApiKey.ListOffsets, 0).encode(w, { replicaId: -1, topics: [{ name: 't', partitions: [{ partitionIndx: 0 }] }] });
    // @ts-expect-error `offst` is not an OffsetCommitValue field
    encodeVersioned(OffsetCommitValue, 1, { offst: 1, metadata: '', commitTimestamp: 0 });
  });

  it('still takes untyped Struct bodies and plain numeric keys', () => {
    const body: Struct = { errorCode: 0, apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 9 }] };
    const apiKey: number = ApiKey.ApiVersions;
    const decoded = decodeResponse(apiKey, 0, unframe(encodeResponse(ApiKey.ApiVersions, 0, 3, body)));
    expectType<Equal<typeof decoded.body, Struct>>(true);
    expect(decoded.body.apiKeys[0].maxVersion).toBe(9);
  });

  it('round-trips a typed Metadata response', () => {
    const frame = unframe(
      encodeResponse(ApiKey.Metadata, 1, 5, {
        brokers: [{ nodeId: 1, host: 'h', port: 9092 }],
        controllerId: 1,
        topics: [{ errorCode: 0, name: 't', partitions: [] }],
      }),
    );
    const { correlationId, body } = decodeResponse(ApiKey.Metadata, 1, frame);
    expect(correlationId).toBe(5);
    expectType<Equal<typeof body, MetadataResponse>>(true);
    expect(body.brokers[0].rack).toBeNull();
    expect(body.topics[0].name).toBe('t');
    expect(body.controllerId).toBe(1);
  });

  it('types the codecs and the versioned data messages', () => {
    const w = new Writer();
    responseCodec(ApiKey.Heartbeat, 0).encode(w, { errorCode: 0 });
    const heartbeat = responseCodec(ApiKey.Heartbeat, 0).decode(new Reader(w.toBuffer()));
    expect(heartbeat.errorCode).toBe(0);
    expect(heartbeat.throttleTimeMs).toBe(0);

    const buf = encodeVersioned(OffsetCommitValue, 1, { offset: 42, metadata: 'm', commitTimestamp: 5, expireTimestamp: 9 });
    const { version, value } = decodeVersioned(OffsetCommitValue, buf);
    expectType<Equal<typeof value, OffsetCommitValueType>>(true);
    expect(version).toBe(1);
    expect(value).toEqual({ offset: 42, leaderEpoch: -1, metadata: 'm', commitTimestamp: 5, expireTimestamp: 9 });
  });
});
