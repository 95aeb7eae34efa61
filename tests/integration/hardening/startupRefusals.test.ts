import { close, connectZk, exists, startZooKeeper, type ZkClient, type ZooKeeperHandle } from '../../harness';
import { expectBrokerStartupFailure, startBroker } from '../../harness/broker';

/**
 * Issue 13 row 7: a broker process given a setting that promises security Samsa does not provide
 * (an authorizer, ZooKeeper ACLs, a SASL listener or inter-broker protocol, SASL keys), or an SSL
 * listener whose keystore cannot be used (none, JKS, a wrong password), refuses to start: exit code 1, one ERROR line naming the setting and where it came from, and it
 * never registers in ZooKeeper. The same settings at their defaults (or PLAINTEXT) start.
 */
jest.setTimeout(60_000);

let zkServer: ZooKeeperHandle;
let zk: ZkClient;
let nextBrokerId = 1;

beforeAll(async () => {
  zkServer = await startZooKeeper();
  zk = await connectZk(zkServer.connectString);
});

afterAll(async () => {
  if (zk) await close(zk);
  await zkServer?.stop();
});

/** Starts a broker with `overrides`, expects it to refuse, and returns its only output line. */
async function refusal(overrides: Record<string, string | boolean>): Promise<string> {
  const brokerId = nextBrokerId++;
  const failure = await expectBrokerStartupFailure({
    zkConnect: zkServer.connectString,
    brokerId,
    overrides,
  });
  expect(failure.exitCode).toBe(1);
  const lines = failure.output.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^ERROR: /);
  expect(await exists(zk, `/brokers/ids/${brokerId}`)).toBeNull();
  return lines[0];
}

/** The origin a setting gets from the harness's server.properties: "<dir>/server.properties line N". */
const FILE_LINE = String.raw`\S+/server\.properties line \d+`;

describe('a broker refuses to start on settings that promise security it does not provide', () => {
  it('authorizer.class.name naming an authorizer other than the AclAuthorizer', async () => {
    expect(await refusal({ 'authorizer.class.name': 'com.example.RangerAuthorizer' })).toMatch(
      new RegExp(
        `^ERROR: refusing to start: authorizer\\.class\\.name=com\\.example\\.RangerAuthorizer \\(${FILE_LINE}\\) ` +
          `names an authorizer Samsa does not have \\(only kafka\\.security\\.authorizer\\.AclAuthorizer and ` +
          `kafka\\.security\\.auth\\.SimpleAclAuthorizer\\): no client would be authorized as asked$`,
      ),
    );
  });

  it('zookeeper.set.acl=true', async () => {
    expect(await refusal({ 'zookeeper.set.acl': true })).toMatch(
      new RegExp(
        `^ERROR: refusing to start: zookeeper\\.set\\.acl=true \\(${FILE_LINE}\\) asks for secure ZooKeeper ACLs`,
      ),
    );
  });

  it('a SASL_PLAINTEXT listener with Kafka\'s default sasl.enabled.mechanisms (GSSAPI, not served)', async () => {
    expect(await refusal({ listeners: 'SASL_PLAINTEXT://127.0.0.1:0' })).toMatch(
      /^ERROR: sasl\.enabled\.mechanisms=GSSAPI enables GSSAPI on SASL listener SASL_PLAINTEXT, but Samsa serves only PLAIN, SCRAM-SHA-256, SCRAM-SHA-512$/,
    );
  });

  it('an SSL listener without a keystore', async () => {
    expect(await refusal({ listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0' })).toMatch(
      /^ERROR: listener SSL \(SSL\): SSL key store is not specified/,
    );
  });

  it('an SSL listener with a JKS keystore (no JVM to read it)', async () => {
    expect(
      await refusal({ listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0', 'ssl.keystore.location': '/etc/kafka/broker.jks' }),
    ).toMatch(/^ERROR: listener SSL \(SSL\): ssl\.keystore\.type=JKS: JKS needs a JVM, which Samsa does not have/);
  });

  it('an SSL or SASL key Samsa does not define says why', async () => {
    expect(await refusal({ 'sasl.kerberos.service.name': 'kafka' })).toMatch(
      new RegExp(
        `^ERROR: unknown configuration 'sasl\\.kerberos\\.service\\.name' \\(${FILE_LINE}\\): Samsa serves SSL and SASL .*GSSAPI/Kerberos and OAUTHBEARER are not provided\\)$`,
      ),
    );
  });

  it('the same settings at their defaults, or naming PLAINTEXT, start', async () => {
    const broker = await startBroker({
      zkConnect: zkServer.connectString,
      brokerId: nextBrokerId++,
      overrides: {
        'authorizer.class.name': '',
        'zookeeper.set.acl': false,
        'security.inter.broker.protocol': 'PLAINTEXT',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT',
      },
    });
    try {
      expect(await exists(zk, `/brokers/ids/${broker.brokerId}`)).not.toBeNull();
    } finally {
      await broker.stop();
      await broker.remove();
    }
  });
});
