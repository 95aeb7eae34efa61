import { ErrorCode, KafkaError, compressionTypeForConfig } from '@samsa/protocol';

/**
 * A topic's log configuration: Kafka's topic-level names, defaults and validation (LogConfig.scala),
 * the broker-level `log.*` synonyms that set the defaults, and a typed, immutable object that a live
 * log swaps for a new one when `/config/topics/<t>` changes.
 */
export type CleanupPolicy = 'compact' | 'delete';
export type TimestampTypeName = 'CreateTime' | 'LogAppendTime';

/** Java's Long.MaxValue as a double: "never" for flush.messages, flush.ms, max.compaction.lag.ms. */
export const LONG_MAX_VALUE = 2 ** 63; // 9223372036854775807 rounds to this double
const INT_MAX_VALUE = 2147483647;

export interface LogConfigValues {
  readonly segmentBytes: number;
  readonly segmentMs: number;
  readonly segmentJitterMs: number;
  readonly segmentIndexBytes: number;
  readonly flushMessages: number;
  readonly flushMs: number;
  readonly retentionBytes: number;
  readonly retentionMs: number;
  readonly maxMessageBytes: number;
  readonly indexIntervalBytes: number;
  readonly fileDeleteDelayMs: number;
  readonly deleteRetentionMs: number;
  readonly minCompactionLagMs: number;
  readonly maxCompactionLagMs: number;
  readonly minCleanableDirtyRatio: number;
  readonly cleanupPolicy: readonly CleanupPolicy[];
  readonly uncleanLeaderElectionEnable: boolean;
  readonly minInsyncReplicas: number;
  readonly compressionType: string;
  readonly preallocate: boolean;
  readonly messageFormatVersion: string;
  readonly messageTimestampType: TimestampTypeName;
  readonly messageTimestampDifferenceMaxMs: number;
  readonly leaderReplicationThrottledReplicas: string;
  readonly followerReplicationThrottledReplicas: string;
  readonly messageDownConversionEnable: boolean;
}

type Kind = 'int' | 'long' | 'double' | 'boolean' | 'string' | 'list';
type Value = number | boolean | string | readonly string[];

interface Def {
  readonly name: string;
  readonly field: keyof LogConfigValues;
  readonly kind: Kind;
  readonly dflt: Value;
  /** Broker-level names, highest priority first, with a multiplier to milliseconds where needed. */
  readonly synonyms: readonly (readonly [string, number])[];
  readonly check?: (v: Value) => string | null;
}

const atLeast = (min: number) => (v: Value) => ((v as number) >= min ? null : `must be at least ${min}`);
const oneOf =
  (...xs: string[]) =>
  (v: Value) =>
    xs.includes(v as string) ? null : `must be one of ${xs.join(', ')}`;
const HOUR = 3_600_000;

