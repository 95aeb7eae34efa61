import type { ApiSpec, FieldSpec } from '../schema/types';

const leaderAndIsrPartitionStateFields = [
  { name: 'topicName', type: 'string', versions: '0-1', ignorable: true },
  { name: 'partitionIndex', type: 'int32', versions: '0+' },
  { name: 'controllerEpoch', type: 'int32', versions: '0+' },
  { name: 'leader', type: 'int32', versions: '0+' },
  { name: 'leaderEpoch', type: 'int32', versions: '0+' },
  { name: 'isr', type: '[]int32', versions: '0+' },
  { name: 'zkVersion', type: 'int32', versions: '0+' },
  { name: 'replicas', type: '[]int32', versions: '0+' },
  { name: 'addingReplicas', type: '[]int32', versions: '3+', ignorable: true },
  { name: 'removingReplicas', type: '[]int32', versions: '3+', ignorable: true },
  { name: 'isNew', type: 'bool', versions: '1+', default: false, ignorable: true },
] as const satisfies readonly FieldSpec[];

const leaderAndIsrPartitionErrorFields = [
  { name: 'topicName', type: 'string', versions: '0-4', ignorable: true },
  { name: 'partitionIndex', type: 'int32', versions: '0+' },
  { name: 'errorCode', type: 'int16', versions: '0+' },
] as const satisfies readonly FieldSpec[];

/** LeaderAndIsr (4). Controller to broker: the partitions it leads or follows, with their ISR and epochs. */
export const LeaderAndIsr = {
  apiKey: 4,
  name: 'LeaderAndIsr',
  request: {
    name: 'LeaderAndIsrRequest',
    type: 'request',
    validVersions: '0-5',
    flexibleVersions: '4+',
    fields: [
      { name: 'controllerId', type: 'int32', versions: '0+' },
      { name: 'controllerEpoch', type: 'int32', versions: '0+' },
      { name: 'brokerEpoch', type: 'int64', versions: '2+', default: -1, ignorable: true },
      { name: 'type', type: 'int8', versions: '5+' },
      {
        name: 'ungroupedPartitionStates',
        type: '[]struct',
        versions: '0-1',
        fields: leaderAndIsrPartitionStateFields,
      },
      {
        name: 'topicStates',
        type: '[]struct',
        versions: '2+',
        fields: [
          { name: 'topicName', type: 'string', versions: '2+' },
          { name: 'topicId', type: 'uuid', versions: '5+', ignorable: true },
          {
            name: 'partitionStates',
            type: '[]struct',
            versions: '2+',
            fields: leaderAndIsrPartitionStateFields,
          },
        ],
      },
      {
        name: 'liveLeaders',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'brokerId', type: 'int32', versions: '0+' },
          { name: 'hostName', type: 'string', versions: '0+' },
          { name: 'port', type: 'int32', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    name: 'LeaderAndIsrResponse',
    type: 'response',
    validVersions: '0-5',
    flexibleVersions: '4+',
    fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      {
        name: 'partitionErrors',
        type: '[]struct',
        versions: '0-4',
        fields: leaderAndIsrPartitionErrorFields,
      },
      {
        name: 'topics',
        type: '[]struct',
        versions: '5+',
        fields: [
          { name: 'topicId', type: 'uuid', versions: '5+' },
          {
            name: 'partitionErrors',
            type: '[]struct',
            versions: '5+',
            fields: leaderAndIsrPartitionErrorFields,
          },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
