import type { ApiSpec } from '../schema/types';

/** CreateDelegationToken (38). Issues a delegation token for the authenticated principal. */
export const CreateDelegationToken = {
  apiKey: 38,
  name: 'CreateDelegationToken',
  request: {
    name: 'CreateDelegationTokenRequest',
    type: 'request',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      {
        name: 'renewers',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'principalType', type: 'string', versions: '0+' },
          { name: 'principalName', type: 'string', versions: '0+' },
        ],
      },
      { name: 'maxLifetimeMs', type: 'int64', versions: '0+' },
    ],
  },
  response: {
    name: 'CreateDelegationTokenResponse',
    type: 'response',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'principalType', type: 'string', versions: '0+' },
      { name: 'principalName', type: 'string', versions: '0+' },
      { name: 'issueTimestampMs', type: 'int64', versions: '0+' },
      { name: 'expiryTimestampMs', type: 'int64', versions: '0+' },
      { name: 'maxTimestampMs', type: 'int64', versions: '0+' },
      { name: 'tokenId', type: 'string', versions: '0+' },
      { name: 'hmac', type: 'bytes', versions: '0+' },
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    ],
  },
} as const satisfies ApiSpec;
