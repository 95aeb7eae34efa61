import type { ApiSpec } from '../schema/types';

/** SaslAuthenticate (36). Carries SASL tokens inside Kafka framing (after SaslHandshake v1). */
export const SaslAuthenticate = {
  apiKey: 36,
  name: 'SaslAuthenticate',
  request: {
    name: 'SaslAuthenticateRequest',
    type: 'request',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [{ name: 'authBytes', type: 'bytes', versions: '0+' }],
  },
  response: {
    name: 'SaslAuthenticateResponse',
    type: 'response',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'authBytes', type: 'bytes', versions: '0+' },
      { name: 'sessionLifetimeMs', type: 'int64', versions: '1+', default: 0, ignorable: true },
    ],
  },
} as const satisfies ApiSpec;
