import { clientSecurityFromProperties, parseProperties, withSecurityHint } from './CommandConfig';
import { UsageError } from './OptionParser';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEYSTORE = '-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n' + CA;
const files: Record<string, string> = { '/ca.pem': CA, '/client.pem': KEYSTORE };
const readFile = (p: string): Buffer => {
  const text = files[p];
  if (text === undefined) throw new Error(`ENOENT: ${p}`);
  return Buffer.from(text);
};

describe('parseProperties', () => {
  it('reads java.util.Properties: separators, comments, continuation lines and escapes', () => {
    const props = parseProperties(
      [
        '# a comment',
        '! another',
        'security.protocol=SASL_SSL',
        'sasl.mechanism : SCRAM-SHA-512',
        'ssl.truststore.type PEM',
        'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\',
        '    username="admin" \\',
        '    password="a\\\\b";',
        'key\\=with\\:colon=v\\u0041',
        '',
      ].join('\n'),
    );
    expect(props.get('security.protocol')).toBe('SASL_SSL');
    expect(props.get('sasl.mechanism')).toBe('SCRAM-SHA-512');
    expect(props.get('ssl.truststore.type')).toBe('PEM');
    expect(props.get('sasl.jaas.config')).toBe(
      'org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="a\\b";',
    );
    expect(props.get('key=with:colon')).toBe('vA');
  });
});

describe('clientSecurityFromProperties', () => {
  const jaas = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret";';

  it('is plaintext without security.protocol', () => {
    expect(clientSecurityFromProperties(new Map(), readFile)).toEqual({ securityProtocol: 'PLAINTEXT' });
  });

  it('SASL_SSL: a PEM truststore, the SASL login, host name checked by default', () => {
    const security = clientSecurityFromProperties(
      new Map([
        ['security.protocol', 'sasl_ssl'],
        ['ssl.truststore.type', 'PEM'],
        ['ssl.truststore.location', '/ca.pem'],
        ['sasl.mechanism', 'PLAIN'],
        ['sasl.jaas.config', jaas],
      ]),
      readFile,
    );
    expect(security.securityProtocol).toBe('SASL_SSL');
    expect(security.sasl).toEqual({ mechanism: 'PLAIN', username: 'alice', password: 'alice-secret' });
    expect(security.tls?.ca).toEqual([CA]);
    expect(security.tls?.rejectUnauthorized).toBe(true);
    expect(security.tls?.checkServerIdentity).toBeUndefined();
  });

  it('SSL with a keystore (mutual TLS) and no host name check when the algorithm is empty', () => {
    const security = clientSecurityFromProperties(
      new Map([
        ['security.protocol', 'SSL'],
        ['ssl.truststore.type', 'PEM'],
        ['ssl.truststore.location', '/ca.pem'],
        ['ssl.keystore.type', 'PEM'],
        ['ssl.keystore.location', '/client.pem'],
        ['ssl.endpoint.identification.algorithm', ''],
      ]),
      readFile,
    );
    expect(security.sasl).toBeUndefined();
    expect(security.tls?.key).toContain('PRIVATE KEY');
    expect(security.tls?.cert).toContain('CERTIFICATE');
    expect(typeof security.tls?.checkServerIdentity).toBe('function');
  });

  it.each([
    [[['security.protocol', 'TLS']], /Invalid value TLS for configuration security.protocol/],
    [[['security.protocol', 'SASL_PLAINTEXT']], /sasl.mechanism GSSAPI is not provided/],
    [[['security.protocol', 'SASL_PLAINTEXT'], ['sasl.mechanism', 'PLAIN']], /sasl.jaas.config must name/],
    [[['security.protocol', 'SSL'], ['ssl.truststore.location', '/ca.pem']], /Invalid SSL settings.*JKS needs a JVM/],
    [[['security.protocol', 'SSL'], ['ssl.truststore.type', 'PEM'], ['ssl.truststore.location', '/nope']], /Invalid SSL settings.*ENOENT/],
  ])('refuses %j with a message naming the setting', (entries, message) => {
    const props = new Map(entries as Array<[string, string]>);
    expect(() => clientSecurityFromProperties(props, readFile)).toThrow(UsageError);
    expect(() => clientSecurityFromProperties(props, readFile)).toThrow(message);
  });
});

describe('withSecurityHint', () => {
  it('hints at --command-config when the broker closed a plaintext connection', () => {
    expect(withSecurityHint('Connection error: socket closed', undefined)).toMatch(/pass --command-config/);
    expect(withSecurityHint('Client network socket disconnected', { securityProtocol: 'PLAINTEXT' })).toMatch(/--command-config/);
    expect(withSecurityHint('Connection error: connect ECONNREFUSED 127.0.0.1:9092', undefined)).not.toMatch(/--command-config/);
    expect(withSecurityHint('Timed out after 100 ms waiting for x', undefined)).not.toMatch(/--command-config/);
    expect(withSecurityHint('Topic already exists', undefined)).toBe('Topic already exists');
    expect(withSecurityHint('Connection error: closed', { securityProtocol: 'SSL' })).toBe('Connection error: closed');
  });
});
