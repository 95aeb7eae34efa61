import {
  CredentialCache,
  credentialToString,
  desanitize,
  sanitize,
  SCRAM_SHA_256,
  SCRAM_SHA_512,
  ScramFormatter,
} from './index';

describe('Sanitizer (Kafka\'s, for /config/users/<name>)', () => {
  it.each([
    ['alice', 'alice'],
    ['User With Space', 'User%20With%20Space'],
    ['a*b', 'a%2Ab'],
    ['CN=client,OU=test', 'CN%3Dclient%2COU%3Dtest'],
    ['ü/x~', '%C3%BC%2Fx%7E'],
    ['a.b-c_d', 'a.b-c_d'],
  ])('%j ↔ %j', (name, sanitized) => {
    expect(sanitize(name)).toBe(sanitized);
    expect(desanitize(sanitized)).toBe(name);
  });
});

describe('CredentialCache', () => {
  const c256 = credentialToString(new ScramFormatter(SCRAM_SHA_256).generateCredential('p', 4096));
  const c512 = credentialToString(new ScramFormatter(SCRAM_SHA_512).generateCredential('p', 4096));

  it('replaces a user\'s credentials with those of its config: a mechanism left out is removed', () => {
    const cache = new CredentialCache();
    expect(cache.updateCredentials('alice', new Map([['SCRAM-SHA-256', c256], ['SCRAM-SHA-512', c512], ['producer_byte_rate', '10']]))).toEqual([]);
    expect(cache.get('alice', SCRAM_SHA_256)?.iterations).toBe(4096);
    expect(cache.get('alice', SCRAM_SHA_512)).toBeDefined();
    cache.updateCredentials('alice', new Map([['SCRAM-SHA-512', c512]]));
    expect(cache.get('alice', SCRAM_SHA_256)).toBeUndefined();
    expect(cache.users('SCRAM-SHA-512')).toEqual(['alice']);
  });

  it('a credential that does not parse is reported and not kept', () => {
    const cache = new CredentialCache();
    cache.updateCredentials('bob', new Map([['SCRAM-SHA-256', c256]]));
    expect(cache.updateCredentials('bob', new Map([['SCRAM-SHA-256', 'salt=x']]))).toEqual(['SCRAM-SHA-256']);
    expect(cache.get('bob', SCRAM_SHA_256)).toBeUndefined();
  });
});
