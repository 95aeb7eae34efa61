import { OptionParser, UsageError, type ParsedOptions } from '../cli/OptionParser';
import { COMMAND_CONFIG_HELP } from '../cli/CommandConfig';

/**
 * kafka-consumer-groups' options and their rules: Kafka 2.8's ConsumerGroupCommandOptions
 * (jopt-simple spellings, defaults, `availableIf`) and its checkArgs, in Kafka's order, with
 * Kafka's messages. An option spec prints as jopt-simple's OptionSpec.toString does: `[name]`.
 */
export type GroupAction = 'list' | 'describe' | 'delete' | 'reset-offsets' | 'delete-offsets';
const ACTIONS: readonly GroupAction[] = ['list', 'describe', 'delete', 'reset-offsets', 'delete-offsets'];

export type DescribeView = 'offsets' | 'members' | 'state';

export type ResetScenario =
  | { readonly kind: 'to-offset'; readonly offset: bigint }
  | { readonly kind: 'shift-by'; readonly shift: bigint }
  | { readonly kind: 'to-datetime'; readonly datetime: string }
  | { readonly kind: 'by-duration'; readonly duration: string }
  | { readonly kind: 'to-earliest' }
  | { readonly kind: 'to-latest' }
  | { readonly kind: 'to-current' }
  | { readonly kind: 'from-file'; readonly path: string };

/** Kafka's default for --timeout (ms). */
export const DEFAULT_GROUP_TIMEOUT_MS = 5000;

const nl = '\n';

export function consumerGroupCommandParser(): OptionParser {
  return new OptionParser()
    .acceptsArg('bootstrap-server', 'REQUIRED: The server(s) to connect to.', 'server to connect to')
    .acceptsArg('command-config', COMMAND_CONFIG_HELP, 'command config property file')
    .acceptsArg('group', 'The consumer group we wish to act on.', 'consumer group')
    .acceptsArg(
      'topic',
      'The topic whose consumer group information should be deleted or topic whose should be included in the\n' +
        'reset offset process. In `reset-offsets` case, partitions can be specified using this format:\n' +
        '`topic1:0,1,2`, where 0,1,2 are the partition to be included in the process. Reset-offsets also\n' +
        'supports multiple topic inputs.',
      'topic',
    )
    .accepts('all-topics', 'Consider all topics assigned to a group in the `reset-offsets` process.')
    .accepts('list', 'List all consumer groups.')
    .accepts(
      'describe',
      'Describe consumer group and list offset lag (number of messages not yet processed) related to given group.',
    )
    .accepts('all-groups', 'Apply to all consumer groups.')
    .accepts(
      'delete',
      'Pass in groups to delete topic partition offsets and ownership information over the entire consumer\n' +
        'group. For instance --group g1 --group g2',
    )
    .acceptsArg(
      'timeout',
      'The timeout that can be set for some use cases. For example, it can be used when describing the group\n' +
        'to specify the maximum amount of time in milliseconds to wait before the group stabilizes (when the\n' +
        `group is just created, or is going through some changes). (default: ${DEFAULT_GROUP_TIMEOUT_MS})`,
      'timeout (ms)',
      'long',
    )
    .accepts(
      'reset-offsets',
      'Reset offsets of consumer group. Supports one consumer group at the time, and instances should be inactive' +
        nl +
        'Has 2 execution options: --dry-run (the default) to plan which offsets to reset, and --execute to update\n' +
        'the offsets. Additionally, the --export option is used to export the results to a CSV format.' +
        nl +
        'You must choose one of the following reset specifications: --to-datetime, --by-period, --to-earliest,\n' +
        '--to-latest, --shift-by, --from-file, --to-current.' +
        nl +
        "To define the scope use --all-topics or --topic. One scope must be specified unless you use '--from-file'.",
    )
    .accepts(
      'delete-offsets',
      'Delete offsets of consumer group. Supports one consumer group at the time, and multiple topics.',
    )
    .accepts(
      'dry-run',
      'Only show results without executing changes on Consumer Groups. Supported operations: reset-offsets.',
    )
    .accepts('execute', 'Execute operation. Supported operations: reset-offsets.')
    .accepts('export', 'Export operation execution to a CSV file. Supported operations: reset-offsets.')
    .acceptsArg('to-offset', 'Reset offsets to a specific offset.', 'offset', 'long')
    .acceptsArg('from-file', 'Reset offsets to values defined in CSV file.', 'path to CSV file')
    .acceptsArg(
      'to-datetime',
      "Reset offsets to offset from datetime. Format: 'YYYY-MM-DDTHH:mm:SS.sss'",
      'datetime',
    )
    .acceptsArg(
      'by-duration',
      "Reset offsets to offset by duration from current timestamp. Format: 'PnDTnHnMnS'",
      'duration',
    )
    .accepts('to-earliest', 'Reset offsets to earliest offset.')
    .accepts('to-latest', 'Reset offsets to latest offset.')
    .accepts('to-current', 'Reset offsets to current offset.')
    .acceptsArg(
      'shift-by',
      "Reset offsets shifting current offset by 'n', where 'n' can be positive or negative.",
      'number-of-offsets',
      'long',
    )
    .accepts(
      'members',
      "Describe members of the group. This option may be used with '--describe' and '--bootstrap-server'\n" +
        'options only.' +
        nl +
        'Example: --bootstrap-server localhost:9092 --describe --group group1 --members',
    )
    .accepts(
      'verbose',
      "Provide additional information, if any, when describing the group. This option may be used with\n'--offsets'/'--members'/'--state' and '--bootstrap-server' options only." +
        nl +
        'Example: --bootstrap-server localhost:9092 --describe --group group1 --members --verbose',
    )
    .accepts(
      'offsets',
      'Describe the group and list all topic partitions in the group along with their offset lag. This is the\n' +
        "default sub-action of and may be used with '--describe' and '--bootstrap-server' options only." +
        nl +
        'Example: --bootstrap-server localhost:9092 --describe --group group1 --offsets',
    )
    .acceptsOptionalArg(
      'state',
      "When specified with '--describe', includes the state of the group." +
        nl +
        'Example: --bootstrap-server localhost:9092 --describe --group group1 --state' +
        nl +
        "When specified with '--list', it displays the state of all groups. It can also be used to list groups\nwith specific states." +
        nl +
        'Example: --bootstrap-server localhost:9092 --list --state stable,empty' +
        nl +
        "This option may be used with '--describe', '--list' and '--bootstrap-server' options only.",
      'String',
    )
    .accepts('help', 'Print usage information.')
    .availableIf('members', 'describe')
    .availableIf('verbose', 'describe')
    .availableIf('offsets', 'describe')
    .availableIf('state', 'describe', 'list');
}

