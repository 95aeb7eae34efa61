import {
  allApis,
  ApiKey,
  contains,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  ErrorCode,
  parseVersions,
  type ApiSpec,
  type FieldSpec,
  type PrimitiveType,
  type Struct,
} from '@samsa/protocol';
import { errorResponse } from './errorResponse';

/** A request with exactly one element in every array, at every depth: something to mirror. */
function filled(fields: readonly FieldSpec[], version: number): Struct {
  const o: Struct = {};
  for (const f of fields) {
    if (!contains(f.versions, version)) continue;
    if (f.type === 'struct') o[f.name] = filled(f.fields ?? [], version);
    else if (f.type === '[]struct') o[f.name] = [filled(f.fields ?? [], version)];
    else if (f.type.startsWith('[]')) o[f.name] = [scalar(f.type.slice(2) as PrimitiveType)];
    else o[f.name] = scalar(f.type as PrimitiveType);
  }
  return o;
}

function scalar(type: PrimitiveType): unknown {
  switch (type) {
    case 'bool':
      return true;
    case 'string':
      return 'x';
    case 'bytes':
      return Buffer.from('b');
    case 'records':
      return null;
    case 'uuid':
      return Buffer.alloc(16, 9).toString('base64url');
    case 'float64':
      return 1.5;
    default:
      return 3;
  }
}

/**
 * Every `errorCode` on the wire in a decoded body. Schema-driven: the decoder also fills the fields
 * a version lacks (at their defaults), and those are not on the wire.
 */
function errorCodes(fields: readonly FieldSpec[], version: number, v: Struct, out: number[] = []): number[] {
  for (const f of fields) {
    if (!contains(f.versions, version)) continue;
    const x = v[f.name];
    if (f.name === 'errorCode') out.push(x as number);
    else if (f.type === 'struct' && x) errorCodes(f.fields ?? [], version, x, out);
    else if (f.type === '[]struct' && x) for (const el of x) errorCodes(f.fields ?? [], version, el, out);
  }
  return out;
}

/** What a broker would hand errorResponse: the request as decoded from the wire. */
function asDecoded(spec: ApiSpec, version: number, body: Struct): Struct {
  const frame = Buffer.concat(
    encodeRequest({ apiKey: spec.apiKey, apiVersion: version, correlationId: 1, clientId: 'c' }, body),
  ).subarray(4);
  return decodeRequest(frame).body;
}

function roundTrip(apiKey: number, version: number, body: Struct): Struct {
  const frame = Buffer.concat(encodeResponse(apiKey, version, 99, body)).subarray(4);
  const decoded = decodeResponse(apiKey, version, frame);
  expect(decoded.correlationId).toBe(99);
  return decoded.body;
}

const cases: [string, ApiSpec, number][] = [];
for (const api of allApis()) {
  const { lowest, highest } = parseVersions(api.request.validVersions);
  for (let v = lowest; v <= highest; v++) cases.push([`${api.name} v${v}`, api, v]);
}

describe('errorResponse: every API × every version', () => {
  const CODE = ErrorCode.NOT_CONTROLLER;

  it.each(cases)('%s encodes and carries the error code', (_name, spec, version) => {
    const request = asDecoded(spec, version, filled(spec.request.fields, version));
    const body = roundTrip(spec.apiKey, version, errorResponse(spec.apiKey, version, request, CODE));
    const codes = errorCodes(spec.response.fields, version, body);
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.every((c) => c === CODE)).toBe(true);
  });

  it.each(cases)('%s encodes from an empty request too', (_name, spec, version) => {
    const request = asDecoded(spec, version, {});
    const body = roundTrip(spec.apiKey, version, errorResponse(spec.apiKey, version, request, CODE));
    expect(errorCodes(spec.response.fields, version, body).every((c) => c === CODE)).toBe(true);
  });
});

