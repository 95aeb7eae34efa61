import { topicPartitionKey, type TopicPartition, type TopicPartitionMap } from '@samsa/common';
import { ErrorCode } from '@samsa/protocol';
import type { ConsumerGroupState, Node } from './GroupAdmin';
import { executionExceptionText, failureText, KafkaApiError } from './GroupErrors';

/**
 * What kafka-consumer-groups prints, as Kafka 2.8's ConsumerGroupCommand formats it: its
 * `String.format` patterns (`%-Ns` pads on the right to N characters and never cuts), minimum
 * column widths, "-" for a missing value, blank lines before tables and errors (its `println("\n…")`),
 * and which lines go to stderr. Pure: lines in, lines out. src/fixtures/consumer-groups-formats.txt
 * holds the lines these patterns give for a small example; the tests compare with it.
 */
export interface OutputLine {
  readonly stream: 'out' | 'err';
  readonly text: string;
}

export const MISSING_COLUMN_VALUE = '-';

const out = (text: string): OutputLine => ({ stream: 'out', text });
const err = (text: string): OutputLine => ({ stream: 'err', text });
const pad = (value: string | number | bigint, width: number): string => String(value).padEnd(width);
const orMissing = (value: string | number | bigint | undefined): string =>
  value === undefined ? MISSING_COLUMN_VALUE : String(value);

/** Kafka's printError: a blank line, then `Error: <message>`, on stdout. */
export function errorLines(message: string): OutputLine[] {
  return [out(''), out(`Error: ${message}`)];
}

/** One row of --describe --offsets (Kafka's PartitionAssignmentState). */
export interface PartitionAssignmentState {
  readonly group: string;
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: bigint;
  readonly lag?: bigint;
  readonly consumerId?: string;
  readonly host?: string;
  readonly clientId?: string;
  readonly logEndOffset?: bigint;
}

/** One row of --describe --members (Kafka's MemberAssignmentState). */
export interface MemberAssignmentState {
  readonly group: string;
  readonly consumerId: string;
  readonly host: string;
  readonly clientId: string;
  /** "" for a dynamic member. */
  readonly groupInstanceId: string;
  readonly numPartitions: number;
  /** Listed with --verbose only. */
  readonly assignment: readonly TopicPartition[];
}

/** One row of --describe --state (Kafka's GroupState). */
export interface GroupStateRow {
  readonly group: string;
  readonly coordinator: Node;
  readonly assignmentStrategy: string;
  readonly state: ConsumerGroupState;
  readonly numMembers: number;
}

export interface GroupRows<T> {
  readonly group: string;
  readonly state: ConsumerGroupState;
  readonly rows: readonly T[];
}

/**
 * Kafka's shouldPrintMemberState: the notice a group's state earns (a Dead group is an error on
 * stdout; an Empty or rebalancing one a note on stderr) and whether its table is printed. A state
 * outside Kafka's five is Kafka's KafkaException, thrown.
 */
export function memberStateNotice(
  group: string,
  state: ConsumerGroupState,
  numRows: number,
): { lines: OutputLine[]; print: boolean } {
  const print = state !== 'Dead' && numRows > 0;
  switch (state) {
    case 'Dead':
      return { lines: errorLines(`Consumer group '${group}' does not exist.`), print };
    case 'Empty':
      return { lines: [err(''), err(`Consumer group '${group}' has no active members.`)], print };
    case 'PreparingRebalance':
    case 'CompletingRebalance':
      return { lines: [err(''), err(`Warning: Consumer group '${group}' is rebalancing.`)], print };
    case 'Stable':
      return { lines: [], print };
    default:
      throw new Error(`Expected a valid consumer group state, but found '${state}'.`);
  }
}

/** --list --state: GROUP and STATE, the group column at least 15 wide. */
export function groupStatesLines(listings: ReadonlyArray<{ groupId: string; state: string }>): string[] {
  const width = Math.max(15, ...listings.map((l) => l.groupId.length));
  return [`${pad('GROUP', width)} STATE`, ...listings.map((l) => `${pad(l.groupId, width)} ${l.state}`)];
}