const DEFS: readonly Def[] = [
  {
    name: 'segment.bytes',
    field: 'segmentBytes',
    kind: 'int',
    dflt: 1073741824,
    synonyms: [['log.segment.bytes', 1]],
    check: atLeast(14),
  },
  {
    name: 'segment.ms',
    field: 'segmentMs',
    kind: 'long',
    dflt: 168 * HOUR,
    synonyms: [
      ['log.roll.ms', 1],
      ['log.roll.hours', HOUR],
    ],
    check: atLeast(1),
  },
  {
    name: 'segment.jitter.ms',
    field: 'segmentJitterMs',
    kind: 'long',
    dflt: 0,
    synonyms: [
      ['log.roll.jitter.ms', 1],
      ['log.roll.jitter.hours', HOUR],
    ],
    check: atLeast(0),
  },
  {
    name: 'segment.index.bytes',
    field: 'segmentIndexBytes',
    kind: 'int',
    dflt: 10485760,
    synonyms: [['log.index.size.max.bytes', 1]],
    check: atLeast(12),
  },
  {
    name: 'flush.messages',
    field: 'flushMessages',
    kind: 'long',
    dflt: LONG_MAX_VALUE,
    synonyms: [['log.flush.interval.messages', 1]],
    check: atLeast(0),
  },
  {
    name: 'flush.ms',
    field: 'flushMs',
    kind: 'long',
    dflt: LONG_MAX_VALUE,
    synonyms: [
      ['log.flush.interval.ms', 1],
      ['log.flush.scheduler.interval.ms', 1],
    ],
    check: atLeast(0),
  },
  {
    name: 'retention.bytes',
    field: 'retentionBytes',
    kind: 'long',
    dflt: -1,
    synonyms: [['log.retention.bytes', 1]],
  },
  {
    name: 'retention.ms',
    field: 'retentionMs',
    kind: 'long',
    dflt: 168 * HOUR,
    synonyms: [
      ['log.retention.ms', 1],
      ['log.retention.minutes', 60_000],
      ['log.retention.hours', HOUR],
    ],
    check: atLeast(-1),
  },
  {
    name: 'max.message.bytes',
    field: 'maxMessageBytes',
    kind: 'int',
    dflt: 1048588,
    synonyms: [['message.max.bytes', 1]],
    check: atLeast(0),
  },
  {
    name: 'index.interval.bytes',
    field: 'indexIntervalBytes',
    kind: 'int',
    dflt: 4096,
    synonyms: [['log.index.interval.bytes', 1]],
    check: atLeast(0),
  },
  {
    name: 'file.delete.delay.ms',
    field: 'fileDeleteDelayMs',
    kind: 'long',
    dflt: 60000,
    synonyms: [['log.segment.delete.delay.ms', 1]],
    check: atLeast(0),
  },
  {
    name: 'delete.retention.ms',
    field: 'deleteRetentionMs',
    kind: 'long',
    dflt: 24 * HOUR,
    synonyms: [['log.cleaner.delete.retention.ms', 1]],
    check: atLeast(0),
  },
  {
    name: 'min.compaction.lag.ms',
    field: 'minCompactionLagMs',
    kind: 'long',
    dflt: 0,
    synonyms: [['log.cleaner.min.compaction.lag.ms', 1]],
    check: atLeast(0),
  },
  {
    name: 'max.compaction.lag.ms',
    field: 'maxCompactionLagMs',
    kind: 'long',
    dflt: LONG_MAX_VALUE,
    synonyms: [['log.cleaner.max.compaction.lag.ms', 1]],
    check: atLeast(1),
  },
  {
    name: 'min.cleanable.dirty.ratio',
    field: 'minCleanableDirtyRatio',
    kind: 'double',
    dflt: 0.5,
    synonyms: [['log.cleaner.min.cleanable.ratio', 1]],
    check: (v) => ((v as number) >= 0 && (v as number) <= 1 ? null : 'must be between 0 and 1'),
  },
  {
    name: 'cleanup.policy',
    field: 'cleanupPolicy',
    kind: 'list',
    dflt: ['delete'],
    synonyms: [['log.cleanup.policy', 1]],
    check: (v) =>
      (v as string[]).every((p) => p === 'compact' || p === 'delete')
        ? null
        : 'must be a list of compact, delete',
  },
  {
    name: 'unclean.leader.election.enable',
    field: 'uncleanLeaderElectionEnable',
    kind: 'boolean',
    dflt: false,
    synonyms: [['unclean.leader.election.enable', 1]],
  },
  {
    name: 'min.insync.replicas',
    field: 'minInsyncReplicas',
    kind: 'int',
    dflt: 1,
    synonyms: [['min.insync.replicas', 1]],
    check: atLeast(1),
  },
  {
    name: 'compression.type',
    field: 'compressionType',
    kind: 'string',
    dflt: 'producer',
    synonyms: [['compression.type', 1]],
    check: oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'),
  },
  {
    name: 'preallocate',
    field: 'preallocate',
    kind: 'boolean',
    dflt: false,
    synonyms: [['log.preallocate', 1]],
  },
  {
    name: 'message.format.version',
    field: 'messageFormatVersion',
    kind: 'string',
    dflt: '2.8-IV1',
    synonyms: [['log.message.format.version', 1]],
  },
  {
    name: 'message.timestamp.type',
    field: 'messageTimestampType',
    kind: 'string',
    dflt: 'CreateTime',
    synonyms: [['log.message.timestamp.type', 1]],
    check: oneOf('CreateTime', 'LogAppendTime'),
  },
  {
    name: 'message.timestamp.difference.max.ms',
    field: 'messageTimestampDifferenceMaxMs',
    kind: 'long',
    dflt: LONG_MAX_VALUE,
    synonyms: [['log.message.timestamp.difference.max.ms', 1]],
    check: atLeast(0),
  },
  {
    name: 'leader.replication.throttled.replicas',
    field: 'leaderReplicationThrottledReplicas',
    kind: 'string',
    dflt: '',
    synonyms: [],
  },
  {
    name: 'follower.replication.throttled.replicas',
    field: 'followerReplicationThrottledReplicas',
    kind: 'string',
    dflt: '',
    synonyms: [],
  },
  {
    name: 'message.downconversion.enable',
    field: 'messageDownConversionEnable',
    kind: 'boolean',
    dflt: true,
    synonyms: [['log.message.downconversion.enable', 1]],
  },
];

