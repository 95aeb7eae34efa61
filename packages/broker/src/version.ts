/** The broker's version, from its package.json (one level above both src/ and dist/). */
export const SAMSA_VERSION: string = (require('../package.json') as { version: string }).version;
