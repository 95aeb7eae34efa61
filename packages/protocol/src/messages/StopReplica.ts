import type { ApiSpec } from '../schema/types';

/** StopReplica (5). Controller to broker: stop replicating these partitions, optionally deleting logs. */
export const StopReplica = {
  apiKey: 5,
  name: 'StopReplica',
  request: {
    name: 'StopReplicaRequest',
    type: 'request',
    validVersions: '0-3',
    flexibleVersions: '2+',
    fields: [
      { name: 'controllerId', type: 'int32', versions: '0+' },
      { name: 'controllerEpoch', type: 'int32', versions: '0+' },
      { name: 'brokerEpoch', type: 'int64', versions: '1+', default: -1, ignorable: true },
      { name: 'deletePartitions', type: 'bool', versions: '0-2' },
      {
        name: 'ungroupedPartitions',
        type: '[]struct',
        versions: '0',
        fields: [
          { name: 'topicName', type: 'string', versions: '0' },
          { name: 'partitionIndex', type: 'int32', versions: '0' },
        ],
      },
      {
        name: 'topics',
        type: '[]struct',
        versions: '1-2',
        fields: [
          { name: 'name', type: 'string', versions: '1-2' },
          { name: 'partitionIndexes', type: '[]int32', versions: '1-2' },
        ],
      },
      {
        name: 'topicStates',
        type: '[]struct',
        versions: '3+',
        fields: [
          { name: 'topicName', type: 'string', versions: '3+' },
          {
            name: 'partitionStates',
            type: '[]struct',
            versions: '3+',
            fields: [
              { name: 'partitionIndex', type: 'int32', versions: '3+' },
              { name: 'leaderEpoch', type: 'int32', versions: '3+', default: -1 },
              { name: 'deletePartition', type: 'bool', versions: '3+' },
            ],
          },
        ],
      },
    ],
  },
  response: {
    name: 'StopReplicaResponse',
    type: 'response',
    validVersions: '0-3',
    flexibleVersions: '2+',
    fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      {
        name: 'partitionErrors',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'topicName', type: 'string', versions: '0+' },
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
