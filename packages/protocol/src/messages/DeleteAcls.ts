import type { ApiSpec } from '../schema/types';

/** DeleteAcls (31). Removes the ACL bindings matching each filter and reports what was removed. */
export const DeleteAcls = {
  apiKey: 31,
  name: 'DeleteAcls',
  request: {
    name: 'DeleteAclsRequest',
    type: 'request',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      {
        name: 'filters',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'resourceTypeFilter', type: 'int8', versions: '0+' },
          { name: 'resourceNameFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
          { name: 'patternTypeFilter', type: 'int8', versions: '1+', default: 3, ignorable: false },
          { name: 'principalFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
          { name: 'hostFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
          { name: 'operation', type: 'int8', versions: '0+' },
          { name: 'permissionType', type: 'int8', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    name: 'DeleteAclsResponse',
    type: 'response',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'filterResults',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
          {
            name: 'matchingAcls',
            type: '[]struct',
            versions: '0+',
            fields: [
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
              { name: 'resourceType', type: 'int8', versions: '0+' },
              { name: 'resourceName', type: 'string', versions: '0+' },
              { name: 'patternType', type: 'int8', versions: '1+', default: 3, ignorable: false },
              { name: 'principal', type: 'string', versions: '0+' },
              { name: 'host', type: 'string', versions: '0+' },
              { name: 'operation', type: 'int8', versions: '0+' },
              { name: 'permissionType', type: 'int8', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