describe('errorResponse mirrors the request into the response', () => {
  const E = ErrorCode.UNKNOWN_SERVER_ERROR;

  it('Produce: topicData/partitionData → responses/partitionResponses, baseOffset -1', () => {
    const req = {
      acks: 1,
      timeoutMs: 1,
      topicData: [
        {
          name: 'a',
          partitionData: [
            { index: 0, records: null },
            { index: 4, records: null },
          ],
        },
        { name: 'b', partitionData: [{ index: 1, records: null }] },
      ],
    };
    const body = roundTrip(0, 7, errorResponse(ApiKey.Produce, 7, req, E));
    expect(body.responses).toEqual([
      {
        name: 'a',
        partitionResponses: [
          {
            index: 0,
            errorCode: E,
            baseOffset: -1,
            logAppendTimeMs: -1,
            logStartOffset: -1,
            recordErrors: [],
            errorMessage: null,
          },
          {
            index: 4,
            errorCode: E,
            baseOffset: -1,
            logAppendTimeMs: -1,
            logStartOffset: -1,
            recordErrors: [],
            errorMessage: null,
          },
        ],
      },
      {
        name: 'b',
        partitionResponses: [
          {
            index: 1,
            errorCode: E,
            baseOffset: -1,
            logAppendTimeMs: -1,
            logStartOffset: -1,
            recordErrors: [],
            errorMessage: null,
          },
        ],
      },
    ]);
  });

  it('Fetch: topics/partitions → responses/partitionResponses, top-level error from v7, empty record sets', () => {
    const req = {
      topics: [{ topic: 't', partitions: [{ partition: 2, fetchOffset: 10, logStartOffset: 5 }] }],
    };
    for (const v of [4, 7, 11]) {
      const body = roundTrip(1, v, errorResponse(ApiKey.Fetch, v, req, E));
      const p = body.responses[0].partitionResponses[0];
      expect(body.responses[0].topic).toBe('t');
      expect(p).toMatchObject({
        partition: 2,
        errorCode: E,
        highWatermark: -1,
        lastStableOffset: -1,
        logStartOffset: -1,
      });
      expect(p.recordSet).toEqual(Buffer.alloc(0));
      expect(body.errorCode).toBe(v >= 7 ? E : 0);
    }
  });

  it('ListOffsets and OffsetForLeaderEpoch answer -1 offsets, not the requested values', () => {
    const lo = roundTrip(
      2,
      1,
      errorResponse(
        ApiKey.ListOffsets,
        1,
        { topics: [{ name: 't', partitions: [{ partitionIndex: 1, timestamp: -2 }] }] },
        E,
      ),
    );
    expect(lo.topics[0].partitions[0]).toEqual({
      partitionIndex: 1,
      errorCode: E,
      oldStyleOffsets: [],
      timestamp: -1,
      offset: -1,
      leaderEpoch: -1,
    });
    const ofle = roundTrip(
      23,
      3,
      errorResponse(
        ApiKey.OffsetForLeaderEpoch,
        3,
        { topics: [{ topic: 't', partitions: [{ partition: 0, leaderEpoch: 5 }] }] },
        E,
      ),
    );
    expect(ofle.topics[0].partitions[0]).toEqual({
      errorCode: E,
      partition: 0,
      leaderEpoch: -1,
      endOffset: -1,
    });
  });

  it('LeaderAndIsr: flat partitionErrors up to v4 (topic name from the topic state), per topic id from v5', () => {
    const v1 = { ungroupedPartitionStates: [{ topicName: 'a', partitionIndex: 1 }] };
    // (decoded bodies also hold the fields a version lacks, at defaults: hence toMatchObject)
    expect(roundTrip(4, 1, errorResponse(ApiKey.LeaderAndIsr, 1, v1, E))).toMatchObject({
      errorCode: E,
      partitionErrors: [{ topicName: 'a', partitionIndex: 1, errorCode: E }],
    });
    const id = Buffer.alloc(16, 1).toString('base64url');
    const grouped = {
      topicStates: [
        { topicName: 'b', topicId: id, partitionStates: [{ partitionIndex: 0 }, { partitionIndex: 3 }] },
      ],
    };
    expect(roundTrip(4, 4, errorResponse(ApiKey.LeaderAndIsr, 4, grouped, E))).toMatchObject({
      errorCode: E,
      partitionErrors: [
        { topicName: 'b', partitionIndex: 0, errorCode: E },
        { topicName: 'b', partitionIndex: 3, errorCode: E },
      ],
    });
    expect(roundTrip(4, 5, errorResponse(ApiKey.LeaderAndIsr, 5, grouped, E))).toMatchObject({
      errorCode: E,
      topics: [
        {
          topicId: id,
          partitionErrors: [
            { partitionIndex: 0, errorCode: E },
            { partitionIndex: 3, errorCode: E },
          ],
        },
      ],
    });
  });

  it('StopReplica: every request layout becomes flat partitionErrors', () => {
    const want = [
      { topicName: 'a', partitionIndex: 1, errorCode: E },
      { topicName: 'a', partitionIndex: 2, errorCode: E },
    ];
    const layouts: [number, Struct][] = [
      [
        0,
        {
          ungroupedPartitions: [
            { topicName: 'a', partitionIndex: 1 },
            { topicName: 'a', partitionIndex: 2 },
          ],
        },
      ],
      [2, { topics: [{ name: 'a', partitionIndexes: [1, 2] }] }],
      [
        3,
        {
          topicStates: [{ topicName: 'a', partitionStates: [{ partitionIndex: 1 }, { partitionIndex: 2 }] }],
        },
      ],
    ];
    for (const [v, req] of layouts) {
      expect(roundTrip(5, v, errorResponse(ApiKey.StopReplica, v, req, E))).toMatchObject({
        errorCode: E,
        partitionErrors: want,
      });
    }
  });

  it('DeleteTopics (names, then topics), DescribeGroups, DeleteGroups, ElectLeaders mirror primitive arrays', () => {
    expect(
      roundTrip(20, 3, errorResponse(ApiKey.DeleteTopics, 3, { topicNames: ['a', 'b'] }, E)).responses,
    ).toMatchObject([
      { name: 'a', errorCode: E },
      { name: 'b', errorCode: E },
    ]);
    const id = Buffer.alloc(16, 2).toString('base64url');
    expect(
      roundTrip(20, 6, errorResponse(ApiKey.DeleteTopics, 6, { topics: [{ name: null, topicId: id }] }, E))
        .responses,
    ).toEqual([{ name: null, topicId: id, errorCode: E, errorMessage: expect.any(String) }]);
    expect(
      roundTrip(15, 0, errorResponse(ApiKey.DescribeGroups, 0, { groups: ['g1', 'g2'] }, E)).groups.map(
        (g: Struct) => [g.groupId, g.errorCode],
      ),
    ).toEqual([
      ['g1', E],
      ['g2', E],
    ]);
    expect(
      roundTrip(42, 1, errorResponse(ApiKey.DeleteGroups, 1, { groupsNames: ['g'] }, E)).results,
    ).toEqual([{ groupId: 'g', errorCode: E }]);
    const el = roundTrip(
      43,
      1,
      errorResponse(ApiKey.ElectLeaders, 1, { topicPartitions: [{ topic: 't', partitionId: [0, 1] }] }, E),
    );
    expect(el.errorCode).toBe(E);
    expect(
      el.replicaElectionResults[0].partitionResult.map((p: Struct) => [p.partitionId, p.errorCode]),
    ).toEqual([
      [0, E],
      [1, E],
    ]);
  });

  it('Metadata mirrors requested topics; "all topics" (null) gives none; v10 topics by id keep their id', () => {
    expect(
      roundTrip(3, 1, errorResponse(ApiKey.Metadata, 1, { topics: [{ name: 't' }] }, E)).topics,
    ).toMatchObject([{ errorCode: E, name: 't', isInternal: false, partitions: [] }]);
    expect(roundTrip(3, 1, errorResponse(ApiKey.Metadata, 1, { topics: null }, E)).topics).toEqual([]);
    const id = Buffer.alloc(16, 3).toString('base64url');
    const v10 = roundTrip(
      3,
      10,
      errorResponse(ApiKey.Metadata, 10, { topics: [{ topicId: id, name: null }] }, E),
    );
    expect(v10.topics[0]).toMatchObject({ errorCode: E, name: '', topicId: id });
  });

  it('CreateTopics and DescribeConfigs carry messages and keys, not the requested settings', () => {
    const ct = roundTrip(
      19,
      5,
      errorResponse(
        ApiKey.CreateTopics,
        5,
        { topics: [{ name: 't', numPartitions: 3, replicationFactor: 2 }] },
        ErrorCode.NOT_CONTROLLER,
        'not the controller',
      ),
    );
    expect(ct.topics[0]).toMatchObject({
      name: 't',
      errorCode: ErrorCode.NOT_CONTROLLER,
      errorMessage: 'not the controller',
      numPartitions: -1,
      replicationFactor: -1,
      configs: [],
    });
    const dc = roundTrip(
      32,
      2,
      errorResponse(
        ApiKey.DescribeConfigs,
        2,
        { resources: [{ resourceType: 2, resourceName: 't', configurationKeys: null }] },
        E,
      ),
    );
    expect(dc.results).toEqual([
      { errorCode: E, errorMessage: expect.any(String), resourceType: 2, resourceName: 't', configs: [] },
    ]);
  });

  it('top-level-only APIs get their sentinels (FindCoordinator: no node)', () => {
    expect(
      roundTrip(
        10,
        1,
        errorResponse(ApiKey.FindCoordinator, 1, { key: 'g' }, ErrorCode.COORDINATOR_NOT_AVAILABLE),
      ),
    ).toEqual({
      throttleTimeMs: 0,
      errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
      errorMessage: expect.any(String),
      nodeId: -1,
      host: '',
      port: -1,
    });
  });
});
