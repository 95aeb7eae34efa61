import type { ApiSpec } from '../schema/types';

/** InitProducerId (22). Hands out a producer id and epoch for idempotent or transactional producers. */
export const InitProducerId = {
  apiKey: 22,
  name: 'InitProducerId',
  request: {
    name: 'InitProducerIdRequest',
    type: 'request',
    validVersions: '0-4',
    flexibleVersions: '2+',
    fields: [
      { name: 'transactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
      { name: 'producerId', type: 'int64', versions: '3+', default: -1 },
      { name: 'producerEpoch', type: 'int16', versions: '3+', default: -1 },
    ],
  },
  response: {
    name: 'InitProducerIdResponse',
    type: 'response',
    validVersions: '0-4',
    flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+', ignorable: true },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'producerId', type: 'int64', versions: '0+', default: -1 },
      { name: 'producerEpoch', type: 'int16', versions: '0+' },
    ],
  },
} as const satisfies ApiSpec;