export const CONSUMER_GROUP_COMMAND_DESCRIPTION =
  'This tool helps to list all consumer groups, describe a consumer group, delete consumer group info, or reset consumer group offsets.';

export function consumerGroupCommandHelp(): string {
  return [CONSUMER_GROUP_COMMAND_DESCRIPTION, consumerGroupCommandParser().helpText()].join('\n');
}

export interface ConsumerGroupCommandOptions {
  readonly action: GroupAction;
  readonly bootstrapServer: string;
  /** --group values in the order given; empty with --all-groups. */
  readonly groups: readonly string[];
  readonly allGroups: boolean;
  /** --topic values in the order given. */
  readonly topics: readonly string[];
  readonly allTopics: boolean;
  readonly timeoutMs: number;
  /** --command-config: the Admin Client's security properties file. */
  readonly commandConfig: string | undefined;
  readonly describeView: DescribeView;
  readonly verbose: boolean;
  /** --list --state: undefined without --state, else its raw value ("" or absent → every state). */
  readonly listStates: string | undefined;
  readonly scenario: ResetScenario | undefined;
  /** Reset offsets for real (--execute); a dry run otherwise. */
  readonly execute: boolean;
  readonly exportCsv: boolean;
  /** Lines to print on stderr before running (Kafka's WARN about the missing --execute). */
  readonly warnings: readonly string[];
}

const spec = (name: string): string => `[${name}]`;
const GROUP_SCOPE = `${spec('group')}, ${spec('all-groups')}`;

/**
 * Kafka checks the reset scenarios for conflicts one by one in the order of its checkArgs lines
 * (SCENARIO_CHECK_ORDER), each against `allResetOffsetScenarioOpts` minus itself, naming the first
 * conflicting one in that set's iteration order. The set is an immutable Scala 2.13 HashSet of
 * eight option specs; its order follows the specs' hash codes (a spec hashes as the Java list of
 * its names, improved by Scala's Hashing.improve, all eight in distinct slots of the root node):
 * SCENARIO_SET_ORDER, which is also how Kafka prints the set.
 */
const SCENARIO_CHECK_ORDER = [
  'to-offset',
  'to-datetime',
  'by-duration',
  'to-earliest',
  'to-latest',
  'to-current',
  'shift-by',
  'from-file',
] as const;
const SCENARIO_SET_ORDER = [
  'by-duration',
  'to-offset',
  'from-file',
  'to-datetime',
  'to-earliest',
  'to-current',
  'shift-by',
  'to-latest',
] as const;

/** Kafka's message when --reset-offsets has no scenario (the Scala set printed as it prints itself). */
export const MISSING_SCENARIO_MESSAGE = `Option '${spec('reset-offsets')}' requires one of the following scenarios: HashSet(${SCENARIO_SET_ORDER.map(spec).join(', ')})`;

function die(message: string): never {
  throw new UsageError(message);
}

function checkInvalidArgs(options: ParsedOptions, used: string, invalid: readonly string[]): void {
  if (!options.has(used)) return;
  for (const other of invalid) {
    if (options.has(other)) die(`Option "${spec(used)}" can't be used with option "${spec(other)}"`);
  }
}

