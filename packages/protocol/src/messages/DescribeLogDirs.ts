import type { ApiSpec } from '../schema/types';

/** DescribeLogDirs (35). Per log directory: the replicas it holds and their sizes. */
export const DescribeLogDirs = {
  apiKey: 35,
  name: 'DescribeLogDirs',
  request: {
    name: 'DescribeLogDirsRequest',
    type: 'request',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      {
        name: 'topics',
        type: '[]struct',
        versions: '0+',
        nullableVersions: '0+',
        fields: [
          { name: 'topic', type: 'string', versions: '0+' },
          { name: 'partitionIndex', type: '[]int32', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    name: 'DescribeLogDirsResponse',
    type: 'response',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'results',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'logDir', type: 'string', versions: '0+' },
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
                  { name: 'partitionSize', type: 'int64', versions: '0+' },
                  { name: 'offsetLag', type: 'int64', versions: '0+' },
                  { name: 'isFutureKey', type: 'bool', versions: '0+' },
                ],
              },
            ],
          },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
