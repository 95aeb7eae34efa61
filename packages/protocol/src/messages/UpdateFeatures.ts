import type { ApiSpec } from '../schema/types';

/** UpdateFeatures (57). Changes cluster-wide finalized feature version levels via the controller. */
export const UpdateFeatures = {
  apiKey: 57,
  name: 'UpdateFeatures',
  request: {
    name: 'UpdateFeaturesRequest',
    type: 'request',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
      {
        name: 'featureUpdates',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'feature', type: 'string', versions: '0+' },
          { name: 'maxVersionLevel', type: 'int16', versions: '0+' },
          { name: 'allowDowngrade', type: 'bool', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    name: 'UpdateFeaturesResponse',
    type: 'response',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      {
        name: 'results',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'feature', type: 'string', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