/** --describe (--offsets): per group, GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID. */
export function offsetsLines(groups: ReadonlyArray<GroupRows<PartitionAssignmentState>>): OutputLine[] {
  const lines: OutputLine[] = [];
  for (const { group, state, rows } of groups) {
    const notice = memberStateNotice(group, state, rows.length);
    lines.push(...notice.lines);
    if (!notice.print) continue;
    const g = Math.max(15, ...rows.map((r) => r.group.length));
    const t = Math.max(15, ...rows.map((r) => orMissing(r.topic).length));
    const c = Math.max(15, ...rows.map((r) => orMissing(r.consumerId).length));
    const h = Math.max(15, ...rows.map((r) => orMissing(r.host).length));
    const line = (cols: ReadonlyArray<string>): string =>
      `${pad(cols[0], g)} ${pad(cols[1], t)} ${pad(cols[2], 10)} ${pad(cols[3], 15)} ${pad(cols[4], 15)} ` +
      `${pad(cols[5], 15)} ${pad(cols[6], c)} ${pad(cols[7], h)} ${cols[8]}`;
    lines.push(out(''));
    lines.push(
      out(
        line([
          'GROUP',
          'TOPIC',
          'PARTITION',
          'CURRENT-OFFSET',
          'LOG-END-OFFSET',
          'LAG',
          'CONSUMER-ID',
          'HOST',
          'CLIENT-ID',
        ]),
      ),
    );
    for (const r of rows) {
      lines.push(
        out(
          line([
            r.group,
            orMissing(r.topic),
            orMissing(r.partition),
            orMissing(r.offset),
            orMissing(r.logEndOffset),
            orMissing(r.lag),
            orMissing(r.consumerId),
            orMissing(r.host),
            orMissing(r.clientId),
          ]),
        ),
      );
    }
  }
  return lines;
}

/** A member's partitions as --verbose lists them: `t1(0,1), t2(3)`, topics sorted; "-" when none. */
export function assignmentText(assignment: readonly TopicPartition[]): string {
  if (assignment.length === 0) return MISSING_COLUMN_VALUE;
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of assignment)
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
  return [...byTopic]
    .map(([topic, partitions]) => `${topic}(${partitions.sort((a, b) => a - b).join(',')})`)
    .sort(compareJavaStrings)
    .join(', ');
}

/**
 * --describe --members [--verbose]: GROUP CONSUMER-ID [GROUP-INSTANCE-ID] HOST CLIENT-ID
 * #PARTITIONS [ASSIGNMENT]. The #PARTITIONS column is always padded and followed by a blank, so
 * lines end in spaces when ASSIGNMENT is not shown, exactly as Kafka prints them.
 */
export function membersLines(
  groups: ReadonlyArray<GroupRows<MemberAssignmentState>>,
  verbose: boolean,
): OutputLine[] {
  const lines: OutputLine[] = [];
  for (const { group, state, rows } of groups) {
    const notice = memberStateNotice(group, state, rows.length);
    lines.push(...notice.lines);
    if (!notice.print) continue;
    const g = Math.max(15, ...rows.map((r) => r.group.length));
    const c = Math.max(15, ...rows.map((r) => r.consumerId.length));
    const i = Math.max(17, ...rows.map((r) => r.groupInstanceId.length));
    const h = Math.max(15, ...rows.map((r) => r.host.length));
    const cl = Math.max(15, ...rows.map((r) => r.clientId.length));
    const withInstanceId = rows.some((r) => r.groupInstanceId.length > 0);
    const line = (cols: ReadonlyArray<string>, last: string): string =>
      `${pad(cols[0], g)} ${pad(cols[1], c)} ${withInstanceId ? `${pad(cols[2], i)} ` : ''}` +
      `${pad(cols[3], h)} ${pad(cols[4], cl)} ${pad(cols[5], 15)} ${last}`;
    lines.push(out(''));
    lines.push(
      out(
        line(
          ['GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS'],
          verbose ? 'ASSIGNMENT' : '',
        ),
      ),
    );
    for (const r of rows) {
      const cols = [r.group, r.consumerId, r.groupInstanceId, r.host, r.clientId, String(r.numPartitions)];
      lines.push(out(line(cols, verbose ? assignmentText(r.assignment) : '')));
    }
  }
  return lines;
}

/**
 * --describe --state: GROUP COORDINATOR (ID) ASSIGNMENT-STRATEGY STATE #MEMBERS. Kafka sizes the
 * first column by the coordinator's text (at least 25), not by the group id.
 */
export function statesLines(groups: readonly GroupStateRow[]): OutputLine[] {
  const lines: OutputLine[] = [];
  for (const s of groups) {
    const notice = memberStateNotice(s.group, s.state, 1);
    lines.push(...notice.lines);
    if (!notice.print) continue;
    const coordinator = `${s.coordinator.host}:${s.coordinator.port} (${s.coordinator.id})`;
    const w = Math.max(25, coordinator.length);
    const line = (cols: ReadonlyArray<string>): string =>
      `${pad(cols[0], w)} ${pad(cols[1], 25)} ${pad(cols[2], 20)} ${pad(cols[3], 15)} ${cols[4]}`;
    lines.push(out(''));
    lines.push(out(line(['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'])));
    lines.push(out(line([s.group, coordinator, s.assignmentStrategy, s.state, String(s.numMembers)])));
  }
  return lines;
}

/**
 * --reset-offsets' plan: GROUP TOPIC PARTITION NEW-OFFSET, printed whenever a group was asked
 * about, even one refused for being active (then the header stands alone).
 */
