import type { ApiSpec } from '../schema/types';

/** ListOffsets (2). Finds the offset for a timestamp, or the earliest/latest offset, of each partition. */
export const ListOffsets = {
  apiKey: 2,
  name: 'ListOffsets',
  request: {
    name: 'ListOffsetsRequest',
    type: 'request',
    validVersions: '0-6',
    flexibleVersions: '6+',
    fields: [
      { name: 'replicaId', type: 'int32', versions: '0+' },
      { name: 'isolationLevel', type: 'int8', versions: '2+' },
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
              { name: 'currentLeaderEpoch', type: 'int32', versions: '4+', default: -1, ignorable: true },
              { name: 'timestamp', type: 'int64', versions: '0+' },
              { name: 'maxNumOffsets', type: 'int32', versions: '0', default: 1 },
            ],
          },
        ],
      },
    ],
  },
  response: {
    name: 'ListOffsetsResponse',
    type: 'response',
    validVersions: '0-6',
    flexibleVersions: '6+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '2+', ignorable: true },
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
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'oldStyleOffsets', type: '[]int64', versions: '0', ignorable: false },
              { name: 'timestamp', type: 'int64', versions: '1+', default: -1, ignorable: false },
              { name: 'offset', type: 'int64', versions: '1+', default: -1, ignorable: false },
              { name: 'leaderEpoch', type: 'int32', versions: '4+', default: -1 },
            ],
          },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
