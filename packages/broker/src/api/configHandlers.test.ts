import { updateMetadataContent } from '../testing/controlRequests';
import { ApiKey, ErrorCode, KafkaError, type Struct } from '@samsa/protocol';
import { alterConfigsHandler } from './alterConfigs';
import type { LogManager } from '@samsa/storage';
import { ConfigSource, dynamicLogDefaults } from './configs';
import { describeConfigsHandler } from './describeConfigs';
import { incrementalAlterConfigsHandler } from './incrementalAlterConfigs';
import { FakeConfigZk } from './testing/fakeConfigZk';
import { answerOf } from './testing/untypedEntry';
import { ctx, fakeDeps, updateMetadataBody } from './testing/fakeDeps';

function setup() {
  const zk = new FakeConfigZk(['t'])
    .set('topics', 't', { 'retention.ms': '1000' })
    .set('brokers', '<default>', { 'log.retention.bytes': '50' });
  // what the DynamicConfigManager would have applied from /config/brokers/<default>
  const logManager = {
    currentDefaultConfig: dynamicLogDefaults({}, new Map([['log.retention.bytes', '50']]), new Map()),
  } as LogManager;
  const deps = fakeDeps({ zkClient: zk.client(), logManager });
  deps.metadataCache.updateMetadata(updateMetadataContent(updateMetadataBody([0], { t: [0] })));
  return { zk, deps };
}

const describe_ = async (
  deps: ReturnType<typeof setup>['deps'],
  version: number,
  resources: Struct[],
  includeSynonyms = false,
) =>
  answerOf(describeConfigsHandler(deps), ctx(ApiKey.DescribeConfigs, version), {
    resources,
    includeSynonyms,
  });

