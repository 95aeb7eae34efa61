import type { ApiSpec } from '../schema/types';

/** DeleteGroups (42). Removes empty consumer groups and their committed offsets. */
export const DeleteGroups = {
  apiKey: 42,
  name: 'DeleteGroups',
  request: {
    name: 'DeleteGroupsRequest',
    type: 'request',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [{ name: 'groupsNames', type: '[]string', versions: '0+' }],
  },
  response: {
    name: 'DeleteGroupsResponse',
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
          { name: 'groupId', type: 'string', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
