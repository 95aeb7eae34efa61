import { ErrorCode, KafkaError } from '@samsa/protocol';
import { LOG_CONFIG_NAMES, LogConfig } from '@samsa/storage';
import { KafkaConfig } from '../config/KafkaConfig';
import {
  AlterConfigOp,
  applyIncrementalOps,
  brokerConfigKind,
  brokerConfigLayers,
  brokerResourceId,
  ConfigSource,
  describeBrokerConfigs,
  describeTopicConfigs,
  DYNAMIC_BROKER_CONFIGS,
  isCustomBrokerConfig,
  dynamicLogDefaults,
  selectConfigs,
  TOPIC_CONFIG_SYNONYMS,
  topicConfigKind,
  validateDynamicBrokerConfigs,
  validateTopicOverrides,
} from './configs';

const config = (props: Record<string, string | number> = {}) =>
  KafkaConfig.fromProps({ 'zookeeper.connect': 'zk:2181', 'broker.id': 3, ...props });

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof KafkaError) return e.code;
    throw e;
  }
  return undefined;
}

describe('the synonym table', () => {
  test('everyTopicConfigWithABrokerDefaultIsMapped', () => {
    const unmapped = LOG_CONFIG_NAMES.filter((n) => !(n in TOPIC_CONFIG_SYNONYMS));
    expect(unmapped.sort()).toEqual([
      'follower.replication.throttled.replicas',
      'leader.replication.throttled.replicas',
    ]);
    expect(Object.keys(TOPIC_CONFIG_SYNONYMS).every((n) => LOG_CONFIG_NAMES.includes(n))).toBe(true);
  });

  test('storageReadsTheSameBrokerNames', () => {
    // a value for each broker name must show up as its topic config: the table and LogConfig agree
    const samples: Record<string, string> = {
      'log.segment.bytes': '12345',
      'log.roll.ms': '12345',
      'log.roll.jitter.ms': '12345',
      'log.index.size.max.bytes': '12345',
      'log.flush.interval.messages': '12345',
      'log.flush.interval.ms': '12345',
      'log.retention.bytes': '12345',
      'log.retention.ms': '12345',
      'message.max.bytes': '12345',
      'log.index.interval.bytes': '12345',
      'log.cleaner.delete.retention.ms': '12345',
      'log.cleaner.min.compaction.lag.ms': '12345',
      'log.cleaner.max.compaction.lag.ms': '12345',
      'log.segment.delete.delay.ms': '12345',
      'log.cleaner.min.cleanable.ratio': '0.25',
      'log.cleanup.policy': 'compact',
      'unclean.leader.election.enable': 'true',
      'min.insync.replicas': '3',
      'compression.type': 'gzip',
      'log.preallocate': 'true',
      'log.message.format.version': '2.1-IV2',
      'log.message.timestamp.type': 'LogAppendTime',
      'log.message.timestamp.difference.max.ms': '12345',
      'log.message.downconversion.enable': 'false',
    };
    for (const [topicName, brokerName] of Object.entries(TOPIC_CONFIG_SYNONYMS)) {
      const props = LogConfig.fromBrokerProps({ [brokerName]: samples[brokerName] }).toProps();
      expect([topicName, props[topicName]]).toEqual([topicName, samples[brokerName]]);
    }
  });

  test('dynamicBrokerConfigsAreTheTopicDefaultsButTheMessageFormat', () => {
    expect(DYNAMIC_BROKER_CONFIGS.has('log.retention.ms')).toBe(true);
    expect(DYNAMIC_BROKER_CONFIGS.has('log.message.format.version')).toBe(false);
    expect(DYNAMIC_BROKER_CONFIGS.has('num.partitions')).toBe(false);
    expect(DYNAMIC_BROKER_CONFIGS.size).toBe(23);
  });
});

