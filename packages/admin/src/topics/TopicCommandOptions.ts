import { LOG_CONFIG_NAMES } from '@samsa/storage';
import { isInternalTopic } from '@samsa/zk';
import { validateTopicConfig, IllegalArgumentError, InvalidConfigurationError } from '@samsa/admin-zk';
import { OptionParser, UsageError, type ParsedOptions } from '../cli/OptionParser';
import { COMMAND_CONFIG_HELP } from '../cli/CommandConfig';

/**
 * kafka-topics' options and their rules: Kafka 2.1's TopicCommandOptions (jopt-simple spellings
 * and checkArgs), plus --bootstrap-server from Kafka 2.2+.
 */
export type TopicAction = 'create' | 'list' | 'alter' | 'describe' | 'delete';
const ACTIONS: readonly TopicAction[] = ['create', 'list', 'alter', 'describe', 'delete'];

export const DEFAULT_TIMEOUT_MS = 30_000;
export const TIMEOUT_ENV = 'SAMSA_ADMIN_TIMEOUT_MS';

export function topicCommandParser(): OptionParser {
  return new OptionParser()
    .acceptsArg(
      'zookeeper',
      'The connection string for the zookeeper connection in the form host:port[/chroot].\nMultiple hosts can be given to allow fail-over. Exactly one of --zookeeper and\n--bootstrap-server is required.',
      'hosts',
    )
    .acceptsArg(
      'bootstrap-server',
      'The Kafka server(s) to connect to, host:port[,host:port…] (uses the Admin API\nthrough Samsa\'s client: CreateTopics, DeleteTopics, CreatePartitions, Metadata,\nDescribeConfigs).',
      'server to connect to',
    )
    .acceptsArg('command-config', COMMAND_CONFIG_HELP + '\nUsed with --bootstrap-server only.', 'command config property file')
    .accepts('list', 'List all available topics.')
    .accepts('create', 'Create a new topic.')
    .accepts('delete', 'Delete a topic')
    .accepts(
      'alter',
      'Alter the number of partitions, replica assignment, and/or configuration for the topic.',
    )
    .accepts('describe', 'List details for the given topics.')
    .accepts('help', 'Print usage information.')
    .acceptsArg(
      'topic',
      'The topic to be create, alter or describe. Can also accept a regular expression\nexcept for --create option',
      'topic',
    )
    .acceptsArg(
      'config',
      'A topic configuration override for the topic being created or altered.\nSee the Kafka documentation for full details on the topic configs.',
      'name=value',
    )
    .acceptsArg(
      'delete-config',
      'A topic configuration override to be removed for an existing topic (--zookeeper only).',
      'name',
    )
    .acceptsArg(
      'partitions',
      'The number of partitions for the topic being created or altered (WARNING: If\npartitions are increased for a topic that has a key, the partition logic or\nordering of the messages will be affected',
      '# of partitions',
      'int',
    )
    .acceptsArg(
      'replication-factor',
      'The replication factor for each partition in the topic being created.',
      'replication factor',
      'int',
    )
    .acceptsArg(
      'replica-assignment',
      'A list of manual partition-to-broker assignments for the topic being created or altered.',
      'broker_id_for_part1_replica1 : broker_id_for_part1_replica2 , broker_id_for_part2_replica1 : broker_id_for_part2_replica2 , ...',
    )
    .accepts(
      'under-replicated-partitions',
      'if set when describing topics, only show under replicated partitions',
    )
    .accepts(
      'unavailable-partitions',
      'if set when describing topics, only show partitions whose leader is not available',
    )
    .accepts(
      'topics-with-overrides',
      'if set when describing topics, only show topics that have overridden configs',
    )
    .accepts(
      'if-exists',
      'if set when altering, deleting or describing topics, the action will only execute if the topic exists',
    )
    .accepts(
      'if-not-exists',
      'if set when creating topics, the action will only execute if the topic does not already exist',
    )
    .accepts('disable-rack-aware', 'Disable rack aware replica assignment')
    .accepts('force', 'Suppress console prompts')
    .accepts(
      'exclude-internal',
      'exclude internal topics when running list or describe command. The internal topics will be listed by default',
    );
}

