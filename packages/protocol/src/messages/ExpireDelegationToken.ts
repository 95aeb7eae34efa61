import type { ApiSpec } from '../schema/types';

/** ExpireDelegationToken (40). Changes a delegation token's expiry (a negative period expires it now). */
export const ExpireDelegationToken = {
  apiKey: 40,
  name: 'ExpireDelegationToken',
  request: {
    name: 'ExpireDelegationTokenRequest',
    type: 'request',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'hmac', type: 'bytes', versions: '0+' },
      { name: 'expiryTimePeriodMs', type: 'int64', versions: '0+' },
    ],
  },
  response: {
    name: 'ExpireDelegationTokenResponse',
    type: 'response',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'expiryTimestampMs', type: 'int64', versions: '0+' },
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    ],
  },
} as const satisfies ApiSpec;
