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

  it('zookeeper.set.acl=true is refused', () => {
    expect(refusalOf({ 'zookeeper.set.acl': true })).toMatch(
      /^refusing to start: zookeeper\.set\.acl=true \(property zookeeper\.set\.acl\) asks for secure ZooKeeper ACLs/,
    );
  });

  it('a listener named after a secure protocol is refused (Kafka default map)', () => {
    for (const protocol of ['SSL', 'SASL_PLAINTEXT', 'SASL_SSL']) {
      expect(refusalOf({ listeners: `PLAINTEXT://:9092,${protocol}://:9093` })).toBe(
        `refusing to start: listener ${protocol}://:9093 in listeners (property listeners) has security protocol ` +
          `${protocol}, but Samsa serves only PLAINTEXT yet: it would accept unencrypted, unauthenticated ` +
          `connections and advertise them as ${protocol}`,
      );
    }
  });

  it('a listener mapped to a secure protocol through listener.security.protocol.map is refused', () => {
    expect(
      refusalOf({
        listeners: 'INTERNAL://:29092,EXTERNAL://:9092',
        'listener.security.protocol.map': 'INTERNAL:PLAINTEXT,external:sasl_ssl',
      }),
    ).toMatch(
      /listener EXTERNAL:\/\/:9092 in listeners \(property listeners\) has security protocol SASL_SSL \(listener\.security\.protocol\.map, property listener\.security\.protocol\.map\)/,
    );
  });

  it('an advertised listener with a secure protocol is refused', () => {
    expect(refusalOf({ listeners: 'PLAINTEXT://:9092', 'advertised.listeners': 'SSL://broker-1:9093' })).toMatch(
      /listener SSL:\/\/broker-1:9093 in advertised\.listeners .* has security protocol SSL/,
    );
  });

  it('security.inter.broker.protocol other than PLAINTEXT is refused', () => {
    expect(refusalOf({ 'security.inter.broker.protocol': 'SSL' })).toMatch(
      /^refusing to start: security\.inter\.broker\.protocol=SSL .* Samsa serves only PLAINTEXT yet$/,
    );
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

  it('SSL and SASL keys Samsa does not define say why they are unknown', () => {
    expect(refusalOf({ 'ssl.keystore.location': '/etc/k.jks' })).toBe(
      `unknown configuration 'ssl.keystore.location' (property ssl.keystore.location): Samsa does not provide SSL or SASL yet`,
    );
    expect(refusalOf({ 'sasl.enabled.mechanisms': 'PLAIN' })).toMatch(/does not provide SSL or SASL yet$/);
    expect(refusalOf({ 'listener.name.external.plain.sasl.jaas.config': 'x' })).toMatch(/does not provide SSL or SASL yet$/);
    expect(refusalOf({ 'no.such.key': 1 })).toBe(`unknown configuration 'no.such.key' (property no.such.key)`);
  });
});
