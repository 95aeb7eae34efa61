import type { ApiSpec } from '../schema/types';

/** ListPartitionReassignments (46). Reassignments in progress; a null topic list means all of them. */
export const ListPartitionReassignments = {
  apiKey: 46,
  name: 'ListPartitionReassignments',
  request: {
    name: 'ListPartitionReassignmentsRequest',
    type: 'request',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
      {
        name: 'topics',
        type: '[]struct',
        versions: '0+',
        nullableVersions: '0+',
        default: null,
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'partitionIndexes', type: '[]int32', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    name: 'ListPartitionReassignmentsResponse',
    type: 'response',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
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
              { name: 'replicas', type: '[]int32', versions: '0+' },
              { name: 'addingReplicas', type: '[]int32', versions: '0+' },
              { name: 'removingReplicas', type: '[]int32', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
