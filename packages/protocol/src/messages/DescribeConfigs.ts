import type { ApiSpec } from '../schema/types';

/** DescribeConfigs (32). Reads topic or broker configuration; v1+ can add synonyms, v3+ types and docs. */
export const DescribeConfigs = {
  apiKey: 32,
  name: 'DescribeConfigs',
  request: {
    name: 'DescribeConfigsRequest',
    type: 'request',
    validVersions: '0-4',
    flexibleVersions: '4+',
    fields: [
      {
        name: 'resources',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'resourceType', type: 'int8', versions: '0+' },
          { name: 'resourceName', type: 'string', versions: '0+' },
          { name: 'configurationKeys', type: '[]string', versions: '0+', nullableVersions: '0+' },
        ],
      },
      { name: 'includeSynonyms', type: 'bool', versions: '1+', default: false, ignorable: false },
      { name: 'includeDocumentation', type: 'bool', versions: '3+', default: false, ignorable: false },
    ],
  },
  response: {
    name: 'DescribeConfigsResponse',
    type: 'response',
    validVersions: '0-4',
    flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'results',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
          { name: 'resourceType', type: 'int8', versions: '0+' },
          { name: 'resourceName', type: 'string', versions: '0+' },
          {
            name: 'configs',
            type: '[]struct',
            versions: '0+',
            fields: [
              { name: 'name', type: 'string', versions: '0+' },
              { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
              { name: 'readOnly', type: 'bool', versions: '0+' },
              { name: 'isDefault', type: 'bool', versions: '0' },
              { name: 'configSource', type: 'int8', versions: '1+', default: -1, ignorable: true },
              { name: 'isSensitive', type: 'bool', versions: '0+' },
              {
                name: 'synonyms',
                type: '[]struct',
                versions: '1+',
                ignorable: true,
                fields: [
                  { name: 'name', type: 'string', versions: '1+' },
                  { name: 'value', type: 'string', versions: '1+', nullableVersions: '0+' },
                  { name: 'source', type: 'int8', versions: '1+' },
                ],
              },
              { name: 'configType', type: 'int8', versions: '3+', default: 0, ignorable: true },
              {
                name: 'documentation',
                type: 'string',
                versions: '3+',
                nullableVersions: '0+',
                ignorable: true,
              },
            ],
          },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