const BY_NAME = new Map(DEFS.map((d) => [d.name, d]));

/** Every topic-level config name Kafka 2.8 knows. */
export const LOG_CONFIG_NAMES: readonly string[] = DEFS.map((d) => d.name);

export type ConfigProps = Readonly<Record<string, string | number | boolean | undefined>>;

function invalid(name: string, raw: unknown, why: string): KafkaError {
  return new KafkaError(
    ErrorCode.INVALID_CONFIG,
    `Invalid value ${String(raw)} for configuration ${name}: ${why}`,
  );
}

function parse(def: Def, raw: string | number | boolean, scale = 1): Value {
  const text = String(raw).trim();
  switch (def.kind) {
    case 'int':
    case 'long': {
      if (!/^[-+]?\d+$/.test(text)) throw invalid(def.name, raw, 'not a whole number');
      const n = Number(text) * scale;
      if (def.kind === 'int' && (n > INT_MAX_VALUE || n < -INT_MAX_VALUE - 1))
        throw invalid(def.name, raw, 'out of int range');
      return n;
    }
    case 'double': {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n)) throw invalid(def.name, raw, 'not a number');
      return n;
    }
    case 'boolean': {
      const t = text.toLowerCase();
      if (t !== 'true' && t !== 'false') throw invalid(def.name, raw, 'not a boolean');
      return t === 'true';
    }
    case 'list':
      return text === '' ? [] : text.split(',').map((s) => s.trim().toLowerCase());
    case 'string':
      return def.name === 'compression.type' ? text.toLowerCase() : text;
  }
}

function format(v: Value): string {
  return Array.isArray(v) ? v.join(',') : v === LONG_MAX_VALUE ? '9223372036854775807' : String(v);
}

export class LogConfig implements LogConfigValues {
  readonly segmentBytes!: number;
  readonly segmentMs!: number;
  readonly segmentJitterMs!: number;
  readonly segmentIndexBytes!: number;
  readonly flushMessages!: number;
  readonly flushMs!: number;
  readonly retentionBytes!: number;
  readonly retentionMs!: number;
  readonly maxMessageBytes!: number;
  readonly indexIntervalBytes!: number;
  readonly fileDeleteDelayMs!: number;
  readonly deleteRetentionMs!: number;
  readonly minCompactionLagMs!: number;
  readonly maxCompactionLagMs!: number;
  readonly minCleanableDirtyRatio!: number;
  readonly cleanupPolicy!: readonly CleanupPolicy[];
  readonly uncleanLeaderElectionEnable!: boolean;
  readonly minInsyncReplicas!: number;
  readonly compressionType!: string;
  readonly preallocate!: boolean;
  readonly messageFormatVersion!: string;
  readonly messageTimestampType!: TimestampTypeName;
  readonly messageTimestampDifferenceMaxMs!: number;
  readonly leaderReplicationThrottledReplicas!: string;
  readonly followerReplicationThrottledReplicas!: string;
  readonly messageDownConversionEnable!: boolean;
  /** Topic-level names set explicitly (the rest come from the broker defaults). */
  readonly overridden: ReadonlySet<string>;

  private constructor(values: LogConfigValues, overridden: ReadonlySet<string>) {
    Object.assign(this, values);
    this.overridden = overridden;
    if (this.minCompactionLagMs > this.maxCompactionLagMs) {
      throw new KafkaError(
        ErrorCode.INVALID_CONFIG,
        `conflict topic config setting min.compaction.lag.ms (${this.minCompactionLagMs}) > max.compaction.lag.ms (${this.maxCompactionLagMs})`,
      );
    }
    Object.freeze(this);
  }

