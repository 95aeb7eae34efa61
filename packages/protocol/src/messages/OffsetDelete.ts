import type { ApiSpec } from '../schema/types';

/** OffsetDelete (47). Drops committed offsets of some partitions from a consumer group. Never flexible. */
export const OffsetDelete = {
  apiKey: 47,
  name: 'OffsetDelete',
  request: {
    name: 'OffsetDeleteRequest',
    type: 'request',
    validVersions: '0',
    flexibleVersions: 'none',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
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
            fields: [{ name: 'partitionIndex', type: 'int32', versions: '0+' }],
          },
        ],
      },
    ],
  },
  response: {
    name: 'OffsetDeleteResponse',
    type: 'response',
    validVersions: '0',
    flexibleVersions: 'none',
    fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'throttleTimeMs', type: 'int32', versions: '0+', ignorable: true },
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
            ],
          },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
