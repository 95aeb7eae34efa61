import type { ApiSpec, FieldSpec } from '../schema/types';

const updateMetadataPartitionStateFields = [
  { name: 'topicName', type: 'string', versions: '0-4', ignorable: true },
  { name: 'partitionIndex', type: 'int32', versions: '0+' },
  { name: 'controllerEpoch', type: 'int32', versions: '0+' },
  { name: 'leader', type: 'int32', versions: '0+' },
  { name: 'leaderEpoch', type: 'int32', versions: '0+' },
  { name: 'isr', type: '[]int32', versions: '0+' },
  { name: 'zkVersion', type: 'int32', versions: '0+' },
  { name: 'replicas', type: '[]int32', versions: '0+' },
  { name: 'offlineReplicas', type: '[]int32', versions: '4+', ignorable: true },
] as const satisfies readonly FieldSpec[];

/** UpdateMetadata (6). Controller to broker: live brokers and partition states for the metadata cache. */
export const UpdateMetadata = {
  apiKey: 6,
  name: 'UpdateMetadata',
  request: {
    name: 'UpdateMetadataRequest',
    type: 'request',
    validVersions: '0-7',
    flexibleVersions: '6+',
    fields: [
      { name: 'controllerId', type: 'int32', versions: '0+' },
      { name: 'controllerEpoch', type: 'int32', versions: '0+' },
      { name: 'brokerEpoch', type: 'int64', versions: '5+', default: -1, ignorable: true },
      {
        name: 'ungroupedPartitionStates',
        type: '[]struct',
        versions: '0-4',
        fields: updateMetadataPartitionStateFields,
      },
      {
        name: 'topicStates',
        type: '[]struct',
        versions: '5+',
        fields: [
          { name: 'topicName', type: 'string', versions: '5+' },
          { name: 'topicId', type: 'uuid', versions: '7+', ignorable: true },
          {
            name: 'partitionStates',
            type: '[]struct',
            versions: '5+',
            fields: updateMetadataPartitionStateFields,
          },
        ],
      },
      {
        name: 'liveBrokers',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'id', type: 'int32', versions: '0+' },
          { name: 'v0Host', type: 'string', versions: '0', ignorable: true },
          { name: 'v0Port', type: 'int32', versions: '0', ignorable: true },
          {
            name: 'endpoints',
            type: '[]struct',
            versions: '1+',
            ignorable: true,
            fields: [
              { name: 'port', type: 'int32', versions: '1+' },
              { name: 'host', type: 'string', versions: '1+' },
              { name: 'listener', type: 'string', versions: '3+', ignorable: true },
              { name: 'securityProtocol', type: 'int16', versions: '1+' },
            ],
          },
          { name: 'rack', type: 'string', versions: '2+', nullableVersions: '0+', ignorable: true },
        ],
      },
    ],
  },
  response: {
    name: 'UpdateMetadataResponse',
    type: 'response',
    validVersions: '0-7',
    flexibleVersions: '6+',
    fields: [{ name: 'errorCode', type: 'int16', versions: '0+' }],
  },
} as const satisfies ApiSpec;
