import type { ApiSpec } from '../schema/types';

/** AlterReplicaLogDirs (34). Moves replicas between log directories of one broker. */
export const AlterReplicaLogDirs = {
  apiKey: 34,
  name: 'AlterReplicaLogDirs',
  request: {
    name: 'AlterReplicaLogDirsRequest',
    type: 'request',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      {
        name: 'dirs',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'path', type: 'string', versions: '0+' },
          {
            name: 'topics',
            type: '[]struct',
            versions: '0+',
            fields: [
              { name: 'name', type: 'string', versions: '0+' },
              { name: 'partitions', type: '[]int32', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
  response: {
    name: 'AlterReplicaLogDirsResponse',
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
          { name: 'topicName', type: 'string', versions: '0+' },
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
