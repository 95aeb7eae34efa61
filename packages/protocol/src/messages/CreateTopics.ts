import type { ApiSpec } from '../schema/types';

/** CreateTopics (19). Goes to the controller; from v4, -1 partitions or replicas means broker defaults. */
export const CreateTopics = {
  apiKey: 19,
  name: 'CreateTopics',
  request: {
    name: 'CreateTopicsRequest',
    type: 'request',
    validVersions: '0-7',
    flexibleVersions: '5+',
    fields: [
      {
        name: 'topics',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'numPartitions', type: 'int32', versions: '0+' },
          { name: 'replicationFactor', type: 'int16', versions: '0+' },
          {
            name: 'assignments',
            type: '[]struct',
            versions: '0+',
            fields: [
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'brokerIds', type: '[]int32', versions: '0+' },
            ],
          },
          {
            name: 'configs',
            type: '[]struct',
            versions: '0+',
            fields: [
              { name: 'name', type: 'string', versions: '0+' },
              { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
            ],
          },
        ],
      },
      { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
      { name: 'validateOnly', type: 'bool', versions: '1+', default: false, ignorable: false },
    ],
  },
  response: {
    name: 'CreateTopicsResponse',
    type: 'response',
    validVersions: '0-7',
    flexibleVersions: '5+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '2+', ignorable: true },
      {
        name: 'topics',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'topicId', type: 'uuid', versions: '7+', ignorable: true },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '1+', nullableVersions: '0+', ignorable: true },
          {
            name: 'topicConfigErrorCode',
            type: 'int16',
            versions: '5+',
            tag: 0,
            taggedVersions: '5+',
            ignorable: true,
          },
          { name: 'numPartitions', type: 'int32', versions: '5+', default: -1, ignorable: true },
          { name: 'replicationFactor', type: 'int16', versions: '5+', default: -1, ignorable: true },
          {
            name: 'configs',
            type: '[]struct',
            versions: '5+',
            nullableVersions: '5+',
            ignorable: true,
            fields: [
              { name: 'name', type: 'string', versions: '5+' },
              { name: 'value', type: 'string', versions: '5+', nullableVersions: '5+' },
              { name: 'readOnly', type: 'bool', versions: '5+' },
              { name: 'configSource', type: 'int8', versions: '5+', default: -1, ignorable: true },
              { name: 'isSensitive', type: 'bool', versions: '5+' },
            ],
          },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
