/**
 * The broker's configuration keys: Kafka's names, types and defaults (KafkaConfig.scala, 2.8).
 * Keys that Samsa accepts but that have no effect here (JVM thread pools, deprecated listener keys)
 * are marked `inert`, so an operator's existing server.properties loads instead of failing. Keys that
 * would promise security Samsa does not provide are accepted only at their defaults
 * (securityRefusals.ts refuses the rest at load).
 */
import { WRITE_MODES } from '@samsa/storage';
import { SSL_CONFIGS } from './sslConfigs';
import { SASL_CONFIGS } from './saslConfigs';
import { AUTHORIZER_CONFIGS } from './authorizerConfigs';
import { DYNAMIC_ONLY_CONFIG_DEFS } from './dynamicBrokerConfigs';
import { PASSWORD_ENCODER_CONFIG_DEFS } from './PasswordEncoder';

export type ConfigType = 'int' | 'long' | 'double' | 'boolean' | 'string' | 'list' | 'password';

export interface ConfigDef {
  readonly type: ConfigType;
  /** `null` means required or "no value" (nullable strings such as broker.rack). */
  readonly default: number | boolean | string | readonly string[] | null;
  readonly doc: string;
  /** Inclusive bounds for numbers. */
  readonly min?: number;
  readonly max?: number;
  /** Allowed values for strings. */
  readonly oneOf?: readonly string[];
  /** Accepted for compatibility; Samsa does not act on it. */
  readonly inert?: boolean;
}

const LONG_MAX = Number.MAX_SAFE_INTEGER; // Java's Long.MaxValue, as large as a JS number can say exactly
const INT_MAX = 2147483647;

const d = (
  type: ConfigType,
  def: ConfigDef['default'],
  doc: string,
  extra: Partial<Pick<ConfigDef, 'min' | 'max' | 'oneOf' | 'inert'>> = {},
): ConfigDef => ({ type, default: def, doc, ...extra });