export function topicCommandHelp(): string {
  return [
    'Create, delete, describe, or change a topic.',
    '',
    'Output follows Kafka 2.1 exactly (tab-separated), in both --zookeeper and --bootstrap-server mode:',
    '  Created topic "T".',
    '  Topic:T<TAB>PartitionCount:3<TAB>ReplicationFactor:3<TAB>Configs:k=v',
    '  <TAB>Topic: T<TAB>Partition: 0<TAB>Leader: 0<TAB>Replicas: 0,1,2<TAB>Isr: 0,1,2',
    '  T - marked for deletion   (--list)',
    'Errors: one line on stderr, exit status 1. Connecting and each command are bounded by',
    `${TIMEOUT_ENV} milliseconds (default ${DEFAULT_TIMEOUT_MS}).`,
    '',
    topicCommandParser().helpText(),
  ].join('\n');
}

export interface TopicCommandOptions {
  readonly action: TopicAction;
  readonly zkConnect: string | undefined;
  readonly bootstrapServer: string | undefined;
  /** --command-config: the Admin Client's security properties file (with --bootstrap-server). */
  readonly commandConfig: string | undefined;
  readonly topic: string | undefined;
  readonly partitions: number | undefined;
  readonly replicationFactor: number | undefined;
  readonly replicaAssignment: string | undefined;
  readonly configs: readonly string[];
  readonly deleteConfigs: readonly string[];
  readonly ifExists: boolean;
  readonly ifNotExists: boolean;
  readonly underReplicated: boolean;
  readonly unavailable: boolean;
  readonly topicsWithOverrides: boolean;
  readonly excludeInternal: boolean;
  readonly disableRackAware: boolean;
}

const spec = (name: string): string => `[${name}]`;

function checkInvalidArgs(options: ParsedOptions, used: string, invalid: readonly string[]): void {
  if (!options.has(used)) return;
  for (const other of invalid) {
    if (options.has(other))
      throw new UsageError(`Option "${spec(used)}" can't be used with option "${spec(other)}"`);
  }
}

function checkRequiredArgs(options: ParsedOptions, ...required: string[]): void {
  for (const name of required) {
    if (!options.has(name)) throw new UsageError(`Missing required argument "${spec(name)}"`);
  }
}

const except = (...keep: TopicAction[]): TopicAction[] => ACTIONS.filter((a) => !keep.includes(a));

/**
 * Kafka's checkArgs: one action, one connection option, --topic unless listing or describing,
 * and each option only with the actions it belongs to. Throws UsageError.
 */
