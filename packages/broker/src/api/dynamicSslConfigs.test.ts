import { ApiKey, ErrorCode, KafkaError, type Struct } from '@samsa/protocol';
import { alterConfigsHandler } from './alterConfigs';
import { validateDynamicBrokerConfigs } from './configs';
import { incrementalAlterConfigsHandler } from './incrementalAlterConfigs';
import { FakeConfigZk } from './testing/fakeConfigZk';
import { answerOf } from './testing/untypedEntry';
import { ctx, fakeDeps } from './testing/fakeDeps';

const KEYSTORE = 'listener.name.ssl.ssl.keystore.location';
const REFUSAL =
  'Validation of dynamic config update of SSLFactory failed: org.apache.kafka.common.KafkaException: ' +
  'Failed to load SSL keystore /etc/new.p12 of type PKCS12';

describe('dynamic listener SSL configs (AlterConfigs on a broker)', () => {
  it('by name a listener keystore location may change; its password is refused (no password.encoder.secret to store it encrypted)', () => {
    // validateDynamicBrokerConfigs checks names and values only: whether the keystore loads is the listener's question (below)
    expect(() => validateDynamicBrokerConfigs('0', new Map([[KEYSTORE, '/etc/new.p12']]))).not.toThrow();
    for (const key of ['listener.name.ssl.ssl.keystore.password', 'listener.name.ssl.ssl.key.password', 'listener.name.ssl.ssl.keystore.key']) {
      let error: unknown;
      try {
        validateDynamicBrokerConfigs('0', new Map([[key, 'secret']]));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(KafkaError);
      expect((error as KafkaError).code).toBe(ErrorCode.INVALID_REQUEST);
      expect((error as Error).message).toBe(
        "Invalid config value for resource ConfigResource(type=BROKER, name='0'): Password encoder secret not configured",
      );
    }
  });

  /** Deps whose listeners refuse any keystore but /etc/good.p12 (as ListenerTlsReloader.validate refuses one that does not load). */
  function setup() {
    const zk = new FakeConfigZk().set('brokers', '0', { 'plugin.kept': 'x' });
    const asked: Record<string, string>[] = [];
    const deps = fakeDeps({
      zkClient: zk.client(),
      validateListenerSsl: (perBroker) => {
        asked.push(Object.fromEntries(perBroker));
        const location = perBroker.get(KEYSTORE);
        if (location !== undefined && location !== '/etc/good.p12') throw new Error(REFUSAL.replace('/etc/new.p12', location));
      },
    });
    return { zk, deps, asked };
  }

  const refused = [ErrorCode.INVALID_REQUEST, `Invalid config value for resource ConfigResource(type=BROKER, name='0'): ${REFUSAL}`];

  it.each([false, true])('AlterConfigs (validateOnly=%s): a keystore the listener cannot use is INVALID_REQUEST, and nothing is written', async (validateOnly) => {
    const { zk, deps, asked } = setup();
    const r = await answerOf(alterConfigsHandler(deps), ctx(ApiKey.AlterConfigs, 1), {
      resources: [{ resourceType: 4, resourceName: '0', configs: [{ name: KEYSTORE, value: '/etc/new.p12' }] }],
      validateOnly,
    });
    expect(r.responses.map((x: Struct) => [x.errorCode, x.errorMessage])).toEqual([refused]);
    // AlterConfigs replaces the broker's whole set: that set is what the listeners are asked about
    expect(asked).toEqual([{ [KEYSTORE]: '/etc/new.p12' }]);
    expect(zk.get('brokers', '0')).toEqual({ 'plugin.kept': 'x' });
    expect(zk.notifications).toEqual([]);
  });

  it('IncrementalAlterConfigs: the listeners are asked about the current overrides with the change applied', async () => {
    const { zk, deps, asked } = setup();
    const alter = async (value: string, validateOnly: boolean) =>
      (
        await answerOf(incrementalAlterConfigsHandler(deps), ctx(ApiKey.IncrementalAlterConfigs, 1), {
          resources: [{ resourceType: 4, resourceName: '0', configs: [{ name: KEYSTORE, configOperation: 0, value }] }],
          validateOnly,
        })
      ).responses.map((x: Struct) => [x.errorCode, x.errorMessage]);
    expect(await alter('/etc/new.p12', false)).toEqual([refused]);
    expect(await alter('/etc/good.p12', true)).toEqual([[ErrorCode.NONE, null]]);
    expect(zk.notifications).toEqual([]); // validateOnly: checked, not written
    expect(await alter('/etc/good.p12', false)).toEqual([[ErrorCode.NONE, null]]);
    expect(asked).toEqual([
      { 'plugin.kept': 'x', [KEYSTORE]: '/etc/new.p12' },
      { 'plugin.kept': 'x', [KEYSTORE]: '/etc/good.p12' },
      { 'plugin.kept': 'x', [KEYSTORE]: '/etc/good.p12' },
    ]);
    expect(zk.get('brokers', '0')).toEqual({ 'plugin.kept': 'x', [KEYSTORE]: '/etc/good.p12' });
    expect(zk.notifications).toEqual(['brokers/0']);
  });

  it('the cluster-wide default (resource name "") is not a listener\'s material: the listeners are not asked', async () => {
    const { deps, asked } = setup();
    await answerOf(alterConfigsHandler(deps), ctx(ApiKey.AlterConfigs, 1), {
      resources: [{ resourceType: 4, resourceName: '', configs: [{ name: 'log.retention.bytes', value: '1' }] }],
      validateOnly: true,
    });
    expect(asked).toEqual([]);
  });
});
