import type { ApiSpec } from '../schema/types';

/** ApiVersions (18). The response always travels with response header v0 (KIP-511). */
export const ApiVersions = {
  apiKey: 18,
  name: 'ApiVersions',
  request: {
    name: 'ApiVersionsRequest',
    type: 'request',
    validVersions: '0-3',
    flexibleVersions: '3+',
    fields: [
      { name: 'clientSoftwareName', type: 'string', versions: '3+', ignorable: true },
      { name: 'clientSoftwareVersion', type: 'string', versions: '3+', ignorable: true },
    ],
  },
  response: {
    name: 'ApiVersionsResponse',
    type: 'response',
    validVersions: '0-3',
    flexibleVersions: '3+',
    fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      {
        name: 'apiKeys',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'apiKey', type: 'int16', versions: '0+' },
          { name: 'minVersion', type: 'int16', versions: '0+' },
          { name: 'maxVersion', type: 'int16', versions: '0+' },
        ],
      },
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
      {
        name: 'supportedFeatures',
        type: '[]struct',
        versions: '3+',
        tag: 0,
        taggedVersions: '3+',
        fields: [
          { name: 'name', type: 'string', versions: '3+' },
          { name: 'minVersion', type: 'int16', versions: '3+' },
          { name: 'maxVersion', type: 'int16', versions: '3+' },
        ],
      },
      {
        name: 'finalizedFeaturesEpoch',
        type: 'int64',
        versions: '3+',
        tag: 1,
        taggedVersions: '3+',
        default: -1,
        ignorable: true,
      },
      {
        name: 'finalizedFeatures',
        type: '[]struct',
        versions: '3+',
        tag: 2,
        taggedVersions: '3+',
        fields: [
          { name: 'name', type: 'string', versions: '3+' },
          { name: 'maxVersionLevel', type: 'int16', versions: '3+' },
          { name: 'minVersionLevel', type: 'int16', versions: '3+' },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
