import type { ApiSpec } from '../schema/types';

/** Fetch (1). Consumers and follower replicas read record batches; v7+ can use incremental fetch sessions. */
export const Fetch = {
  apiKey: 1,
  name: 'Fetch',
  request: {
    name: 'FetchRequest',
    type: 'request',
    validVersions: '0-12',
    flexibleVersions: '12+',
    fields: [
      {
        name: 'clusterId',
        type: 'string',
        versions: '12+',
        nullableVersions: '12+',
        tag: 0,
        taggedVersions: '12+',
        default: null,
        ignorable: true,
      },
      { name: 'replicaId', type: 'int32', versions: '0+' },
      { name: 'maxWaitMs', type: 'int32', versions: '0+' },
      { name: 'minBytes', type: 'int32', versions: '0+' },
      { name: 'maxBytes', type: 'int32', versions: '3+', default: 2147483647, ignorable: true },
      { name: 'isolationLevel', type: 'int8', versions: '4+', default: 0, ignorable: true },
      { name: 'sessionId', type: 'int32', versions: '7+', default: 0, ignorable: true },
      { name: 'sessionEpoch', type: 'int32', versions: '7+', default: -1, ignorable: true },
      {
        name: 'topics',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'topic', type: 'string', versions: '0+' },
          {
            name: 'partitions',
            type: '[]struct',
            versions: '0+',
            fields: [
              { name: 'partition', type: 'int32', versions: '0+' },
              { name: 'currentLeaderEpoch', type: 'int32', versions: '9+', default: -1, ignorable: true },
              { name: 'fetchOffset', type: 'int64', versions: '0+' },
              { name: 'lastFetchedEpoch', type: 'int32', versions: '12+', default: -1, ignorable: false },
              { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1, ignorable: true },
              { name: 'partitionMaxBytes', type: 'int32', versions: '0+' },
            ],
          },
        ],
      },
      {
        name: 'forgottenTopicsData',
        type: '[]struct',
        versions: '7+',
        ignorable: false,
        fields: [
          { name: 'topic', type: 'string', versions: '7+' },
          { name: 'partitions', type: '[]int32', versions: '7+' },
        ],
      },
      { name: 'rackId', type: 'string', versions: '11+', default: '', ignorable: true },
    ],
  },
  response: {
    name: 'FetchResponse',
    type: 'response',
    validVersions: '0-12',
    flexibleVersions: '12+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
      { name: 'errorCode', type: 'int16', versions: '7+', ignorable: true },
      { name: 'sessionId', type: 'int32', versions: '7+', default: 0, ignorable: false },
      {
        name: 'responses',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'topic', type: 'string', versions: '0+' },
          {
            name: 'partitionResponses',
            type: '[]struct',
            versions: '0+',
            fields: [
              { name: 'partition', type: 'int32', versions: '0+' },
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'highWatermark', type: 'int64', versions: '0+' },
              { name: 'lastStableOffset', type: 'int64', versions: '4+', default: -1, ignorable: true },
              { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1, ignorable: true },
              {
                name: 'divergingEpoch',
                type: 'struct',
                versions: '12+',
                tag: 0,
                taggedVersions: '12+',
                fields: [
                  { name: 'epoch', type: 'int32', versions: '12+', default: -1 },
                  { name: 'endOffset', type: 'int64', versions: '12+', default: -1 },
                ],
              },
              {
                name: 'currentLeader',
                type: 'struct',
                versions: '12+',
                tag: 1,
                taggedVersions: '12+',
                fields: [
                  { name: 'leaderId', type: 'int32', versions: '12+', default: -1 },
                  { name: 'leaderEpoch', type: 'int32', versions: '12+', default: -1 },
                ],
              },
              {
                name: 'snapshotId',
                type: 'struct',
                versions: '12+',
                tag: 2,
                taggedVersions: '12+',
                fields: [
                  { name: 'endOffset', type: 'int64', versions: '0+', default: -1 },
                  { name: 'epoch', type: 'int32', versions: '0+', default: -1 },
                ],
              },
              {
                name: 'abortedTransactions',
                type: '[]struct',
                versions: '4+',
                nullableVersions: '4+',
                ignorable: true,
                fields: [
                  { name: 'producerId', type: 'int64', versions: '4+' },
                  { name: 'firstOffset', type: 'int64', versions: '4+' },
                ],
              },
              { name: 'preferredReadReplica', type: 'int32', versions: '11+', default: -1, ignorable: false },
              { name: 'recordSet', type: 'records', versions: '0+', nullableVersions: '0+' },
            ],
          },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
