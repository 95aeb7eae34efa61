import { TopicPartitionMap, type TopicPartition } from '@samsa/common';
import type { ClientSecurity } from '@samsa/client';
import { COMMAND_CONFIG_HELP, withSecurityHint } from '../cli/CommandConfig';
import { OptionParser, UsageError } from '../cli/OptionParser';
import { ClientProperties, parseKeyValues } from '../client/ClientProperties';
import { ConsumerCoordinator } from '../client/ConsumerCoordinator';
import { CommitFailedError, GroupOffsets } from '../client/GroupOffsets';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, RecordFetcher, type OffsetResetStrategy } from '../client/RecordFetcher';
import { sleep, ToolClient, UnknownTopicError } from '../client/ToolClient';
import { ErrorCode } from '@samsa/protocol';
import type { ToolIo } from './ConsoleProducer';
import { DEFAULT_FORMATTER, messageFormatter } from './MessageFormatter';

export interface ConsoleConsumerIo extends ToolIo {
  /** The records' bytes, as the formatter writes them. */
  write(chunk: Buffer | string): void;
  /** Aborted on SIGINT/SIGTERM: the consumer stops, reports its count and exits 0. */
  readonly signal?: AbortSignal;
}

function parser(): OptionParser {
  return new OptionParser()
    .acceptsArg('topic', 'The topic id to consume on.', 'topic')
    .acceptsArg('whitelist', 'Regular expression specifying whitelist of topics to include for consumption.', 'whitelist')
    .acceptsArg('partition', 'The partition to consume from. Consumption starts from the end of the partition unless \'--offset\' is specified.', 'partition', 'int')
    .acceptsArg('offset', "The offset id to consume from (a non-negative number), or 'earliest' which means from beginning, or 'latest' which means from end (default: latest)", 'consume offset')
    .acceptsArg('consumer-property', 'A mechanism to pass user-defined properties in the form key=value to the consumer.', 'consumer_prop')
    .acceptsArg('consumer.config', 'Consumer config properties file. Note that [consumer-property] takes precedence over this config.', 'config file')
    .acceptsArg('command-config', COMMAND_CONFIG_HELP, 'config file')
    .acceptsArg('formatter', 'The name of a class to use for formatting kafka messages for display. (default: kafka.tools.DefaultMessageFormatter)', 'class')
    .acceptsArg('property', 'The properties to initialize the message formatter. Default properties include:\n print.timestamp=true|false\n print.key=true|false\n print.offset=true|false\n print.partition=true|false\n print.headers=true|false\n print.value=true|false\n key.separator=<key.separator>\n line.separator=<line.separator>\n headers.separator=<line.separator>\n null.literal=<null.literal>\n key.deserializer=<key.deserializer>\n value.deserializer=<value.deserializer>\n headers.deserializer=<headers.deserializer>', 'prop')
    .accepts('from-beginning', 'If the consumer does not already have an established offset to consume from, start with the earliest message present in the log rather than the latest message.')
    .acceptsArg('max-messages', 'The maximum number of messages to consume before exiting. If not set, consumption is continual.', 'num_messages', 'int')
    .acceptsArg('timeout-ms', 'If specified, exit if no message is available for consumption for the specified interval.', 'timeout_ms', 'int')
    .accepts('skip-message-on-error', 'If there is an error when processing a message, skip it instead of halt.')
    .acceptsArg('bootstrap-server', 'REQUIRED: The server(s) to connect to.', 'server to connect to')
    .acceptsArg('key-deserializer', '', 'deserializer for key')
    .acceptsArg('value-deserializer', '', 'deserializer for values')
    .accepts('enable-systest-events', 'Log lifecycle events of the consumer in addition to logging consumed messages. (This is specific for system tests.)')
    .acceptsArg('isolation-level', 'Set to read_committed in order to filter out transactional messages which are not committed. Set to read_uncommitted to read all messages. (default: read_uncommitted)', 'isolation level')
    .acceptsArg('group', 'The consumer group id of the consumer.', 'consumer group id')
    .accepts('help', 'Print usage information.')
    .accepts('version', 'Display Kafka version.');
}

interface Plan {
  readonly bootstrap: string;
  readonly topic?: string;
  readonly whitelist?: RegExp;
  readonly partition?: number;
  /** -2 earliest, -1 latest, or an offset. */
  readonly offset: number;
  readonly fromBeginning: boolean;
  readonly maxMessages?: number;
  readonly timeoutMs?: number;
  readonly groupId?: string;
  readonly isolationLevel: number;
  readonly props: ClientProperties;
  readonly formatterClass: string;
  readonly formatterProps: Map<string, string>;
  readonly skipOnError: boolean;
}

