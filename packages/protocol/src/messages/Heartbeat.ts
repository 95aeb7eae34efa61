import type { ApiSpec } from '../schema/types';

/** Heartbeat (12). A group member shows it is alive and learns whether a rebalance is under way. */
export const Heartbeat = {
  apiKey: 12,
  name: 'Heartbeat',
  request: {
    name: 'HeartbeatRequest',
    type: 'request',
    validVersions: '0-4',
    flexibleVersions: '4+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'generationId', type: 'int32', versions: '0+' },
      { name: 'memberId', type: 'string', versions: '0+' },
      { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    ],
  },
  response: {
    name: 'HeartbeatResponse',
    type: 'response',
    validVersions: '0-4',
    flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
      { name: 'errorCode', type: 'int16', versions: '0+' },
    ],
  },
} as const satisfies ApiSpec;
