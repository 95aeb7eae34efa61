import type { ApiSpec } from '../schema/types';

/** DescribeCluster (60). Brokers, controller and cluster id, without topic metadata. */
export const DescribeCluster = {
  apiKey: 60,
  name: 'DescribeCluster',
  request: {
    name: 'DescribeClusterRequest',
    type: 'request',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [{ name: 'includeClusterAuthorizedOperations', type: 'bool', versions: '0+' }],
  },
  response: {
    name: 'DescribeClusterResponse',
    type: 'response',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      { name: 'clusterId', type: 'string', versions: '0+' },
      { name: 'controllerId', type: 'int32', versions: '0+', default: -1 },
      {
        name: 'brokers',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'brokerId', type: 'int32', versions: '0+' },
          { name: 'host', type: 'string', versions: '0+' },
          { name: 'port', type: 'int32', versions: '0+' },
          { name: 'rack', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
        ],
      },
      { name: 'clusterAuthorizedOperations', type: 'int32', versions: '0+', default: -2147483648 },
    ],
  },
} as const satisfies ApiSpec;