/** Kafka 2.8 ConsoleConsumer.ConsumerConfig's checks, with its messages. */
function plan(args: readonly string[]): Plan | 'help' {
  const options = parser().parse(args);
  if (options.has('help')) return 'help';
  const bootstrap = options.valueOf('bootstrap-server');
  if (bootstrap === undefined) throw new UsageError('Missing required argument "[bootstrap-server]"');
  if (['topic', 'whitelist'].filter((o) => options.has(o)).length !== 1) throw new UsageError('Exactly one of whitelist/topic is required.');
  const partition = options.intValueOf('partition');
  if (partition !== undefined) {
    if (!options.has('topic')) throw new UsageError('The topic is required when partition is specified.');
    if (options.has('from-beginning') && options.has('offset'))
      throw new UsageError('Options from-beginning and offset cannot be specified together.');
  } else if (options.has('offset')) {
    throw new UsageError('The partition is required when offset is specified.');
  }
  const offsetText = options.valueOf('offset') ?? 'latest';
  let offset: number;
  if (offsetText.toLowerCase() === 'earliest') offset = EARLIEST_TIMESTAMP;
  else if (offsetText.toLowerCase() === 'latest') offset = LATEST_TIMESTAMP;
  else if (/^\d+$/.test(offsetText.trim()) && Number(offsetText) <= Number.MAX_SAFE_INTEGER) offset = Number(offsetText);
  else throw new UsageError("The provided offset value is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.");
  const props = ClientProperties.from([options.valueOf('command-config'), options.valueOf('consumer.config')], options.valuesOf('consumer-property'));
  const groupIds = [options.valueOf('group'), props.get('group.id')].filter((g): g is string => g !== undefined);
  if (new Set(groupIds).size > 1)
    throw new UsageError(
      `The group ids provided in different places (directly using '--group', using '--consumer-property', or using '--consumer.config') do not match. Detected group ids: ${[...new Set(groupIds)].map((g) => `'${g}'`).join(', ')}`,
    );
  if (groupIds.length > 0 && partition !== undefined) throw new UsageError('Options group and partition cannot be specified together.');
  const isolation = options.valueOf('isolation-level') ?? props.get('isolation.level') ?? 'read_uncommitted';
  if (isolation !== 'read_uncommitted' && isolation !== 'read_committed')
    throw new UsageError(`Invalid value ${isolation} for configuration isolation.level: String must be one of: read_committed, read_uncommitted`);
  const formatterProps = parseKeyValues(options.valuesOf('property'));
  const keyDeserializer = options.valueOf('key-deserializer');
  const valueDeserializer = options.valueOf('value-deserializer');
  if (keyDeserializer !== undefined) formatterProps.set('key.deserializer', keyDeserializer);
  if (valueDeserializer !== undefined) formatterProps.set('value.deserializer', valueDeserializer);
  const whitelist = options.valueOf('whitelist');
  let whitelistRegex: RegExp | undefined;
  if (whitelist !== undefined) {
    try {
      whitelistRegex = new RegExp(`^(?:${whitelist.replace(/,/g, '|')})$`);
    } catch {
      throw new UsageError(`${whitelist} is an invalid regex.`);
    }
  }
  return {
    bootstrap,
    topic: options.valueOf('topic'),
    whitelist: whitelistRegex,
    partition,
    offset,
    fromBeginning: options.has('from-beginning'),
    maxMessages: options.intValueOf('max-messages'),
    timeoutMs: options.intValueOf('timeout-ms'),
    groupId: groupIds[0],
    isolationLevel: isolation === 'read_committed' ? 1 : 0,
    props,
    formatterClass: options.valueOf('formatter') ?? DEFAULT_FORMATTER,
    formatterProps,
    skipOnError: options.has('skip-message-on-error'),
  };
}

/** auto.commit.interval.ms's default: how often a --group consumer commits its position. */
const COMMIT_INTERVAL_MS = 5000;

/**
 * kafka-console-consumer (Kafka 2.8 ConsoleConsumer): records of --topic (or the --whitelist
 * topics), of one --partition from --offset or of every partition, printed through the
 * --formatter (DefaultMessageFormatter with its print.* properties, or __consumer_offsets'
 * OffsetsMessageFormatter) until --max-messages, --timeout-ms without a record, or a signal; then
 * "Processed a total of N messages" on stderr, as Kafka's does. With --group it is a member of the
 * group (ConsumerCoordinator: JoinGroup, SyncGroup with the range assignor, heartbeats, LeaveGroup
 * on the way out) and reads the partitions it is assigned from the group's committed offsets,
 * committing its position every 5 s, before each rebalance and on the way out.
 */
