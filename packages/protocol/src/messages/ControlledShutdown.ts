import type { ApiSpec } from '../schema/types';

/** ControlledShutdown (7). Broker to controller: move my leaderships away before shutdown (v0: header v0). */
export const ControlledShutdown = {
  apiKey: 7,
  name: 'ControlledShutdown',
  request: {
    name: 'ControlledShutdownRequest',
    type: 'request',
    validVersions: '0-3',
    flexibleVersions: '3+',
    fields: [
      { name: 'brokerId', type: 'int32', versions: '0+' },
      { name: 'brokerEpoch', type: 'int64', versions: '2+', default: -1, ignorable: true },
    ],
  },
  response: {
    name: 'ControlledShutdownResponse',
    type: 'response',
    validVersions: '0-3',
    flexibleVersions: '3+',
    fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      {
        name: 'remainingPartitions',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'topicName', type: 'string', versions: '0+' },
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
