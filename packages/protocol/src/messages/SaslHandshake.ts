import type { ApiSpec } from '../schema/types';

/** SaslHandshake (17). Chooses the SASL mechanism; tokens follow raw (v0) or inside SaslAuthenticate (v1). */
export const SaslHandshake = {
  apiKey: 17,
  name: 'SaslHandshake',
  request: {
    name: 'SaslHandshakeRequest',
    type: 'request',
    validVersions: '0-1',
    flexibleVersions: 'none',
    fields: [{ name: 'mechanism', type: 'string', versions: '0+' }],
  },
  response: {
    name: 'SaslHandshakeResponse',
    type: 'response',
    validVersions: '0-1',
    flexibleVersions: 'none',
    fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'mechanisms', type: '[]string', versions: '0+' },
    ],
  },
} as const satisfies ApiSpec;
