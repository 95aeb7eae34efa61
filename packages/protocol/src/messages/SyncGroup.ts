import type { ApiSpec } from '../schema/types';

/** SyncGroup (14). The group leader hands in the assignment; each member gets back its own share. */
export const SyncGroup = {
  apiKey: 14,
  name: 'SyncGroup',
  request: {
    name: 'SyncGroupRequest',
    type: 'request',
    validVersions: '0-5',
    flexibleVersions: '4+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'generationId', type: 'int32', versions: '0+' },
      { name: 'memberId', type: 'string', versions: '0+' },
      { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
      {
        name: 'protocolType',
        type: 'string',
        versions: '5+',
        nullableVersions: '5+',
        default: null,
        ignorable: true,
      },
      {
        name: 'protocolName',
        type: 'string',
        versions: '5+',
        nullableVersions: '5+',
        default: null,
        ignorable: true,
      },
      {
        name: 'assignments',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'memberId', type: 'string', versions: '0+' },
          { name: 'assignment', type: 'bytes', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    name: 'SyncGroupResponse',
    type: 'response',
    validVersions: '0-5',
    flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      {
        name: 'protocolType',
        type: 'string',
        versions: '5+',
        nullableVersions: '5+',
        default: null,
        ignorable: true,
      },
      {
        name: 'protocolName',
        type: 'string',
        versions: '5+',
        nullableVersions: '5+',
        default: null,
        ignorable: true,
      },
      { name: 'assignment', type: 'bytes', versions: '0+' },
    ],
  },
} as const satisfies ApiSpec;
