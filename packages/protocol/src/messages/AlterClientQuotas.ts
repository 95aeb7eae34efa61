import type { ApiSpec } from '../schema/types';

/** AlterClientQuotas (49). Sets or removes quota values for user / client-id entities. */
export const AlterClientQuotas = {
  apiKey: 49,
  name: 'AlterClientQuotas',
  request: {
    name: 'AlterClientQuotasRequest',
    type: 'request',
    validVersions: '0-1',
    flexibleVersions: '1+',
    fields: [
      {
        name: 'entries',
        type: '[]struct',
        versions: '0+',
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
            name: 'ops',
            type: '[]struct',
            versions: '0+',
            fields: [
              { name: 'key', type: 'string', versions: '0+' },
              { name: 'value', type: 'float64', versions: '0+' },
              { name: 'remove', type: 'bool', versions: '0+' },
            ],
          },
        ],
      },
      { name: 'validateOnly', type: 'bool', versions: '0+' },
    ],
  },
  response: {
    name: 'AlterClientQuotasResponse',
    type: 'response',
    validVersions: '0-1',
    flexibleVersions: '1+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'entries',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
          {
            name: 'entity',
            type: '[]struct',
            versions: '0+',
            fields: [
              { name: 'entityType', type: 'string', versions: '0+' },
              { name: 'entityName', type: 'string', versions: '0+', nullableVersions: '0+' },
            ],
          },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