export function checkTopicCommandArgs(options: ParsedOptions): TopicCommandOptions {
  const actions = ACTIONS.filter((a) => options.has(a));
  if (actions.length !== 1) {
    throw new UsageError(
      'Command must include exactly one action: --list, --describe, --create, --alter or --delete',
    );
  }
  const action = actions[0];
  if (options.has('bootstrap-server') === options.has('zookeeper'))
    throw new UsageError('Only one of --bootstrap-server or --zookeeper must be specified');
  if (action !== 'list' && action !== 'describe') checkRequiredArgs(options, 'topic');
  checkInvalidArgs(options, 'command-config', ['zookeeper']);

  checkInvalidArgs(options, 'config', except('alter', 'create'));
  checkInvalidArgs(options, 'delete-config', except('alter'));
  checkInvalidArgs(options, 'partitions', except('alter', 'create'));
  checkInvalidArgs(options, 'replication-factor', except('create'));
  checkInvalidArgs(options, 'replica-assignment', except('create', 'alter'));
  if (action === 'create') {
    checkInvalidArgs(options, 'replica-assignment', ['partitions', 'replication-factor']);
    if (!options.has('replica-assignment')) checkRequiredArgs(options, 'partitions', 'replication-factor');
  }
  const describeOnly = ['under-replicated-partitions', 'unavailable-partitions', 'topics-with-overrides'];
  for (const opt of describeOnly) {
    checkInvalidArgs(options, opt, [...except('describe'), ...describeOnly.filter((o) => o !== opt)]);
  }
  checkInvalidArgs(options, 'if-exists', except('alter', 'delete', 'describe'));
  checkInvalidArgs(options, 'if-not-exists', except('create'));
  checkInvalidArgs(options, 'exclude-internal', except('list', 'describe'));
  if (options.has('bootstrap-server')) {
    // Kafka 2.2+: topic configs are altered with kafka-configs, not through the Admin API here
    if (action === 'alter') checkInvalidArgs(options, 'config', ['bootstrap-server']);
    checkInvalidArgs(options, 'delete-config', ['bootstrap-server']);
    checkInvalidArgs(options, 'disable-rack-aware', ['bootstrap-server']);
  }
  if (action === 'alter') {
    const alterations = options.has('bootstrap-server')
      ? ['partitions']
      : ['partitions', 'config', 'delete-config'];
    if (!alterations.some((o) => options.has(o))) checkRequiredArgs(options, 'partitions');
    if (options.has('replica-assignment')) checkRequiredArgs(options, 'partitions');
  }

  return {
    action,
    zkConnect: options.valueOf('zookeeper'),
    bootstrapServer: options.valueOf('bootstrap-server'),
    commandConfig: options.valueOf('command-config'),
    topic: options.valueOf('topic'),
    partitions: options.intValueOf('partitions'),
    replicationFactor: options.intValueOf('replication-factor'),
    replicaAssignment: options.valueOf('replica-assignment'),
    configs: options.valuesOf('config'),
    deleteConfigs: options.valuesOf('delete-config'),
    ifExists: options.has('if-exists'),
    ifNotExists: options.has('if-not-exists'),
    underReplicated: options.has('under-replicated-partitions'),
    unavailable: options.has('unavailable-partitions'),
    topicsWithOverrides: options.has('topics-with-overrides'),
    excludeInternal: options.has('exclude-internal'),
    disableRackAware: options.has('disable-rack-aware'),
  };
}

/** Java's String.split: trailing empty strings dropped. */
function javaSplit(s: string, re: RegExp): string[] {
  const parts = s.split(re);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * `--config k=v` values as Kafka's parseTopicConfigsToBeAdded reads them (split at "=" with the
 * blanks around it; anything but exactly two parts is refused), validated by LogConfig.
 */
export function parseTopicConfigsToBeAdded(configs: readonly string[]): Map<string, string> {
  const pairs = configs.map((c) => javaSplit(c, /\s*=\s*/));
  if (!pairs.every((p) => p.length === 2)) {
    throw new IllegalArgumentError(
      'requirement failed: Invalid topic config: all configs to be added must be in the format "key=val".',
    );
  }
  const props = new Map(pairs.map(([k, v]) => [k.trim(), v.trim()]));
  validateTopicConfig(props);
  return props;
}

/** `--delete-config` names, each checked to be a topic config name. */
export function parseTopicConfigsToBeDeleted(names: readonly string[]): string[] {
  const trimmed = names.map((n) => n.trim());
  for (const name of trimmed) {
    if (!LOG_CONFIG_NAMES.includes(name))
      throw new InvalidConfigurationError(`Unknown topic config name: ${name}`);
  }
  return trimmed;
}

/**
 * Kafka's Whitelist for --topic: commas mean "or", blanks and surrounding quotes are dropped, and
 * the result must match a whole topic name; internal topics go with --exclude-internal.
 */
export function topicFilter(spec: string | undefined, excludeInternal: boolean): (topic: string) => boolean {
  const internalOk = (t: string): boolean => !(excludeInternal && isInternalTopic(t));
  if (spec === undefined) return internalOk;
  const regex = spec
    .trim()
    .replace(/,/g, '|')
    .replace(/ /g, '')
    .replace(/^["']+/, '')
    .replace(/["']+$/, '');
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${regex})$`);
  } catch {
    throw new IllegalArgumentError(`${regex} is an invalid regex.`);
  }
  return (topic) => re.test(topic) && internalOk(topic);
}
