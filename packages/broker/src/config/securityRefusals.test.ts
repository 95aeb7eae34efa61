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

  it('a non-empty authorizer.class.name is refused, naming the class and its origin', () => {
    expect(refusalOf({ 'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer' })).toBe(
      'refusing to start: authorizer.class.name=kafka.security.authorizer.AclAuthorizer ' +
        '(property authorizer.class.name) asks for an authorizer, but Samsa has none yet: ' +
        'every client would be allowed every operation',
    );
  });

  it('zookeeper.set.acl=true is refused', () => {
    expect(refusalOf({ 'zookeeper.set.acl': true })).toMatch(
      /^refusing to start: zookeeper\.set\.acl=true \(property zookeeper\.set\.acl\) asks for secure ZooKeeper ACLs/,
    );
  });

  it('a listener named after a SASL protocol is refused (Kafka default map)', () => {
    for (const protocol of ['SASL_PLAINTEXT', 'SASL_SSL']) {
      expect(refusalOf({ listeners: `PLAINTEXT://:9092,${protocol}://:9093` })).toBe(
        `refusing to start: listener ${protocol}://:9093 in listeners (property listeners) has security protocol ` +
          `${protocol}, but Samsa serves only PLAINTEXT and SSL yet: it would accept unauthenticated ` +
          `connections and advertise them as ${protocol}`,
      );
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

  it('an advertised listener with a SASL protocol is refused', () => {
    expect(refusalOf({ listeners: 'PLAINTEXT://:9092', 'advertised.listeners': 'SASL_SSL://broker-1:9093' })).toMatch(
      /listener SASL_SSL:\/\/broker-1:9093 in advertised\.listeners .* has security protocol SASL_SSL/,
    );
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

  it('security.inter.broker.protocol SASL_* is refused', () => {
    expect(refusalOf({ 'security.inter.broker.protocol': 'SASL_SSL' })).toMatch(
      /^refusing to start: security\.inter\.broker\.protocol=SASL_SSL .* Samsa serves only PLAINTEXT and SSL yet$/,
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

  it('SASL keys Samsa does not define say why they are unknown; ssl.* keys are known', () => {
    expect(() => KafkaConfig.fromProps({ ...ZK, 'ssl.keystore.location': '/etc/k.p12' })).not.toThrow();
    expect(() => KafkaConfig.fromProps({ ...ZK, 'listener.name.external.ssl.keystore.location': '/etc/k.p12' })).not.toThrow();
    expect(refusalOf({ 'listener.name.external.ssl.no.such.key': 'x' })).toBe(
      `unknown configuration 'listener.name.external.ssl.no.such.key' (property listener.name.external.ssl.no.such.key)`,
    );
    expect(refusalOf({ 'sasl.enabled.mechanisms': 'PLAIN' })).toMatch(/does not provide SASL yet$/);
    expect(refusalOf({ 'listener.name.external.plain.sasl.jaas.config': 'x' })).toMatch(/does not provide SASL yet$/);
    expect(refusalOf({ 'no.such.key': 1 })).toBe(`unknown configuration 'no.such.key' (property no.such.key)`);
  });
});
