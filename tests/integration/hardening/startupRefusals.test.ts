import { close, connectZk, exists, startZooKeeper, type ZkClient, type ZooKeeperHandle } from '../../harness';
import { expectBrokerStartupFailure, startBroker } from '../../harness/broker';

/**
 * Issue 13 row 7: a broker process given a setting that promises security Samsa does not provide
 * (an authorizer, ZooKeeper ACLs, an SSL or SASL listener or inter-broker protocol, SSL/SASL keys)
 * refuses to start: exit code 1, one ERROR line naming the setting and where it came from, and it
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

  it.each(['SSL', 'SASL_PLAINTEXT', 'SASL_SSL'])('a %s listener', async (protocol) => {
    expect(await refusal({ listeners: `${protocol}://127.0.0.1:0` })).toMatch(
      new RegExp(
        `^ERROR: refusing to start: listener ${protocol}://127\\.0\\.0\\.1:0 in listeners \\(${FILE_LINE}\\) ` +
          `has security protocol ${protocol}, but Samsa serves only PLAINTEXT yet: it would accept unencrypted, ` +
          `unauthenticated connections and advertise them as ${protocol}$`,
      ),
    );
  });

  it('a listener mapped to SSL by listener.security.protocol.map', async () => {
    expect(
      await refusal({
        listeners: 'PLAINTEXT://127.0.0.1:0,EXTERNAL://127.0.0.1:0',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,EXTERNAL:SSL',
      }),
    ).toMatch(
      /listener EXTERNAL:\/\/127\.0\.0\.1:0 in listeners .* has security protocol SSL \(listener\.security\.protocol\.map, /,
    );
  });

  it('an advertised SASL_SSL listener', async () => {
    expect(await refusal({ 'advertised.listeners': 'SASL_SSL://broker.example:9093' })).toMatch(
      /listener SASL_SSL:\/\/broker\.example:9093 in advertised\.listeners .* has security protocol SASL_SSL/,
    );
  });

  it('security.inter.broker.protocol=SSL', async () => {
    expect(await refusal({ 'security.inter.broker.protocol': 'SSL' })).toMatch(
      /^ERROR: refusing to start: security\.inter\.broker\.protocol=SSL .* asks brokers to talk over SSL, but Samsa serves only PLAINTEXT yet$/,
    );
  });

  it('an SSL key Samsa does not define says why', async () => {
    expect(await refusal({ 'ssl.keystore.location': '/etc/kafka/broker.jks' })).toMatch(
      new RegExp(
        `^ERROR: unknown configuration 'ssl\\.keystore\\.location' \\(${FILE_LINE}\\): Samsa does not provide SSL or SASL yet$`,
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
