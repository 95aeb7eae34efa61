import {
  parseJaasConfig,
  PlainSaslClient,
  PlainSaslServer,
  plainUsersFromJaasOptions,
  SaslAuthenticationError,
  singleLoginModule,
} from './index';

describe('parseJaasConfig', () => {
  it('reads Kafka\'s forms: quoted and bare values, escapes, several modules', () => {
    const m = singleLoginModule(
      'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="a\\"b" user_admin="admin-secret" user_alice=alice-secret;',
    );
    expect(m.loginModule).toBe('org.apache.kafka.common.security.plain.PlainLoginModule');
    expect(m.controlFlag).toBe('required');
    expect(Object.fromEntries(m.options)).toEqual({
      username: 'admin',
      password: 'a"b',
      user_admin: 'admin-secret',
      user_alice: 'alice-secret',
    });
    expect(parseJaasConfig('a.B required; c.D optional x="1";')).toHaveLength(2);
    expect(singleLoginModule('org.apache.kafka.common.security.scram.ScramLoginModule required;').options.size).toBe(0);
  });

  it('refuses what Kafka refuses', () => {
    expect(() => parseJaasConfig('a.B required x="1"')).toThrow('not terminated by semi-colon');
    expect(() => parseJaasConfig('a.B mandatory;')).toThrow("Invalid login module control flag 'mandatory'");
    expect(() => parseJaasConfig('a.B required x;')).toThrow("Value not specified for key 'x'");
    expect(() => parseJaasConfig('  ')).toThrow('does not contain any login modules');
    expect(() => singleLoginModule('a.B required; c.D required;')).toThrow('contains 2 login modules, should be 1 module');
  });
});

describe('PlainSaslServer', () => {
  const users = plainUsersFromJaasOptions(new Map([['user_alice', 'alice-secret']]));
  const token = (s: string) => Buffer.from(s.replace(/\|/g, '\u0000'));

  it('accepts kcat\'s captured token (empty authzid) and names the user', () => {
    const s = new PlainSaslServer(users);
    expect(s.evaluateResponse(token('|alice|alice-secret'))).toEqual(Buffer.alloc(0));
    expect(s.isComplete()).toBe(true);
    expect(s.authorizationId()).toBe('alice');
    expect(new PlainSaslServer(users).evaluateResponse(new PlainSaslClient('alice', 'alice-secret').evaluateChallenge())).toEqual(Buffer.alloc(0));
  });

  it.each([
    ['|alice|wrong', 'Authentication failed: Invalid username or password'],
    ['|bob|alice-secret', 'Authentication failed: Invalid username or password'],
    ['||x', 'Authentication failed: username not specified'],
    ['|alice|', 'Authentication failed: password not specified'],
    ['bob|alice|alice-secret', 'Authentication failed: Client requested an authorization id that is different from username'],
    ['alice|alice-secret', 'Invalid SASL/PLAIN response: expected 3 tokens, got 2'],
  ])('refuses %j with "%s"', (t, message) => {
    const s = new PlainSaslServer(users);
    expect(() => s.evaluateResponse(token(t))).toThrow(new SaslAuthenticationError(message));
    expect(s.isComplete()).toBe(false);
  });
});