describe('describeTopicConfigs', () => {
  const layers = (props: Record<string, string | number> = {}, dynamicDefault = new Map<string, string>()) =>
    brokerConfigLayers(config(props), new Map(), dynamicDefault);

  test('overridesAreTopicConfigAndListTheBrokerDefaultsAfterThem', () => {
    const overrides = new Map([['segment.bytes', '2048']]);
    const entries = describeTopicConfigs(
      LogConfig.fromProps(LogConfig.DEFAULT, Object.fromEntries(overrides)),
      overrides,
      layers(),
      true,
    );
    const seg = entries.find((e) => e.name === 'segment.bytes')!;
    expect(seg).toEqual({
      name: 'segment.bytes',
      value: '2048',
      readOnly: false,
      isDefault: false,
      configSource: ConfigSource.TOPIC_CONFIG,
      isSensitive: false,
      synonyms: [
        { name: 'segment.bytes', value: '2048', source: ConfigSource.TOPIC_CONFIG },
        { name: 'log.segment.bytes', value: '1073741824', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    expect(entries.map((e) => e.name)).toEqual(LOG_CONFIG_NAMES);
  });

  test('withoutOverrideTheSourceIsWhereTheBrokerValueComesFrom', () => {
    const dyn = new Map([['log.retention.bytes', '999']]);
    const l = layers({ 'log.segment.bytes': 4096 }, dyn);
    const base = dynamicLogDefaults({ 'log.segment.bytes': '4096' }, dyn, new Map());
    const entries = describeTopicConfigs(base, new Map(), l, false);
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(byName.get('segment.bytes')).toMatchObject({
      value: '4096',
      configSource: ConfigSource.STATIC_BROKER_CONFIG,
      isDefault: true,
      synonyms: [],
    });
    expect(byName.get('retention.bytes')).toMatchObject({
      value: '999',
      configSource: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
    });
    expect(byName.get('cleanup.policy')).toMatchObject({
      value: 'delete',
      configSource: ConfigSource.DEFAULT_CONFIG,
    });
    // no broker default at all
    expect(byName.get('leader.replication.throttled.replicas')).toMatchObject({
      value: '',
      configSource: ConfigSource.DEFAULT_CONFIG,
    });
  });

  test('retentionMsDropsSynonymsListedBeforeItsOwnNameAsKafkaDoes', () => {
    // Kafka's quirk: log.retention.ms and .minutes have null defaults, which are no synonyms
    // (ConfigDef.convertToStringMapWithPasswordValues drops them); log.retention.hours (static 5,
    // default 168) comes before any log.retention.ms and is dropped, so nothing is left and the
    // source says DEFAULT_CONFIG
    const entries = describeTopicConfigs(
      LogConfig.DEFAULT,
      new Map(),
      layers({ 'log.retention.hours': 5 }),
      true,
    );
    const r = entries.find((e) => e.name === 'retention.ms')!;
    expect(r.synonyms).toEqual([]);
    expect(r.configSource).toBe(ConfigSource.DEFAULT_CONFIG);
    // set statically, log.retention.ms is listed first and the hours follow it
    const set = describeTopicConfigs(
      LogConfig.DEFAULT,
      new Map(),
      layers({ 'log.retention.ms': 60000, 'log.retention.hours': 5 }),
      true,
    ).find((e) => e.name === 'retention.ms')!;
    expect(set.synonyms).toEqual([
      { name: 'log.retention.ms', value: '60000', source: ConfigSource.STATIC_BROKER_CONFIG },
      { name: 'log.retention.hours', value: '5', source: ConfigSource.STATIC_BROKER_CONFIG },
      { name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG },
    ]);
    expect(set.configSource).toBe(ConfigSource.STATIC_BROKER_CONFIG);
  });

  test('noSynonymCarriesANullValue', () => {
    const c = config();
    const l = brokerConfigLayers(c, new Map(), new Map());
    const all = [
      ...describeTopicConfigs(LogConfig.DEFAULT, new Map(), l, true),
      ...describeBrokerConfigs(c, l, true, true),
    ];
    // (a sensitive config's synonyms are hidden as null, as Kafka hides them)
    expect(
      all.filter((e) => !e.isSensitive).flatMap((e) => e.synonyms.filter((s) => s.value === null)),
    ).toEqual([]);
    expect(all.filter((e) => !e.isSensitive).flatMap((e) => e.synonyms).length).toBeGreaterThan(20);
    // and without include_synonyms none at all
    expect(describeTopicConfigs(LogConfig.DEFAULT, new Map(), l, false).flatMap((e) => e.synonyms)).toEqual(
      [],
    );
    expect(describeBrokerConfigs(c, l, true, false).flatMap((e) => e.synonyms)).toEqual([]);
  });
});

describe('describeBrokerConfigs', () => {
  test('perBrokerShowsEffectiveValuesSourcesAndWhatIsDynamic', () => {
    const c = config({ 'num.partitions': 4 });
    const l = brokerConfigLayers(
      c,
      new Map([
        ['log.retention.bytes', '77'],
        ['listeners', 'ignored'],
      ]),
      new Map([['log.retention.bytes', '55']]),
    );
    const byName = new Map(describeBrokerConfigs(c, l, true, true).map((e) => [e.name, e]));
    expect(byName.get('num.partitions')).toMatchObject({
      value: '4',
      configSource: ConfigSource.STATIC_BROKER_CONFIG,
      readOnly: true,
      isDefault: false,
    });
    expect(byName.get('default.replication.factor')).toMatchObject({
      value: '1',
      configSource: ConfigSource.DEFAULT_CONFIG,
      isDefault: true,
    });
    expect(byName.get('log.retention.bytes')).toMatchObject({
      value: '77',
      configSource: ConfigSource.DYNAMIC_BROKER_CONFIG,
      readOnly: false,
      synonyms: [
        { name: 'log.retention.bytes', value: '77', source: ConfigSource.DYNAMIC_BROKER_CONFIG },
        { name: 'log.retention.bytes', value: '55', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
        { name: 'log.retention.bytes', value: '-1', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    // a dynamic override this broker does not apply is not reported as effective
    expect(byName.get('listeners')!.value).toBe('PLAINTEXT://:9092');
    expect(byName.get('broker.id')).toMatchObject({
      value: '3',
      configSource: ConfigSource.STATIC_BROKER_CONFIG,
    });
  });

  test('clusterDefaultShowsOnlyTheDynamicDefaults', () => {
    const c = config();
    const l = brokerConfigLayers(
      c,
      new Map([['log.retention.bytes', '77']]),
      new Map([['log.segment.bytes', '2048']]),
    );
    expect(describeBrokerConfigs(c, l, false, true)).toEqual([
      {
        name: 'log.segment.bytes',
        value: '2048',
        readOnly: false,
        isDefault: false,
        configSource: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
        isSensitive: false,
        synonyms: [
          { name: 'log.segment.bytes', value: '2048', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
        ],
      },
    ]);
  });

  test('selectConfigsKeepsTheAskedNamesOrAll', () => {
    const entries = [{ name: 'a' }, { name: 'b' }];
    expect(selectConfigs(entries, null)).toEqual(entries);
    expect(selectConfigs(entries, [])).toEqual(entries);
    expect(selectConfigs(entries, ['b', 'zz'])).toEqual([{ name: 'b' }]);
  });

  test('brokerResourceNamesAreEmptyOrThisId', () => {
    expect(brokerResourceId('', 3, true)).toBeNull();
    expect(brokerResourceId('3', 3, true)).toBe(3);
    expect(codeOf(() => brokerResourceId('4', 3, true))).toBe(ErrorCode.INVALID_REQUEST);
    expect(codeOf(() => brokerResourceId('three', 3, false))).toBe(ErrorCode.INVALID_REQUEST);
  });
});

describe('validation', () => {
  test('topicOverridesUnknownNameIsInvalidConfigBadValueIsInvalidRequest', () => {
    expect(codeOf(() => validateTopicOverrides('t', new Map([['retention.ms', '5']])))).toBeUndefined();
    expect(codeOf(() => validateTopicOverrides('t', new Map([['retention.msx', '5']])))).toBe(
      ErrorCode.INVALID_CONFIG,
    );
    expect(codeOf(() => validateTopicOverrides('t', new Map([['retention.ms', 'five']])))).toBe(
      ErrorCode.INVALID_REQUEST,
    );
    expect(codeOf(() => validateTopicOverrides('t', new Map([['min.insync.replicas', '0']])))).toBe(
      ErrorCode.INVALID_REQUEST,
    );
  });

  test('dynamicBrokerConfigsOnlyTheTopicDefaultsWithValidValues', () => {
    expect(
      codeOf(() => validateDynamicBrokerConfigs('', new Map([['log.retention.bytes', '10']]))),
    ).toBeUndefined();
    expect(codeOf(() => validateDynamicBrokerConfigs('', new Map([['num.partitions', '10']])))).toBe(
      ErrorCode.INVALID_REQUEST,
    );
    expect(
      codeOf(() => validateDynamicBrokerConfigs('', new Map([['log.message.format.version', '2.1']]))),
    ).toBe(ErrorCode.INVALID_REQUEST);
    expect(codeOf(() => validateDynamicBrokerConfigs('1', new Map([['log.segment.bytes', '1']])))).toBe(
      ErrorCode.INVALID_REQUEST,
    );
  });

  test('dynamicBrokerConfigsLetCustomNamesThroughUnchecked', () => {
    expect(
      codeOf(() =>
        validateDynamicBrokerConfigs(
          '0',
          new Map([
            ['plugin.custom.setting', 'anything'],
            ['log.retention.bytes', '10'],
          ]),
        ),
      ),
    ).toBeUndefined();
    expect(
      codeOf(() =>
        validateDynamicBrokerConfigs(
          '0',
          new Map([
            ['plugin.custom.setting', 'anything'],
            ['log.retention.bytes', 'ten'],
          ]),
        ),
      ),
    ).toBe(ErrorCode.INVALID_REQUEST);
    expect(isCustomBrokerConfig('plugin.custom.setting')).toBe(true);
    expect(isCustomBrokerConfig('num.io.threads')).toBe(false);
    expect(isCustomBrokerConfig('constructor')).toBe(true);
  });

  test('dynamicLogDefaultsPerBrokerBeatsClusterDefaultBeatsStatic', () => {
    const staticProps = { 'log.retention.bytes': '1', 'log.segment.bytes': '1000', 'num.partitions': '3' };
    const c = dynamicLogDefaults(
      staticProps,
      new Map([
        ['log.retention.bytes', '2'],
        ['log.segment.bytes', '2000'],
      ]),
      new Map([
        ['log.retention.bytes', '3'],
        ['num.partitions', 'x'],
      ]),
    );
    expect([c.retentionBytes, c.segmentBytes]).toEqual([3, 2000]);
  });
});

describe('applyIncrementalOps', () => {
  const apply = (current: Record<string, string>, ops: [string, number, string | null][]) =>
    Object.fromEntries(
      applyIncrementalOps(
        new Map(Object.entries(current)),
        ops.map(([name, configOperation, value]) => ({ name, configOperation, value })),
        topicConfigKind,
        'topic',
      ),
    );

  test('setDeleteAppendSubtract', () => {
    expect(
      apply({ 'retention.ms': '1' }, [
        ['retention.ms', AlterConfigOp.DELETE, null],
        ['segment.ms', AlterConfigOp.SET, '9'],
      ]),
    ).toEqual({
      'segment.ms': '9',
    });
    expect(apply({}, [['cleanup.policy', AlterConfigOp.APPEND, 'compact']])).toEqual({
      'cleanup.policy': 'delete,compact',
    });
    expect(
      apply({ 'cleanup.policy': 'compact,delete' }, [['cleanup.policy', AlterConfigOp.SUBTRACT, 'delete']]),
    ).toEqual({
      'cleanup.policy': 'compact',
    });
  });

  test('refusalsAsKafkaAnswersThem', () => {
    const code = (current: Record<string, string>, ops: [string, number, string | null][]) =>
      codeOf(() => apply(current, ops));
    expect(code({}, [['retention.ms', AlterConfigOp.APPEND, '1']])).toBe(ErrorCode.INVALID_REQUEST);
    expect(code({}, [['nope', AlterConfigOp.APPEND, '1']])).toBe(ErrorCode.INVALID_CONFIG);
    expect(
      code({}, [
        ['retention.ms', AlterConfigOp.SET, '1'],
        ['retention.ms', AlterConfigOp.DELETE, null],
      ]),
    ).toBe(ErrorCode.INVALID_REQUEST);
    expect(code({}, [['retention.ms', AlterConfigOp.SET, null]])).toBe(ErrorCode.INVALID_REQUEST);
    expect(code({}, [['retention.ms', 9, '1']])).toBe(ErrorCode.INVALID_REQUEST);
  });

  test('brokerListConfigsStartFromTheirDefault', () => {
    expect(brokerConfigKind('log.cleanup.policy')).toEqual({ list: true, defaultValue: 'delete' });
    expect(brokerConfigKind('log.retention.bytes')).toEqual({ list: false, defaultValue: '-1' });
    expect(brokerConfigKind('no.such')).toBeUndefined();
  });
});
