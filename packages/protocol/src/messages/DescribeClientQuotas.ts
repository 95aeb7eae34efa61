import type { ApiSpec } from '../schema/types';

/** DescribeClientQuotas (48). Reads client quotas for entities matching the given components. */
export const DescribeClientQuotas = {
  apiKey: 48,
  name: 'DescribeClientQuotas',
  request: {
    name: 'DescribeClientQuotasRequest',
    type: 'request',
    validVersions: '0-1',
    flexibleVersions: '1+',
    fields: [
      {
        name: 'components',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'entityType', type: 'string', versions: '0+' },
          { name: 'matchType', type: 'int8', versions: '0+' },
          { name: 'match', type: 'string', versions: '0+', nullableVersions: '0+' },
        ],
      },
      { name: 'strict', type: 'bool', versions: '0+' },
    ],
  },
  response: {
    name: 'DescribeClientQuotasResponse',
    type: 'response',
    validVersions: '0-1',
    flexibleVersions: '1+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      {
        name: 'entries',
        type: '[]struct',
        versions: '0+',
        nullableVersions: '0+',
        fields: [
          {
            name: 'entity',
            type: '[]struct',
            versions: '0+',
            fields: [
              { name: 'entityType', type: 'string', versions: '0+' },
              { name: 'entityName', type: 'string', versions: '0+', nullableVersions: '0+' },
            ],
          },
          {
            name: 'values',
            type: '[]struct',
            versions: '0+',
            fields: [
              { name: 'key', type: 'string', versions: '0+' },
              { name: 'value', type: 'float64', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
