import type { ApiSpec } from '../schema/types';

/** LeaveGroup (13). One member (v0-2) or a batch of members (v3+) leaves a group, causing a rebalance. */
export const LeaveGroup = {
  apiKey: 13,
  name: 'LeaveGroup',
  request: {
    name: 'LeaveGroupRequest',
    type: 'request',
    validVersions: '0-4',
    flexibleVersions: '4+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'memberId', type: 'string', versions: '0-2' },
      {
        name: 'members',
        type: '[]struct',
        versions: '3+',
        fields: [
          { name: 'memberId', type: 'string', versions: '3+' },
          { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
        ],
      },
    ],
  },
  response: {
    name: 'LeaveGroupResponse',
    type: 'response',
    validVersions: '0-4',
    flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      {
        name: 'members',
        type: '[]struct',
        versions: '3+',
        fields: [
          { name: 'memberId', type: 'string', versions: '3+' },
          { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+' },
          { name: 'errorCode', type: 'int16', versions: '3+' },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