export async function runConsoleConsumer(args: readonly string[], io: ConsoleConsumerIo): Promise<number> {
  let client: ToolClient | undefined;
  let membership: ConsumerCoordinator | undefined;
  let security: ClientSecurity | undefined;
  let processed = 0;
  let started = false;
  try {
    const p = plan(args);
    if (p === 'help') {
      io.out('This tool helps to read data from Kafka topics and outputs it to standard output.');
      io.out(parser().helpText());
      return 0;
    }
    const formatter = messageFormatter(p.formatterClass, p.formatterProps);
    security = p.props.security();
    const requestTimeoutMs = p.props.int('request.timeout.ms', 30_000);
    client = new ToolClient({ bootstrapServers: p.bootstrap, clientId: p.props.get('client.id') ?? (p.groupId === undefined ? 'console-consumer' : `consumer-${p.groupId}-1`), requestTimeoutMs, security });
    const reset = (p.props.get('auto.offset.reset') ?? (p.fromBeginning ? 'earliest' : 'latest')) as OffsetResetStrategy;
    const fetcher = new RecordFetcher({
      client,
      maxWaitMs: p.props.int('fetch.max.wait.ms', 500),
      minBytes: p.props.int('fetch.min.bytes', 1),
      maxBytes: p.props.int('fetch.max.bytes', 52_428_800),
      partitionMaxBytes: p.props.int('max.partition.fetch.bytes', 1_048_576),
      isolationLevel: p.isolationLevel,
      offsetReset: reset,
      requestTimeoutMs,
    });
    const partitions = await assignedPartitions(client, p, Date.now() + requestTimeoutMs);
    const group = p.groupId === undefined ? undefined : new GroupOffsets(client, p.groupId, () => Date.now() + requestTimeoutMs);
    // with --group the consumer subscribes (Kafka's console consumer with a group: a member that
    // the group's leader assigns partitions to); without, it assigns itself every partition
    membership = group === undefined ? undefined : groupMember(client, p, group.groupId, [...new Set(partitions.map((tp) => tp.topic))], requestTimeoutMs);
    if (membership === undefined) await startPositions(fetcher, partitions, p, group, reset);
    started = true;
    let lastRecordAt = Date.now();
    let lastCommitAt = Date.now();
    const committed = new TopicPartitionMap<number>();
    const commit = async (): Promise<void> => {
      if (group === undefined) return;
      if (membership !== undefined && membership.generation.generationId < 0) return;
      const changed = fetcher.assignment().flatMap((tp): [TopicPartition, number][] => {
        const pos = fetcher.position(tp);
        return pos === undefined || committed.get(tp) === pos ? [] : [[tp, pos]];
      });
      try {
        await group.commit(changed, membership === undefined ? undefined : { ...membership.generation, groupInstanceId: membership.groupInstanceId });
      } catch (error) {
        // as Kafka's auto-commit: a commit the group refused for its generation is dropped, and the member joins again
        if (!(error instanceof CommitFailedError) || membership === undefined) throw error;
        if (error.code === ErrorCode.FENCED_INSTANCE_ID) throw error;
        membership.requestRejoin({ resetMemberId: error.code !== ErrorCode.REBALANCE_IN_PROGRESS });
        return;
      }
      for (const [tp, pos] of changed) committed.set(tp, pos);
    };
    while (!io.signal?.aborted) {
      if (membership?.rejoinNeeded) {
        // eager rebalancing: commit what was read, give every partition up, then fetch what the
        // new assignment gives from the group's committed offsets (else auto.offset.reset)
        await commit();
        for (const tp of fetcher.assignment()) fetcher.unassign(tp);
        for (const tp of committed.keys()) committed.delete(tp);
        const assigned = await membership.ensureActiveGroup(io.signal);
        if (assigned === null) break;
        await startPositions(fetcher, assigned, p, group, reset);
      }
      const records = fetcher.assignment().length === 0 ? await sleep(NO_ASSIGNMENT_WAIT_MS).then(() => []) : await fetcher.poll();
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        try {
          formatter.writeTo(r, io.write);
        } catch (error) {
          if (!p.skipOnError) throw error;
          io.err(`ERROR Error processing message, skipping this message: ${error instanceof Error ? error.message : String(error)} (kafka.tools.ConsoleConsumer$)`);
        }
        processed += 1;
        if (p.maxMessages !== undefined && processed >= p.maxMessages) {
          // each partition's position stops right after its last record printed
          fetcher.assign([[{ topic: r.topic, partition: r.partition }, r.offset + 1]]);
          const unprinted = new TopicPartitionMap<number>();
          for (const rest of records.slice(i + 1)) if (!unprinted.has(rest)) unprinted.set(rest, rest.offset);
          fetcher.assign(unprinted.entries());
          break;
        }
      }
      if (p.maxMessages !== undefined && processed >= p.maxMessages) break;
      if (records.length > 0) lastRecordAt = Date.now();
      else if (p.timeoutMs !== undefined && Date.now() - lastRecordAt >= p.timeoutMs) {
        io.err(`[${new Date().toISOString()}] ERROR Error processing message, terminating consumer process:  (kafka.tools.ConsoleConsumer$)`);
        io.err('org.apache.kafka.common.errors.TimeoutException');
        break;
      }
      if (Date.now() - lastCommitAt >= COMMIT_INTERVAL_MS) {
        await commit();
        lastCommitAt = Date.now();
      }
    }
    await commit();
    io.err(`Processed a total of ${processed} messages`);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.err(withSecurityHint(message, security));
    if (started) io.err(`Processed a total of ${processed} messages`);
    return 1;
  } finally {
    await membership?.close();
    client?.close();
  }
}

