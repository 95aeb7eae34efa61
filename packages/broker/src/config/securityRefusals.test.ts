import { ConfigError, KafkaConfig } from './KafkaConfig';

const ZK = { 'zookeeper.connect': '127.0.0.1:2181' };

function refusalOf(props: Record<string, string | number | boolean>): string {
  try {
    KafkaConfig.fromProps({ ...ZK, ...props });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`${JSON.stringify(props)} was accepted`);
}

describe('settings that promise security Samsa does not provide', () => {
  it('defaults, PLAINTEXT listeners and an explicit map of PLAINTEXT listeners start', () => {
    expect(() => KafkaConfig.fromProps(ZK)).not.toThrow();
    expect(() =>
      KafkaConfig.fromProps({
        ...ZK,
        listeners: 'INTERNAL://0.0.0.0:29092,EXTERNAL://0.0.0.0:9092',
        'advertised.listeners': 'INTERNAL://broker-1:29092,EXTERNAL://localhost:9092',
        'listener.security.protocol.map': 'INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT',
        'inter.broker.listener.name': 'INTERNAL',
        'authorizer.class.name': '',
        'zookeeper.set.acl': false,
        'security.inter.broker.protocol': 'PLAINTEXT',
      }),
    ).not.toThrow();
  });

  it("Kafka's two ACL authorizer class names are accepted (they select the AclAuthorizer)", () => {
    for (const name of ['kafka.security.authorizer.AclAuthorizer', 'kafka.security.auth.SimpleAclAuthorizer']) {
      expect(() =>
        KafkaConfig.fromProps({ ...ZK, 'authorizer.class.name': name, 'super.users': 'User:ANONYMOUS' }),
      ).not.toThrow();
    }
  });

  it('any other non-empty authorizer.class.name is refused, naming the class and its origin', () => {
    expect(refusalOf({ 'authorizer.class.name': 'com.example.RangerAuthorizer' })).toBe(
      'refusing to start: authorizer.class.name=com.example.RangerAuthorizer ' +
        '(property authorizer.class.name) names an authorizer Samsa does not have (only ' +
        'kafka.security.authorizer.AclAuthorizer and kafka.security.auth.SimpleAclAuthorizer): ' +
        'no client would be authorized as asked',
    );
  });

  it('zookeeper.set.acl=true is refused, saying why', () => {
    const message = refusalOf({ 'zookeeper.set.acl': true });
    expect(message).toMatch(
      /^refusing to start: zookeeper\.set\.acl=true \(property zookeeper\.set\.acl\) asks for secure ZooKeeper ACLs/,
    );
    expect(message).toContain('node-zookeeper-client) speaks no SASL');
  });

  it('every security protocol is served: listeners named after each, and each as security.inter.broker.protocol', () => {
    const jaas = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
    for (const protocol of ['SSL', 'SASL_PLAINTEXT', 'SASL_SSL']) {
      const sasl: Record<string, string> = protocol.startsWith('SASL_')
        ? {
            'sasl.enabled.mechanisms': 'SCRAM-SHA-256',
            [`listener.name.${protocol.toLowerCase()}.scram-sha-256.sasl.jaas.config`]: jaas,
          }
        : {};
      expect(() =>
        KafkaConfig.fromProps({ ...ZK, listeners: `PLAINTEXT://:9092,${protocol}://:9093`, ...sasl }),
      ).not.toThrow();
    }
  });

  it('SSL listeners, advertised SSL listeners and security.inter.broker.protocol=SSL start', () => {
    expect(() => KafkaConfig.fromProps({ ...ZK, listeners: 'PLAINTEXT://:9092,SSL://:9093' })).not.toThrow();
    expect(() =>
      KafkaConfig.fromProps({
        ...ZK,
        listeners: 'INTERNAL://:29092,EXTERNAL://:9092',
        'listener.security.protocol.map': 'INTERNAL:SSL,EXTERNAL:PLAINTEXT',
        'advertised.listeners': 'INTERNAL://broker-1:29092,EXTERNAL://localhost:9092',
        'inter.broker.listener.name': 'INTERNAL',
      }),
    ).not.toThrow();
    expect(() =>
      KafkaConfig.fromProps({ ...ZK, listeners: 'SSL://:9093', 'security.inter.broker.protocol': 'SSL' }),
    ).not.toThrow();
  });

  it('security.inter.broker.protocol=SSL whose inter-broker listener is not SSL is refused', () => {
    expect(refusalOf({ listeners: 'PLAINTEXT://:9092', 'security.inter.broker.protocol': 'SSL' })).toBe(
      'refusing to start: security.inter.broker.protocol=SSL (property security.inter.broker.protocol) asks brokers ' +
        'to talk over SSL, but the inter-broker listener PLAINTEXT has security protocol PLAINTEXT: name an SSL ' +
        'listener in listeners or set inter.broker.listener.name',
    );
    expect(() =>
      KafkaConfig.fromProps({ ...ZK, listeners: 'PLAINTEXT://:9092,SSL://:9093', 'security.inter.broker.protocol': 'SSL' }),
    ).not.toThrow();
  });

  it('several refusals are one line', () => {
    const message = refusalOf({ 'zookeeper.set.acl': true, 'authorizer.class.name': 'x.Authorizer' });
    expect(message).not.toContain('\n');
    expect(message).toContain('authorizer.class.name=x.Authorizer');
    expect(message).toContain('zookeeper.set.acl=true');
  });

  it('the origin is the file line or environment variable that set it', () => {
    expect(() =>
      KafkaConfig.load({ env: { KAFKA_ZOOKEEPER_CONNECT: 'z', KAFKA_ZOOKEEPER_SET_ACL: 'true' } }),
    ).toThrow(/zookeeper\.set\.acl=true \(environment variable KAFKA_ZOOKEEPER_SET_ACL\)/);
  });

  it('SSL and SASL keys Samsa does not define say why they are unknown; those it serves are known', () => {
    expect(() => KafkaConfig.fromProps({ ...ZK, 'ssl.keystore.location': '/etc/k.p12' })).not.toThrow();
    expect(() => KafkaConfig.fromProps({ ...ZK, 'listener.name.external.ssl.keystore.location': '/etc/k.p12' })).not.toThrow();
    expect(refusalOf({ 'listener.name.external.ssl.no.such.key': 'x' })).toBe(
      `unknown configuration 'listener.name.external.ssl.no.such.key' (property listener.name.external.ssl.no.such.key): ` +
        'Samsa serves SSL and SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) but does not know this setting ' +
        '(GSSAPI/Kerberos and OAUTHBEARER are not provided)',
    );
    expect(refusalOf({ 'sasl.kerberos.service.name': 'kafka' })).toMatch(/GSSAPI\/Kerberos and OAUTHBEARER are not provided\)$/);
    expect(refusalOf({ 'no.such.key': 1 })).toBe(`unknown configuration 'no.such.key' (property no.such.key)`);
  });

  it('SASL_PLAINTEXT listeners start with served mechanisms and a JAAS config for each', () => {
    // The inter-broker listener is SASL_PLAINTEXT (named after security.inter.broker.protocol), so the
    // PLAIN login module also carries this broker's own username and password.
    const jaas =
      'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret" user_alice="alice-secret";';
    const ok = {
      listeners: 'PLAINTEXT://:9092,SASL_PLAINTEXT://:9093',
      'sasl.enabled.mechanisms': 'SCRAM-SHA-256,PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': jaas,
      'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'security.inter.broker.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism.inter.broker.protocol': 'PLAIN',
    };
    expect(() => KafkaConfig.fromProps({ ...ZK, ...ok })).not.toThrow();
    expect(refusalOf({ listeners: 'SASL_PLAINTEXT://:9093' })).toBe(
      'sasl.enabled.mechanisms=GSSAPI enables GSSAPI on SASL listener SASL_PLAINTEXT, but Samsa serves only PLAIN, SCRAM-SHA-256, SCRAM-SHA-512',
    );
    const { ['listener.name.sasl_plaintext.plain.sasl.jaas.config']: _jaas, ...noPlainJaas } = ok;
    expect(refusalOf(noPlainJaas)).toMatch(
      /set listener\.name\.sasl_plaintext\.plain\.sasl\.jaas\.config$/,
    );
    expect(refusalOf({ ...ok, 'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'x required' })).toMatch(
      /listener\.name\.sasl_plaintext\.plain\.sasl\.jaas\.config: JAAS config entry not terminated by semi-colon/,
    );
  });
});
