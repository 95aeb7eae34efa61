import type { ApiSpec } from '../schema/types';

/** ListGroups (16). Lists the groups this broker coordinates; v4+ can filter them by state. */
export const ListGroups = {
  apiKey: 16,
  name: 'ListGroups',
  request: {
    name: 'ListGroupsRequest',
    type: 'request',
    validVersions: '0-4',
    flexibleVersions: '3+',
    fields: [{ name: 'statesFilter', type: '[]string', versions: '4+' }],
  },
  response: {
    name: 'ListGroupsResponse',
    type: 'response',
    validVersions: '0-4',
    flexibleVersions: '3+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      {
        name: 'groups',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'groupId', type: 'string', versions: '0+' },
          { name: 'protocolType', type: 'string', versions: '0+' },
          { name: 'groupState', type: 'string', versions: '4+', ignorable: true },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
