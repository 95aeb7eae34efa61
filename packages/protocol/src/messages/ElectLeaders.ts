import type { ApiSpec } from '../schema/types';

/** ElectLeaders (43). Preferred (v1+: or unclean) leader election; null topics means every partition. */
export const ElectLeaders = {
  apiKey: 43,
  name: 'ElectLeaders',
  request: {
    name: 'ElectLeadersRequest',
    type: 'request',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'electionType', type: 'int8', versions: '1+' },
      {
        name: 'topicPartitions',
        type: '[]struct',
        versions: '0+',
        nullableVersions: '0+',
        fields: [
          { name: 'topic', type: 'string', versions: '0+' },
          { name: 'partitionId', type: '[]int32', versions: '0+' },
        ],
      },
      { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
    ],
  },
  response: {
    name: 'ElectLeadersResponse',
    type: 'response',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '1+', ignorable: false },
      {
        name: 'replicaElectionResults',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'topic', type: 'string', versions: '0+' },
          {
            name: 'partitionResult',
            type: '[]struct',
            versions: '0+',
            fields: [
              { name: 'partitionId', type: 'int32', versions: '0+' },
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
            ],
          },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