export function offsetsToResetLines(plan: ReadonlyMap<string, TopicPartitionMap<bigint>>): string[] {
  if (plan.size === 0) return [];
  const line = (g: string, t: string, p: string, o: string): string =>
    `${pad(g, 30)} ${pad(t, 30)} ${pad(p, 10)} ${pad(o, 15)}`;
  const lines = ['', line('GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET')];
  for (const [group, offsets] of plan)
    for (const [tp, offset] of offsets)
      lines.push(line(group, tp.topic, String(tp.partition), String(offset)));
  return lines;
}

/** A CSV field as Jackson's CSV writer quotes it: only when it holds a comma, quote or line break. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * --export: one CSV line per partition, `topic,partition,offset` for a single --group,
 * `group,topic,partition,offset` otherwise, then the empty line Kafka's println adds.
 */
export function exportCsvLines(
  plan: ReadonlyMap<string, TopicPartitionMap<bigint>>,
  singleGroup: boolean,
): string[] {
  const lines: string[] = [];
  for (const [group, offsets] of plan)
    for (const [tp, offset] of offsets) {
      const fields = [tp.topic, String(tp.partition), String(offset)];
      lines.push((singleGroup ? fields : [group, ...fields]).map(csvField).join(','));
    }
  lines.push('');
  return lines;
}

/** --delete: Kafka's success line, or its list of failures (and successes). */
export function deleteGroupsLines(results: ReadonlyMap<string, Error | null>): OutputLine[] {
  const success = [...results].filter(([, e]) => e === null).map(([g]) => g);
  const failed = [...results].filter(([, e]) => e !== null) as Array<[string, Error]>;
  const quoted = (groups: string[]): string => `'${groups.join("', '")}'`;
  if (failed.length === 0)
    return [out(`Deletion of requested consumer groups (${quoted(success)}) was successful.`)];
  const lines = errorLines('Deletion of some consumer groups failed:');
  for (const [group, error] of failed)
    lines.push(out(`* Group '${group}' could not be deleted due to: ${executionExceptionText(error)}`));
  if (success.length > 0)
    lines.push(out(''), out(`These consumer groups were deleted successfully: ${quoted(success)}`));
  return lines;
}

/**
 * --delete-offsets: the outcome by the group-level error (Kafka names the first partition's error
 * when the group has none), then TOPIC PARTITION STATUS per partition, ordered as Kafka orders
 * them: by the text topic + partition. A topic whose partitions could not be listed shows
 * "Not Provided".
 */
export function deleteOffsetsLines(
  groupId: string,
  topicArgs: readonly string[],
  topLevelErrorCode: number,
  partitionResults: ReadonlyArray<readonly [TopicPartition, Error | null]>,
): OutputLine[] {
  const lines: OutputLine[] = [];
  switch (topLevelErrorCode) {
    case ErrorCode.NONE:
      lines.push(
        out(`Request succeed for deleting offsets with topic ${topicArgs.join(', ')} group ${groupId}`),
      );
      break;
    case ErrorCode.INVALID_GROUP_ID:
      lines.push(...errorLines(`'${groupId}' is not valid.`));
      break;
    case ErrorCode.GROUP_ID_NOT_FOUND:
      lines.push(...errorLines(`'${groupId}' does not exist.`));
      break;
    case ErrorCode.GROUP_AUTHORIZATION_FAILED:
      lines.push(...errorLines(`Access to '${groupId}' is not authorized.`));
      break;
    case ErrorCode.NON_EMPTY_GROUP:
      lines.push(
        ...errorLines(
          `Deleting offsets of a consumer group '${groupId}' is forbidden if the group is not empty.`,
        ),
      );
      break;
    case ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC:
    case ErrorCode.TOPIC_AUTHORIZATION_FAILED:
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      lines.push(...errorLines('Encounter some partition level error, see the follow-up details:'));
      break;
    default:
      lines.push(
        ...errorLines(`Encounter some unknown error: ${new KafkaApiError(topLevelErrorCode).errorName}`),
      );
  }
  const line = (t: string, p: string, s: string): string => `${pad(t, 30)} ${pad(p, 15)} ${pad(s, 15)}`;
  lines.push(out(''), out(line('TOPIC', 'PARTITION', 'STATUS')));
  const sorted = [...partitionResults].sort(([a], [b]) =>
    compareJavaStrings(`${a.topic}${a.partition}`, `${b.topic}${b.partition}`),
  );
  for (const [tp, error] of sorted) {
    lines.push(
      out(
        line(
          tp.topic,
          tp.partition >= 0 ? String(tp.partition) : 'Not Provided',
          error === null ? 'Successful' : `Error: ${failureText(error)}`,
        ),
      ),
    );
  }
  return lines;
}

/** Java's String.compareTo (UTF-16 code units), which Scala's default string ordering uses. */
export function compareJavaStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Kafka's TopicPartition.toString, for messages. */
export const tpText = (tp: TopicPartition): string => topicPartitionKey(tp);
