import type { ApiSpec } from '../schema/types';

/** CreateAcls (30). Adds ACL bindings. */
export const CreateAcls = {
  apiKey: 30,
  name: 'CreateAcls',
  request: {
    name: 'CreateAclsRequest',
    type: 'request',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      {
        name: 'creations',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'resourceType', type: 'int8', versions: '0+' },
          { name: 'resourceName', type: 'string', versions: '0+' },
          { name: 'resourcePatternType', type: 'int8', versions: '1+', default: 3 },
          { name: 'principal', type: 'string', versions: '0+' },
          { name: 'host', type: 'string', versions: '0+' },
          { name: 'operation', type: 'int8', versions: '0+' },
          { name: 'permissionType', type: 'int8', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    name: 'CreateAclsResponse',
    type: 'response',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'results',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