  /** Kafka's defaults. */
  static readonly DEFAULT: LogConfig = new LogConfig(
    Object.fromEntries(DEFS.map((d) => [d.field, d.dflt])) as unknown as LogConfigValues,
    new Set(),
  );

  /** Builds a config from typed values over the defaults (for code and tests). */
  static of(values: Partial<LogConfigValues>, base: LogConfig = LogConfig.DEFAULT): LogConfig {
    const names = new Set(base.overridden);
    for (const d of DEFS) if (values[d.field] !== undefined) names.add(d.name);
    const merged = { ...base.values(), ...values };
    for (const d of DEFS) {
      const why = d.check?.(merged[d.field] as Value);
      if (why) throw invalid(d.name, merged[d.field], why);
    }
    return new LogConfig(merged, names);
  }

  /**
   * Topic overrides (`/config/topics/<t>`, values are strings) over `base`, usually the broker's
   * defaults. Unknown names are refused with INVALID_CONFIG, as Kafka's LogConfig.validateNames does.
   */
  static fromProps(base: LogConfig, overrides: ConfigProps): LogConfig {
    const values: Record<string, Value> = { ...base.values() };
    const names = new Set<string>();
    for (const [name, raw] of Object.entries(overrides)) {
      if (raw === undefined) continue;
      const def = BY_NAME.get(name);
      if (!def) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${name}`);
      const v = parse(def, raw);
      const why = def.check?.(v);
      if (why) throw invalid(name, raw, why);
      values[def.field] = v;
      names.add(name);
    }
    return new LogConfig(values as unknown as LogConfigValues, names);
  }

  /** The broker's defaults from its `log.*` properties (server.properties names). */
  static fromBrokerProps(props: ConfigProps): LogConfig {
    const values: Record<string, Value> = { ...LogConfig.DEFAULT.values() };
    for (const def of DEFS) {
      for (const [syn, scale] of def.synonyms) {
        const raw = props[syn];
        if (raw === undefined) continue;
        const v = parse(def, raw, scale);
        const why = def.check?.(v);
        if (why) throw invalid(syn, raw, why);
        values[def.field] = v;
        break;
      }
    }
    return new LogConfig(values as unknown as LogConfigValues, new Set());
  }

  /** Checks names and values of topic overrides without building anything. */
  static validate(overrides: ConfigProps): void {
    LogConfig.fromProps(LogConfig.DEFAULT, overrides);
  }

  get compact(): boolean {
    return this.cleanupPolicy.includes('compact');
  }

  get delete(): boolean {
    return this.cleanupPolicy.includes('delete');
  }

  /** The roll jitter of a new segment: random in [0, min(segment.jitter.ms, segment.ms)). */
  randomSegmentJitter(random: () => number = Math.random): number {
    if (this.segmentJitterMs === 0) return 0;
    return Math.floor(random() * Math.min(this.segmentJitterMs, this.segmentMs));
  }

  /** segment.ms, shortened by max.compaction.lag.ms on compacted topics. */
  get maxSegmentMs(): number {
    return this.compact && this.maxCompactionLagMs > 0
      ? Math.min(this.maxCompactionLagMs, this.segmentMs)
      : this.segmentMs;
  }

  values(): LogConfigValues {
    const out: Record<string, unknown> = {};
    for (const d of DEFS) out[d.field] = this[d.field];
    return out as unknown as LogConfigValues;
  }

  /** Every topic config as Kafka prints it (DescribeConfigs, kafka-configs --describe). */
  toProps(): Record<string, string> {
    return Object.fromEntries(DEFS.map((d) => [d.name, format(this[d.field] as Value)]));
  }

  /** Only the overridden names, for logging ("Created log … with properties {…}"). */
  overriddenProps(): Record<string, string> {
    return Object.fromEntries(
      DEFS.filter((d) => this.overridden.has(d.name)).map((d) => [d.name, format(this[d.field] as Value)]),
    );
  }

  /** The codec id to store batches with, or null to keep the producer's. */
  get targetCompression(): number | null {
    return compressionTypeForConfig(this.compressionType);
  }
}
