import type { ApiSpec } from '../schema/types';

/** OffsetCommit (8). Stores a group's committed offsets (v0 in ZooKeeper, v1+ in __consumer_offsets). */
export const OffsetCommit = {
  apiKey: 8,
  name: 'OffsetCommit',
  request: {
    name: 'OffsetCommitRequest',
    type: 'request',
    validVersions: '0-8',
    flexibleVersions: '8+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'generationId', type: 'int32', versions: '1+', default: -1, ignorable: true },
      { name: 'memberId', type: 'string', versions: '1+', ignorable: true },
      { name: 'groupInstanceId', type: 'string', versions: '7+', nullableVersions: '7+', default: null },
      { name: 'retentionTimeMs', type: 'int64', versions: '2-4', default: -1, ignorable: true },
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
              { name: 'committedLeaderEpoch', type: 'int32', versions: '6+', default: -1, ignorable: true },
              { name: 'commitTimestamp', type: 'int64', versions: '1', default: -1 },
              { name: 'committedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
            ],
          },
        ],
      },
    ],
  },
  response: {
    name: 'OffsetCommitResponse',
    type: 'response',
    validVersions: '0-8',
    flexibleVersions: '8+',
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
              { name: 'errorCode', type: 'int16', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