describe('DescribeConfigs', () => {
  test('topicOverridesBrokerDynamicDefaultsAndErrorsPerResource', async () => {
    const { deps } = setup();
    const r = await describe_(
      deps,
      2,
      [
        { resourceType: 2, resourceName: 't', configurationKeys: ['retention.ms', 'retention.bytes'] },
        { resourceType: 2, resourceName: 'unknown', configurationKeys: null },
        { resourceType: 2, resourceName: 'bad name', configurationKeys: null },
        { resourceType: 4, resourceName: '', configurationKeys: null },
        { resourceType: 4, resourceName: '7', configurationKeys: null },
        { resourceType: 8, resourceName: '0', configurationKeys: null },
      ],
      true,
    );
    const [topic, unknown, bad, clusterDefault, otherBroker, logger] = r.results;
    // in Kafka 2.8's order (configEntryOrder.ts), not the order asked for or defined
    expect(topic.configs.map((c: Struct) => [c.name, c.value, c.configSource])).toEqual([
      ['retention.ms', '1000', ConfigSource.TOPIC_CONFIG],
      ['retention.bytes', '50', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
    ]);
    expect(unknown).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, configs: [] });
    expect(bad.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(clusterDefault.configs.map((c: Struct) => [c.name, c.value, c.configSource])).toEqual([
      ['log.retention.bytes', '50', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
    ]);
    expect(otherBroker.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(logger.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  test('v0CarriesIsDefault', async () => {
    const { deps } = setup();
    const r = await describe_(deps, 0, [
      { resourceType: 2, resourceName: 't', configurationKeys: ['retention.ms', 'segment.ms'] },
    ]);
    expect(r.results[0].configs.map((c: Struct) => [c.name, c.isDefault])).toEqual([
      ['retention.ms', false],
      ['segment.ms', true],
    ]);
  });

  test('anUnknownResourceTypeFailsTheWholeRequest', async () => {
    const { deps } = setup();
    await expect(
      describe_(deps, 1, [{ resourceType: 3, resourceName: 'g', configurationKeys: null }]),
    ).rejects.toMatchObject({
      code: ErrorCode.INVALID_REQUEST,
    });
    await expect(
      describe_(deps, 1, [{ resourceType: 3, resourceName: 'g', configurationKeys: null }]),
    ).rejects.toBeInstanceOf(KafkaError);
  });
});

describe('AlterConfigs', () => {
  const alter = async (deps: ReturnType<typeof setup>['deps'], resources: Struct[], validateOnly = false) =>
    (
      await answerOf(alterConfigsHandler(deps), ctx(ApiKey.AlterConfigs, 1), {
        resources,
        validateOnly,
      })
    ).responses.map((x: Struct) => x.errorCode);

  test('replacesTopicOverridesAndNotifies', async () => {
    const { zk, deps } = setup();
    expect(
      await alter(
        deps,
        [{ resourceType: 2, resourceName: 't', configs: [{ name: 'segment.ms', value: '5000' }] }],
        true,
      ),
    ).toEqual([0]);
    expect(zk.get('topics', 't')).toEqual({ 'retention.ms': '1000' });
    expect(zk.notifications).toEqual([]);
    expect(
      await alter(deps, [
        { resourceType: 2, resourceName: 't', configs: [{ name: 'segment.ms', value: '5000' }] },
      ]),
    ).toEqual([0]);
    expect(zk.get('topics', 't')).toEqual({ 'segment.ms': '5000' });
    expect(zk.notifications).toEqual(['topics/t']);
  });

  test('refusalsPerResource', async () => {
    const { zk, deps } = setup();
    expect(
      await alter(deps, [
        { resourceType: 2, resourceName: 'nope', configs: [] },
        { resourceType: 2, resourceName: 't', configs: [{ name: 'segment.ms', value: null }] },
        { resourceType: 2, resourceName: 't', configs: [{ name: 'segment.ms', value: 'x' }] },
        { resourceType: 2, resourceName: 't', configs: [{ name: 'segment.msx', value: '1' }] },
        { resourceType: 4, resourceName: '0', configs: [{ name: 'num.partitions', value: '3' }] },
        { resourceType: 4, resourceName: '1', configs: [{ name: 'log.retention.bytes', value: '3' }] },
      ]),
    ).toEqual([
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_CONFIG,
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
    ]);
    expect(zk.notifications).toEqual([]);
    await expect(alter(deps, [{ resourceType: 8, resourceName: '0', configs: [] }])).rejects.toMatchObject({
      code: ErrorCode.INVALID_REQUEST,
    });
  });

  test('brokerDynamicConfigsPerBrokerAndClusterWide', async () => {
    const { zk, deps } = setup();
    expect(
      await alter(deps, [
        { resourceType: 4, resourceName: '0', configs: [{ name: 'log.segment.bytes', value: '4096' }] },
        { resourceType: 4, resourceName: '', configs: [{ name: 'log.retention.ms', value: '60000' }] },
      ]),
    ).toEqual([0, 0]);
    expect(zk.get('brokers', '0')).toEqual({ 'log.segment.bytes': '4096' });
    expect(zk.get('brokers', '<default>')).toEqual({ 'log.retention.ms': '60000' });
    expect(zk.notifications).toEqual(['brokers/0', 'brokers/<default>']);
  });
});

describe('custom broker configs', () => {
  test('alterConfigsStoresACustomNameNextToATopicChangeAndRefusesANonDynamicOneAlone', async () => {
    const { zk, deps } = setup();
    const r = await answerOf(alterConfigsHandler(deps), ctx(ApiKey.AlterConfigs, 1), {
      resources: [
        {
          resourceType: 4,
          resourceName: '0',
          configs: [
            { name: 'plugin.custom.setting', value: 'on' },
            { name: 'log.segment.bytes', value: '4096' },
          ],
        },
        { resourceType: 2, resourceName: 't', configs: [{ name: 'segment.ms', value: '5000' }] },
        {
          resourceType: 4,
          resourceName: '',
          configs: [
            { name: 'plugin.custom.setting', value: 'x' },
            { name: 'auto.create.topics.enable', value: 'false' },
          ],
        },
      ],
      validateOnly: false,
    });
    expect(r.responses.map((x: Struct) => [x.resourceName, x.errorCode, x.errorMessage])).toEqual([
      ['0', ErrorCode.NONE, null],
      ['t', ErrorCode.NONE, null],
      [
        '',
        ErrorCode.INVALID_REQUEST,
        "Invalid config value for resource ConfigResource(type=BROKER, name=''): " +
          'Cannot update these configs dynamically: Set(auto.create.topics.enable)',
      ],
    ]);
    expect(zk.get('brokers', '0')).toEqual({ 'plugin.custom.setting': 'on', 'log.segment.bytes': '4096' });
    expect(zk.get('brokers', '<default>')).toEqual({ 'log.retention.bytes': '50' });
    expect(zk.notifications).toEqual(['brokers/0', 'topics/t']);
  });

  test('describeShowsTheCustomNameHiddenAsKafkaDoes', async () => {
    const { zk, deps } = setup();
    zk.set('brokers', '0', { 'plugin.custom.setting': 'on', 'auto.create.topics.enable': 'false' });
    const r = await describe_(
      deps,
      1,
      [{ resourceType: 4, resourceName: '0', configurationKeys: ['plugin.custom.setting', 'auto.create.topics.enable'] }],
      true,
    );
    const byName = new Map(r.results[0].configs.map((c: Struct) => [c.name, c]));
    // Kafka: no known type → maybeSensitive → value hidden; not dynamically updatable → read-only
    expect(byName.get('plugin.custom.setting')).toMatchObject({
      value: null,
      isSensitive: true,
      readOnly: true,
      configSource: ConfigSource.DYNAMIC_BROKER_CONFIG,
      synonyms: [{ name: 'plugin.custom.setting', value: null, source: ConfigSource.DYNAMIC_BROKER_CONFIG }],
    });
    // a known non-dynamic name in ZooKeeper is ignored, as Kafka's fromPersistentProps drops it
    expect((byName.get('auto.create.topics.enable') as Struct | undefined)?.configSource).not.toBe(
      ConfigSource.DYNAMIC_BROKER_CONFIG,
    );
  });

  test('incrementalAlterConfigsSetsAndDeletesCustomNamesAndDropsStoredNonDynamicOnes', async () => {
    const { zk, deps } = setup();
    zk.set('brokers', '0', { 'plugin.a': '1', 'auto.create.topics.enable': 'false' });
    const alter = async (resourceName: string, configs: Struct[]) =>
      (
        await answerOf(incrementalAlterConfigsHandler(deps), ctx(ApiKey.IncrementalAlterConfigs, 1), {
          resources: [{ resourceType: 4, resourceName, configs }],
          validateOnly: false,
        })
      ).responses.map((x: Struct) => x.errorCode);
    expect(
      await alter('0', [
        { name: 'plugin.b', configOperation: 0, value: '2' },
        { name: 'plugin.a', configOperation: 1, value: null },
      ]),
    ).toEqual([ErrorCode.NONE]);
    expect(zk.get('brokers', '0')).toEqual({ 'plugin.b': '2' });
    expect(await alter('', [{ name: 'log.dirs', configOperation: 0, value: '/x' }])).toEqual([
      ErrorCode.INVALID_REQUEST,
    ]);
    expect(zk.get('brokers', '<default>')).toEqual({ 'log.retention.bytes': '50' });
  });
});

describe('IncrementalAlterConfigs', () => {
  test('changesTheCurrentOverridesInsteadOfReplacingThem', async () => {
    const { zk, deps } = setup();
    const h = incrementalAlterConfigsHandler(deps);
    const r = await answerOf(h, ctx(ApiKey.IncrementalAlterConfigs, 1), {
      resources: [
        {
          resourceType: 2,
          resourceName: 't',
          configs: [
            { name: 'segment.ms', configOperation: 0, value: '7000' },
            { name: 'cleanup.policy', configOperation: 2, value: 'compact' },
          ],
        },
        {
          resourceType: 4,
          resourceName: '',
          configs: [{ name: 'log.retention.bytes', configOperation: 1, value: null }],
        },
        { resourceType: 8, resourceName: '0', configs: [] },
      ],
      validateOnly: false,
    });
    expect(r.responses.map((x: Struct) => x.errorCode)).toEqual([0, 0, ErrorCode.INVALID_REQUEST]);
    expect(zk.get('topics', 't')).toEqual({
      'retention.ms': '1000',
      'segment.ms': '7000',
      'cleanup.policy': 'delete,compact',
    });
    expect(zk.get('brokers', '<default>')).toEqual({});
  });
});
