import type { ApiSpec } from '../schema/types';

/** RenewDelegationToken (39). Pushes a delegation token's expiry further out. */
export const RenewDelegationToken = {
  apiKey: 39,
  name: 'RenewDelegationToken',
  request: {
    name: 'RenewDelegationTokenRequest',
    type: 'request',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'hmac', type: 'bytes', versions: '0+' },
      { name: 'renewPeriodMs', type: 'int64', versions: '0+' },
    ],
  },
  response: {
    name: 'RenewDelegationTokenResponse',
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
