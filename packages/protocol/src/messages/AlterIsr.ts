import type { ApiSpec } from '../schema/types';

/** AlterIsr (56). Inter-broker: a partition leader asks the controller to change the ISR. */
export const AlterIsr = {
  apiKey: 56,
  name: 'AlterIsr',
  request: {
    name: 'AlterIsrRequest',
    type: 'request',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'brokerId', type: 'int32', versions: '0+' },
      { name: 'brokerEpoch', type: 'int64', versions: '0+', default: -1 },
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
              { name: 'leaderEpoch', type: 'int32', versions: '0+' },
              { name: 'newIsr', type: '[]int32', versions: '0+' },
              { name: 'currentIsrVersion', type: 'int32', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
  response: {
    name: 'AlterIsrResponse',
    type: 'response',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
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
              { name: 'leaderId', type: 'int32', versions: '0+' },
              { name: 'leaderEpoch', type: 'int32', versions: '0+' },
              { name: 'isr', type: '[]int32', versions: '0+' },
              { name: 'currentIsrVersion', type: 'int32', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
