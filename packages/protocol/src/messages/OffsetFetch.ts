import type { ApiSpec } from '../schema/types';

/** OffsetFetch (9). Reads a group's committed offsets; from v2 a null topic list means all topics. */
export const OffsetFetch = {
  apiKey: 9,
  name: 'OffsetFetch',
  request: {
    name: 'OffsetFetchRequest',
    type: 'request',
    validVersions: '0-7',
    flexibleVersions: '6+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      {
        name: 'topics',
        type: '[]struct',
        versions: '0+',
        nullableVersions: '2+',
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'partitionIndexes', type: '[]int32', versions: '0+' },
        ],
      },
      { name: 'requireStable', type: 'bool', versions: '7+', default: false },
    ],
  },
  response: {
    name: 'OffsetFetchResponse',
    type: 'response',
    validVersions: '0-7',
    flexibleVersions: '6+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '3+', ignorable: true },
      {
        name: 'topics',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          {
            name: 'partitions',
            type: '[]struct',
            versions: '0+',
            fields: [
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'committedOffset', type: 'int64', versions: '0+' },
              { name: 'committedLeaderEpoch', type: 'int32', versions: '5+', default: -1, ignorable: true },
              { name: 'metadata', type: 'string', versions: '0+', nullableVersions: '0+' },
              { name: 'errorCode', type: 'int16', versions: '0+' },
            ],
          },
        ],
      },
      { name: 'errorCode', type: 'int16', versions: '2+', default: 0, ignorable: true },
    ],
  },
} as const satisfies ApiSpec;
