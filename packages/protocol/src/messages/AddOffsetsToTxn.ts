import type { ApiSpec } from '../schema/types';

/** AddOffsetsToTxn (25). Adds a consumer group's offsets partition to an ongoing transaction. */
export const AddOffsetsToTxn = {
  apiKey: 25,
  name: 'AddOffsetsToTxn',
  request: {
    name: 'AddOffsetsToTxnRequest',
    type: 'request',
    validVersions: '0-3',
    flexibleVersions: '3+',
    fields: [
      { name: 'transactionalId', type: 'string', versions: '0+' },
      { name: 'producerId', type: 'int64', versions: '0+' },
      { name: 'producerEpoch', type: 'int16', versions: '0+' },
      { name: 'groupId', type: 'string', versions: '0+' },
    ],
  },
  response: {
    name: 'AddOffsetsToTxnResponse',
    type: 'response',
    validVersions: '0-3',
    flexibleVersions: '3+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
    ],
  },
} as const satisfies ApiSpec;
