import type { ApiSpec } from '../schema/types';

/** OffsetForLeaderEpoch (23). End offset of a leader epoch, for detecting log truncation. */
export const OffsetForLeaderEpoch = {
  apiKey: 23,
  name: 'OffsetForLeaderEpoch',
  request: {
    name: 'OffsetForLeaderEpochRequest',
    type: 'request',
    validVersions: '0-4',
    flexibleVersions: '4+',
    fields: [
      { name: 'replicaId', type: 'int32', versions: '3+', default: -2, ignorable: true },
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
              { name: 'currentLeaderEpoch', type: 'int32', versions: '2+', default: -1, ignorable: true },
              { name: 'leaderEpoch', type: 'int32', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
  response: {
    name: 'OffsetForLeaderEpochResponse',
    type: 'response',
    validVersions: '0-4',
    flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '2+', ignorable: true },
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
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'partition', type: 'int32', versions: '0+' },
              { name: 'leaderEpoch', type: 'int32', versions: '1+', default: -1, ignorable: true },
              { name: 'endOffset', type: 'int64', versions: '0+', default: -1 },
            ],
          },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
