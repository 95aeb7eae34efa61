import type { ApiSpec } from '../schema/types';

/** AlterUserScramCredentials (51). Adds (upserts) or removes users' SCRAM credentials. */
export const AlterUserScramCredentials = {
  apiKey: 51,
  name: 'AlterUserScramCredentials',
  request: {
    name: 'AlterUserScramCredentialsRequest',
    type: 'request',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      {
        name: 'deletions',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'mechanism', type: 'int8', versions: '0+' },
        ],
      },
      {
        name: 'upsertions',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'mechanism', type: 'int8', versions: '0+' },
          { name: 'iterations', type: 'int32', versions: '0+' },
          { name: 'salt', type: 'bytes', versions: '0+' },
          { name: 'saltedPassword', type: 'bytes', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    name: 'AlterUserScramCredentialsResponse',
    type: 'response',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'results',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'user', type: 'string', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
