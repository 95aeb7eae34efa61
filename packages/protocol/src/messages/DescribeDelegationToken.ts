import type { ApiSpec } from '../schema/types';

/** DescribeDelegationToken (41). Lists delegation tokens, optionally only those of given owners. */
export const DescribeDelegationToken = {
  apiKey: 41,
  name: 'DescribeDelegationToken',
  request: {
    name: 'DescribeDelegationTokenRequest',
    type: 'request',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      {
        name: 'owners',
        type: '[]struct',
        versions: '0+',
        nullableVersions: '0+',
        fields: [
          { name: 'principalType', type: 'string', versions: '0+' },
          { name: 'principalName', type: 'string', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    name: 'DescribeDelegationTokenResponse',
    type: 'response',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      {
        name: 'tokens',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'principalType', type: 'string', versions: '0+' },
          { name: 'principalName', type: 'string', versions: '0+' },
          { name: 'issueTimestamp', type: 'int64', versions: '0+' },
          { name: 'expiryTimestamp', type: 'int64', versions: '0+' },
          { name: 'maxTimestamp', type: 'int64', versions: '0+' },
          { name: 'tokenId', type: 'string', versions: '0+' },
          { name: 'hmac', type: 'bytes', versions: '0+' },
          {
            name: 'renewers',
            type: '[]struct',
            versions: '0+',
            fields: [
              { name: 'principalType', type: 'string', versions: '0+' },
              { name: 'principalName', type: 'string', versions: '0+' },
            ],
          },
        ],
      },
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    ],
  },
} as const satisfies ApiSpec;
