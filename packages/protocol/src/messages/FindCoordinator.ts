import type { ApiSpec } from '../schema/types';

/** FindCoordinator (10). Locates the coordinator of a group (key type 0) or a transactional id (type 1). */
export const FindCoordinator = {
  apiKey: 10,
  name: 'FindCoordinator',
  request: {
    name: 'FindCoordinatorRequest',
    type: 'request',
    validVersions: '0-3',
    flexibleVersions: '3+',
    fields: [
      { name: 'key', type: 'string', versions: '0+' },
      { name: 'keyType', type: 'int8', versions: '1+', default: 0, ignorable: false },
    ],
  },
  response: {
    name: 'FindCoordinatorResponse',
    type: 'response',
    validVersions: '0-3',
    flexibleVersions: '3+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '1+', nullableVersions: '1+', ignorable: true },
      { name: 'nodeId', type: 'int32', versions: '0+' },
      { name: 'host', type: 'string', versions: '0+' },
      { name: 'port', type: 'int32', versions: '0+' },
    ],
  },
} as const satisfies ApiSpec;