/** How long a member with no partitions waits before looking at its group again. */
const NO_ASSIGNMENT_WAIT_MS = 100;

/**
 * The group member of a --group consumer: session.timeout.ms (10 s), heartbeat.interval.ms (3 s),
 * max.poll.interval.ms (the rebalance timeout, 5 min) and group.instance.id from
 * --consumer-property / --consumer.config, Kafka's consumer defaults otherwise.
 */
function groupMember(client: ToolClient, p: Plan, groupId: string, topics: readonly string[], requestTimeoutMs: number): ConsumerCoordinator {
  return new ConsumerCoordinator({
    client,
    groupId,
    groupInstanceId: p.props.get('group.instance.id') ?? null,
    topics,
    sessionTimeoutMs: p.props.int('session.timeout.ms', 10_000),
    heartbeatIntervalMs: p.props.int('heartbeat.interval.ms', 3000),
    rebalanceTimeoutMs: p.props.int('max.poll.interval.ms', 300_000),
    retryBackoffMs: p.props.int('retry.backoff.ms', 100),
    requestTimeoutMs,
  });
}

/** The partitions to read: --partition of --topic, or every partition of the topics chosen. */
async function assignedPartitions(client: ToolClient, p: Plan, deadlineMs: number): Promise<TopicPartition[]> {
  let topics: string[];
  if (p.topic !== undefined) {
    topics = [p.topic];
  } else {
    const md = await client.metadata(null);
    const excludeInternal = (p.props.get('exclude.internal.topics') ?? 'true') === 'true';
    topics = md.topics
      .filter((t) => p.whitelist!.test(t.name) && !(excludeInternal && t.isInternal))
      .map((t) => t.name)
      .sort();
  }
  if (topics.length === 0) return [];
  let leaders;
  try {
    leaders = await client.leaders(topics, deadlineMs);
  } catch (error) {
    if (error instanceof UnknownTopicError)
      throw new Error(`org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Topic ${error.topic} not present in metadata.`);
    throw error;
  }
  const out: TopicPartition[] = [];
  for (const topic of topics) {
    const count = leaders.get(topic)?.length ?? 0;
    if (p.partition !== undefined) {
      if (p.partition < 0 || p.partition >= count)
        throw new Error(`org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Partition ${topic}-${p.partition} does not exist (the topic has ${count} partitions)`);
      out.push({ topic, partition: p.partition });
    } else {
      for (let partition = 0; partition < count; partition++) out.push({ topic, partition });
    }
  }
  return out;
}

async function startPositions(
  fetcher: RecordFetcher,
  partitions: readonly TopicPartition[],
  p: Plan,
  group: GroupOffsets | undefined,
  reset: OffsetResetStrategy,
): Promise<void> {
  if (p.partition !== undefined) {
    const tp = partitions[0]!;
    if (p.offset >= 0) {
      fetcher.assign([[tp, p.offset]]);
      return;
    }
    const timestamp = p.fromBeginning ? EARLIEST_TIMESTAMP : p.offset;
    const offsets = await fetcher.listOffsets([tp], timestamp);
    fetcher.assign([[tp, offsets.get(tp) ?? 0]]);
    return;
  }
  const committed = group === undefined ? new TopicPartitionMap<number>() : await group.committed(partitions);
  const missing = partitions.filter((tp) => !committed.has(tp));
  if (missing.length > 0 && reset === 'none')
    throw new Error(`org.apache.kafka.clients.consumer.NoOffsetForPartitionException: Undefined offset with no reset policy for partitions: [${missing.map((tp) => `${tp.topic}-${tp.partition}`).join(', ')}]`);
  const resetOffsets = missing.length === 0 ? new TopicPartitionMap<number | null>() : await fetcher.listOffsets(missing, reset === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP);
  fetcher.assign(partitions.map((tp): [TopicPartition, number] => [tp, committed.get(tp) ?? resetOffsets.get(tp) ?? 0]));
}
