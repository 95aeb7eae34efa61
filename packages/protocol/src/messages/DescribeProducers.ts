import type { ApiSpec } from '../schema/types';

/** DescribeProducers (61). Active idempotent/transactional producers per partition, from the leader. */
export const DescribeProducers = {
  apiKey: 61,
  name: 'DescribeProducers',
  request: {
    name: 'DescribeProducersRequest',
    type: 'request',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      {
        name: 'topics',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'partitionIndexes', type: '[]int32', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    name: 'DescribeProducersResponse',
    type: 'response',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
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
              { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
              {
                name: 'activeProducers',
                type: '[]struct',
                versions: '0+',
                fields: [
                  { name: 'producerId', type: 'int64', versions: '0+' },
                  { name: 'producerEpoch', type: 'int32', versions: '0+' },
                  { name: 'lastSequence', type: 'int32', versions: '0+', default: -1 },
                  { name: 'lastTimestamp', type: 'int64', versions: '0+', default: -1 },
                  { name: 'coordinatorEpoch', type: 'int32', versions: '0+' },
                  { name: 'currentTxnStartOffset', type: 'int64', versions: '0+', default: -1 },
                ],
              },
            ],
          },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
