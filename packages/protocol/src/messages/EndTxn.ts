import type { ApiSpec } from '../schema/types';

/** EndTxn (26). Commits or aborts a transaction at its coordinator. */
export const EndTxn = {
  apiKey: 26,
  name: 'EndTxn',
  request: {
    name: 'EndTxnRequest',
    type: 'request',
    validVersions: '0-3',
    flexibleVersions: '3+',
    fields: [
      { name: 'transactionalId', type: 'string', versions: '0+' },
      { name: 'producerId', type: 'int64', versions: '0+' },
      { name: 'producerEpoch', type: 'int16', versions: '0+' },
      { name: 'committed', type: 'bool', versions: '0+' },
    ],
  },
  response: {
    name: 'EndTxnResponse',
    type: 'response',
    validVersions: '0-3',
    flexibleVersions: '3+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
    ],
  },
} as const satisfies ApiSpec;