export const BROKER_CONFIGS: Readonly<Record<string, ConfigDef>> = {
  // --- identity and ZooKeeper
  'broker.id': d('int', -1, 'Broker id; -1 generates one from ZooKeeper (above reserved.broker.max.id)', { min: -1 }),
  'broker.id.generation.enable': d('boolean', true, 'Generate a broker id when broker.id is -1'),
  'reserved.broker.max.id': d('int', 1000, 'Highest id an operator may assign', { min: 0 }),
  'broker.rack': d('string', null, 'Rack of the broker, for rack-aware replica assignment'),
  'zookeeper.connect': d('string', null, 'ZooKeeper connect string host:port[,host:port][/chroot]'),
  'zookeeper.session.timeout.ms': d('int', 18000, 'ZooKeeper session timeout', { min: 1 }),
  'zookeeper.connection.timeout.ms': d('int', null, 'Deadline for the first ZooKeeper connection (default: session timeout)'),
  'zookeeper.max.in.flight.requests': d('int', 10, 'ZooKeeper requests in flight', { min: 1 }),
  'zookeeper.set.acl': d('boolean', false, 'Secure ACLs on znodes; true is refused at start (not provided yet)'),
  // --- network
  listeners: d('list', ['PLAINTEXT://:9092'], 'Listeners: NAME://host:port, comma separated'),
  'advertised.listeners': d('list', null, 'Listeners published in ZooKeeper for clients (default: listeners)'),
  'listener.security.protocol.map': d('list', ['PLAINTEXT:PLAINTEXT', 'SSL:SSL', 'SASL_PLAINTEXT:SASL_PLAINTEXT', 'SASL_SSL:SASL_SSL'], 'Listener name to security protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL)'),
  'inter.broker.listener.name': d('string', null, 'Listener used between brokers (default: first listener that is not control.plane.listener.name)'),
  'control.plane.listener.name': d('string', null, 'Listener the controller connects to on each broker (KIP-291; default: inter.broker.listener.name)'),
  'security.inter.broker.protocol': d('string', 'PLAINTEXT', 'Security protocol between brokers; names the inter-broker listener when inter.broker.listener.name is unset', { oneOf: ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] }),
  'host.name': d('string', '', 'Deprecated single-listener host', { inert: true }),
  port: d('int', 9092, 'Deprecated single-listener port', { inert: true }),
  'socket.request.max.bytes': d('int', 104857600, 'Largest request frame accepted', { min: 1 }),
  'socket.send.buffer.bytes': d('int', 102400, 'SO_SNDBUF', { inert: true }),
  'socket.receive.buffer.bytes': d('int', 102400, 'SO_RCVBUF', { inert: true }),
  'connections.max.idle.ms': d('long', 600000, 'Close connections idle this long'),
  'num.network.threads': d('int', 3, 'Network threads (Node: one event loop; no effect, also when changed dynamically)', { inert: true, min: 1 }),
  'num.io.threads': d('int', 8, 'I/O threads (Node: one event loop; no effect, also when changed dynamically)', { inert: true, min: 1 }),
  'queued.max.requests': d('int', 500, 'Requests queued per connection before reading stops', { min: 1 }),
  'request.timeout.ms': d('int', 30000, 'Timeout of inter-broker requests'),
  'max.connections.per.ip': d('int', INT_MAX, 'Connections allowed from one address', { min: 0 }),
  'max.connections': d('int', INT_MAX, 'Connections the broker accepts in all (the inter-broker listener exempt); more wait for a slot; listener.name.<l>.max.connections per listener', { min: 0 }),
  'max.connections.per.ip.overrides': d('string', '', 'Per address limits overriding max.connections.per.ip: host:count,host:count'),
  'max.connection.creation.rate': d('int', INT_MAX, 'New connections per second the broker accepts (more wait); listener.name.<l>.max.connection.creation.rate per listener', { min: 0 }),
  // --- client quotas (quota/: ClientQuotaManager)
  'quota.window.num': d('int', 11, 'Samples kept of each client quota\'s rate', { min: 1 }),
  'quota.window.size.seconds': d('int', 1, 'Span of one sample of a client quota\'s rate', { min: 1 }),
  'quota.producer.default': d('long', LONG_MAX, 'Deprecated: producer_byte_rate of client ids without a dynamic quota', { min: 1 }),
  'quota.consumer.default': d('long', LONG_MAX, 'Deprecated: consumer_byte_rate of client ids without a dynamic quota', { min: 1 }),
  // --- metrics (our JMX-like endpoint)
  'jmx.port': d('int', -1, 'Port of the metrics/Jolokia HTTP endpoint (-1: none, 0: any free port); the bound port is advertised as jmx_port', { min: -1, max: 65535 }),
  'samsa.metrics.http.host': d('string', '127.0.0.1', 'Address the metrics endpoint binds (Samsa\'s key): loopback unless told otherwise; \'\' or 0.0.0.0 for every interface (what a dashboard or Prometheus on another host needs)'),
  'samsa.metrics.http.tls.certificate.location': d('string', null, 'PEM certificate chain of the metrics endpoint: with the key below it serves HTTPS only'),
  'samsa.metrics.http.tls.key.location': d('string', null, 'PEM private key (unencrypted) of the metrics endpoint\'s certificate'),
  'samsa.metrics.http.username': d('string', 'samsa', 'User name the metrics endpoint asks for when samsa.metrics.http.password is set'),
  'samsa.metrics.http.password': d('password', null, 'When set, every request to the metrics endpoint needs HTTP basic authentication with samsa.metrics.http.username and this password'),
  'samsa.metrics.enabled': d('boolean', true, 'Record metrics (Samsa\'s switch, for measuring their cost): false leaves the produce and fetch paths uninstrumented and the registry empty'),
  'samsa.log.write.mode': d('string', 'adaptive', 'When appended batches are written (Samsa\'s switch): adaptive = write(2) on the event loop while writes are fast, the write-behind queue on libuv\'s pool for 10 s after one took over 5 ms; sync; write-behind', { oneOf: WRITE_MODES }),
  // --- logs
  'log.dirs': d('list', null, 'Log directories (default: log.dir)'),
  'log.dir': d('string', '/tmp/kafka-logs', 'Log directory when log.dirs is not set'),
  'log.segment.bytes': d('int', 1073741824, 'Segment size', { min: 14 }),
  'log.roll.ms': d('long', null, 'Roll a segment after this long (default: log.roll.hours)'),
  'log.roll.hours': d('int', 168, 'Roll a segment after this many hours', { min: 1 }),
  'log.roll.jitter.ms': d('long', null, 'Jitter subtracted from the roll time'),
  'log.roll.jitter.hours': d('int', 0, 'Jitter in hours', { min: 0 }),
  'log.retention.ms': d('long', null, 'Retention time (default: minutes, then hours); -1 keeps forever'),
  'log.retention.minutes': d('int', null, 'Retention in minutes'),
  'log.retention.hours': d('int', 168, 'Retention in hours'),
  'log.retention.bytes': d('long', -1, 'Retention size per partition; -1 unlimited'),
  'log.retention.check.interval.ms': d('long', 300000, 'How often retention runs', { min: 1 }),
  'log.cleanup.policy': d('list', ['delete'], 'delete and/or compact'),
  'log.cleaner.enable': d('boolean', true, 'Run the log cleaner for compacted topics'),
  'log.cleaner.threads': d('int', 1, 'Cleaner threads (no effect: one cleaner on the event loop; a dynamic change is stored only)', { inert: true, min: 0 }),
  'log.cleaner.dedupe.buffer.size': d('long', 134217728, 'Cleaner key map memory (taken at start; a dynamic change is stored only)'),
  'log.cleaner.backoff.ms': d('long', 15000, 'Sleep when nothing to clean (taken at start; a dynamic change is stored only)'),
  'log.cleaner.min.cleanable.ratio': d('double', 0.5, 'Dirty ratio that triggers cleaning', { min: 0, max: 1 }),
  'log.cleaner.delete.retention.ms': d('long', 86400000, 'How long tombstones are kept'),
  'log.cleaner.min.compaction.lag.ms': d('long', 0, 'Minimum age before compaction'),
  'log.cleaner.max.compaction.lag.ms': d('long', LONG_MAX, 'Maximum time a record stays uncompacted'),
  'log.index.size.max.bytes': d('int', 10485760, 'Offset index size limit', { min: 4 }),
  'log.index.interval.bytes': d('int', 4096, 'Bytes between index entries', { min: 0 }),
  'log.flush.interval.messages': d('long', LONG_MAX, 'Flush after this many messages', { min: 1 }),
  'log.flush.interval.ms': d('long', null, 'Flush after this long (default: the scheduler interval)'),
  'log.flush.scheduler.interval.ms': d('long', LONG_MAX, 'How often the flusher checks'),
  'log.flush.offset.checkpoint.interval.ms': d('int', 60000, 'Recovery point checkpoint interval', { min: 0 }),
  'log.flush.start.offset.checkpoint.interval.ms': d('int', 60000, 'Log start offset checkpoint interval', { min: 0 }),
  'log.segment.delete.delay.ms': d('long', 60000, 'Delay before a deleted segment file is removed', { min: 0 }),
  'log.preallocate': d('boolean', false, 'Preallocate segment files'),
  'log.message.format.version': d('string', '2.8-IV1', 'On-disk message format'),
  'log.message.timestamp.type': d('string', 'CreateTime', 'CreateTime or LogAppendTime', { oneOf: ['CreateTime', 'LogAppendTime'] }),
  'log.message.timestamp.difference.max.ms': d('long', LONG_MAX, 'Allowed producer clock skew', { min: 0 }),
  'log.message.downconversion.enable': d('boolean', true, 'Down-convert for old fetch versions'),
  'num.recovery.threads.per.data.dir': d('int', 1, 'Recovery parallelism per log dir (read at start; a dynamic change is stored only)', { min: 1 }),
  'message.max.bytes': d('int', 1048588, 'Largest record batch accepted', { min: 0 }),
  'fetch.max.bytes': d('int', 57671680, 'Most bytes of one fetch response: caps every request\'s max_bytes (KIP-541)', { min: 1024 }),
  'compression.type': d('string', 'producer', 'Final compression of topics', { oneOf: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] }),
  // --- topics
  'num.partitions': d('int', 1, 'Partitions of an auto-created topic', { min: 1 }),
  'default.replication.factor': d('int', 1, 'Replication factor of an auto-created topic', { min: 1 }),
  'auto.create.topics.enable': d('boolean', true, 'Create topics on metadata requests for unknown names'),
  'delete.topic.enable': d('boolean', true, 'Allow topic deletion'),
  'min.insync.replicas': d('int', 1, 'ISR size needed for acks=all', { min: 1 }),
  'unclean.leader.election.enable': d('boolean', false, 'Elect out-of-sync replicas as a last resort'),
  // --- replication
  'num.replica.fetchers': d('int', 1, 'Fetchers per source broker (no effect: one fetcher per source broker on the event loop; a dynamic change is stored only)', { min: 1 }),
  'replica.lag.time.max.ms': d('long', 30000, 'A follower this far behind leaves the ISR'),
  'replica.fetch.max.bytes': d('int', 1048576, 'Bytes per partition per replica fetch', { min: 0 }),
  'replica.fetch.response.max.bytes': d('int', 10485760, 'Bytes per replica fetch response', { min: 0 }),
  'replica.fetch.wait.max.ms': d('int', 500, 'Max wait of a replica fetch'),
  'replica.fetch.min.bytes': d('int', 1, 'Min bytes of a replica fetch'),
  'replica.fetch.backoff.ms': d('int', 1000, 'Backoff after a fetch error', { min: 0 }),
  'replica.socket.timeout.ms': d('int', 30000, 'Replica fetch socket timeout'),
  'replica.high.watermark.checkpoint.interval.ms': d('long', 5000, 'High watermark checkpoint interval'),
  'replica.selector.class': d('string', null, 'KIP-392: org.apache.kafka.common.replica.RackAwareReplicaSelector lets consumers with client.rack fetch from a replica in their rack; unset: always the leader'),
  'replication.quota.window.num': d('int', 11, 'Samples kept of the replication throttles\' rates', { min: 1 }),
  'replication.quota.window.size.seconds': d('int', 1, 'Time span of each replication throttle rate sample', { min: 1 }),
  'max.incremental.fetch.session.cache.slots': d('int', 1000, 'Most fetch sessions (KIP-227) the broker keeps; 0: every fetch is a full fetch', { min: 0 }),
  'controller.socket.timeout.ms': d('int', 30000, 'Controller-to-broker request timeout'),
  'controlled.shutdown.enable': d('boolean', true, 'Move leadership away before stopping'),
  'controlled.shutdown.max.retries': d('int', 3, 'Controlled shutdown attempts'),
  'controlled.shutdown.retry.backoff.ms': d('long', 5000, 'Backoff between attempts'),
  'auto.leader.rebalance.enable': d('boolean', true, 'Move leadership back to preferred replicas'),
  'leader.imbalance.per.broker.percentage': d('int', 10, 'Imbalance that triggers a rebalance'),
  'leader.imbalance.check.interval.seconds': d('long', 300, 'How often imbalance is checked', { min: 1 }),
  'inter.broker.protocol.version': d('string', '2.8-IV1', 'Inter-broker protocol version'),
  // --- groups and offsets
  'offsets.topic.num.partitions': d('int', 50, 'Partitions of __consumer_offsets', { min: 1 }),
  'offsets.topic.replication.factor': d('int', 3, 'Replication factor of __consumer_offsets', { min: 1 }),
  'offsets.topic.segment.bytes': d('int', 104857600, 'Segment size of __consumer_offsets', { min: 1 }),
  'offsets.topic.compression.codec': d('int', 0, 'Codec of the coordinator own batches', { min: 0, max: 4 }),
  'offsets.load.buffer.size': d('int', 5242880, 'Read size when loading offsets', { min: 1 }),
  'offsets.retention.minutes': d('int', 10080, 'How long offsets of empty groups are kept', { min: 1 }),
  'offsets.retention.check.interval.ms': d('long', 600000, 'How often expired offsets are removed', { min: 1 }),
  'offsets.commit.timeout.ms': d('int', 5000, 'Commit wait for replication', { min: 1 }),
  'offsets.commit.required.acks': d('int', -1, 'Acks for offset commits'),
  'offset.metadata.max.bytes': d('int', 4096, 'Largest commit metadata string'),
  'group.initial.rebalance.delay.ms': d('int', 3000, 'Delay of the first rebalance of a new group'),
  'group.min.session.timeout.ms': d('int', 6000, 'Smallest session timeout a member may ask'),
  'group.max.session.timeout.ms': d('int', 1800000, 'Largest session timeout a member may ask'),
  'group.max.size': d('int', INT_MAX, 'Members per group', { min: 1 }),
  // --- transactions (the transaction coordinator's settings: config/coordinatorConfigs.ts transactionConfigOf)
  'transaction.state.log.num.partitions': d('int', 50, 'Partitions of __transaction_state', { min: 1 }),
  'transaction.state.log.replication.factor': d('int', 3, 'Replication of __transaction_state', { min: 1 }),
  'transaction.state.log.min.isr': d('int', 2, 'Min ISR of __transaction_state', { min: 1 }),
  'transaction.state.log.segment.bytes': d('int', 104857600, 'Segment size of __transaction_state', { min: 1 }),
  'transactional.id.expiration.ms': d('int', 604800000, 'Transactional id expiry', { min: 1 }),
  'producer.id.expiration.check.interval.ms': d('int', 600000, 'How often producer ids silent for transactional.id.expiration.ms are removed (Kafka 3.5, KIP-854; 2.8 fixes it at 10 minutes)', { min: 1 }),
  'transaction.max.timeout.ms': d('int', 900000, 'Largest transaction timeout', { min: 1 }),
  'transaction.state.log.load.buffer.size': d('int', 5242880, 'Read size when loading __transaction_state', { min: 1 }),
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': d('int', 10000, 'How often transactions past their timeout are aborted', { min: 1 }),
  'transaction.remove.expired.transaction.cleanup.interval.ms': d('int', 3600000, 'How often transactional ids past transactional.id.expiration.ms are removed', { min: 1 }),
  // --- misc found in Kafka's shipped server.properties
  'group.coordinator.rebalance.protocols': d('list', ['classic'], 'Rebalance protocols', { inert: true }),
  'metric.reporters': d('list', [], 'Metric reporter classes (no effect: JVM plugins; a dynamic change is stored only)', { inert: true }),
  ...SSL_CONFIGS,
  ...SASL_CONFIGS,
  ...AUTHORIZER_CONFIGS,
  ...DYNAMIC_ONLY_CONFIG_DEFS,
  ...PASSWORD_ENCODER_CONFIG_DEFS,
};
