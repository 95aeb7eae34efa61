import type { ApiSpec } from '../schema/types';

/** DescribeUserScramCredentials (50). SCRAM mechanisms per user; null users means all. */
export const DescribeUserScramCredentials = {
  apiKey: 50,
  name: 'DescribeUserScramCredentials',
  request: {
    name: 'DescribeUserScramCredentialsRequest',
    type: 'request',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      {
        name: 'users',
        type: '[]struct',
        versions: '0+',
        nullableVersions: '0+',
        fields: [{ name: 'name', type: 'string', versions: '0+' }],
      },
    ],
  },
  response: {
    name: 'DescribeUserScramCredentialsResponse',
    type: 'response',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      {
        name: 'results',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'user', type: 'string', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
          {
            name: 'credentialInfos',
            type: '[]struct',
            versions: '0+',
            fields: [
              { name: 'mechanism', type: 'int8', versions: '0+' },
              { name: 'iterations', type: 'int32', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