/**
 * Kafka 2.8's checkArgs, then its "exactly one action" rule (checked after checkArgs, as Kafka's
 * main does). Throws UsageError with Kafka's message.
 */
export function checkConsumerGroupCommandArgs(options: ParsedOptions): ConsumerGroupCommandOptions {
  const warnings: string[] = [];
  if (!options.has('bootstrap-server')) die(`Missing required argument "${spec('bootstrap-server')}"`);
  const groupOrAll = options.has('group') || options.has('all-groups');

  if (options.has('describe')) {
    if (!groupOrAll) die(`Option ${spec('describe')} takes one of these options: ${GROUP_SCOPE}`);
    const views = ['members', 'offsets', 'state'];
    if (views.filter((v) => options.has(v)).length > 1)
      die(`Option ${spec('describe')} takes at most one of these options: ${views.map(spec).join(', ')}`);
    if (options.has('state') && options.valueOf('state') !== undefined)
      die(`Option ${spec('describe')} does not take a value for ${spec('state')}`);
  }

  if (options.has('delete')) {
    if (!groupOrAll) die(`Option ${spec('delete')} takes one of these options: ${GROUP_SCOPE}`);
    if (options.has('topic'))
      die('The consumer does not support topic-specific offset deletion from a consumer group.');
  }

  if (options.has('delete-offsets') && (!options.has('group') || !options.has('topic')))
    die(`Option ${spec('delete-offsets')} takes the following options: ${spec('group')}, ${spec('topic')}`);

  if (options.has('reset-offsets')) {
    if (options.has('dry-run') && options.has('execute'))
      die(`Option ${spec('reset-offsets')} only accepts one of ${spec('execute')} and ${spec('dry-run')}`);
    if (!options.has('dry-run') && !options.has('execute')) {
      warnings.push(
        'WARN: No action will be performed as the --execute option is missing.' +
          'In a future major release, the default behavior of this command will be to prompt the user before ' +
          'executing the reset rather than doing a dry run. You should add the --dry-run option explicitly ' +
          'if you are scripting this command and want to keep the current default behavior without prompting.',
      );
    }
    if (!groupOrAll) die(`Option ${spec('reset-offsets')} takes one of these options: ${GROUP_SCOPE}`);
    for (const scenario of SCENARIO_CHECK_ORDER)
      checkInvalidArgs(
        options,
        scenario,
        SCENARIO_SET_ORDER.filter((s) => s !== scenario),
      );
  }

  checkInvalidArgs(options, 'group', ['all-groups']);
  checkInvalidArgs(options, 'group', ['list']);
  checkInvalidArgs(options, 'topic', ['list', 'describe']);

  const actions = ACTIONS.filter((a) => options.has(a));
  if (actions.length !== 1)
    die(
      'Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets',
    );

  return {
    action: actions[0],
    bootstrapServer: options.valueOf('bootstrap-server')!,
    groups: options.valuesOf('group'),
    allGroups: options.has('all-groups'),
    topics: options.valuesOf('topic'),
    allTopics: options.has('all-topics'),
    timeoutMs: timeoutMsOf(options),
    commandConfig: options.valueOf('command-config'),
    describeView: options.has('members')
      ? 'members'
      : options.has('state') && !options.has('offsets')
        ? 'state'
        : 'offsets',
    verbose: options.has('verbose'),
    listStates: options.has('state') ? (options.valueOf('state') ?? '') : undefined,
    scenario: scenarioOf(options),
    execute: options.has('execute') && !options.has('dry-run'),
    exportCsv: options.has('export'),
    warnings,
  };
}

function timeoutMsOf(options: ParsedOptions): number {
  const timeout = options.longValueOf('timeout');
  if (timeout === undefined) return DEFAULT_GROUP_TIMEOUT_MS;
  // Node's timers take at most 2^31-1 ms; zero or less fails every call at once, as in Kafka.
  return timeout > 2147483647n ? 2147483647 : timeout < 0n ? 0 : Number(timeout);
}

/** The one scenario given (checkArgs has refused two), in Kafka's order of precedence. */
function scenarioOf(options: ParsedOptions): ResetScenario | undefined {
  if (options.has('to-offset')) return { kind: 'to-offset', offset: options.longValueOf('to-offset')! };
  if (options.has('to-earliest')) return { kind: 'to-earliest' };
  if (options.has('to-latest')) return { kind: 'to-latest' };
  if (options.has('shift-by')) return { kind: 'shift-by', shift: options.longValueOf('shift-by')! };
  if (options.has('to-datetime')) return { kind: 'to-datetime', datetime: options.valueOf('to-datetime')! };
  if (options.has('by-duration')) return { kind: 'by-duration', duration: options.valueOf('by-duration')! };
  if (options.has('from-file')) return { kind: 'from-file', path: options.valueOf('from-file')! };
  if (options.has('to-current')) return { kind: 'to-current' };
  return undefined;
}
