import { topicPartitionKey, TopicPartitionMap, type TopicPartition } from '@samsa/common';
import { ErrorCode } from '@samsa/protocol';
import { UsageError } from '../cli/OptionParser';
import type { ConsumerGroupCommandOptions } from './ConsumerGroupCommandOptions';
import {
  compareJavaStrings,
  deleteGroupsLines,
  deleteOffsetsLines,
  exportCsvLines,
  groupStatesLines,
  membersLines,
  offsetsLines,
  offsetsToResetLines,
  statesLines,
  type GroupRows,
  type MemberAssignmentState,
  type OutputLine,
  type PartitionAssignmentState,
} from './ConsumerGroupOutput';
import {
  CONSUMER_GROUP_STATES,
  parseConsumerGroupState,
  type ConsumerGroupDescription,
  type ConsumerGroupState,
  type GroupAdmin,
} from './GroupAdmin';
import { AdminIllegalArgumentError, KafkaApiError } from './GroupErrors';
import { OffsetsResetter, parseTopicPartitionsArg, type ResetDeps } from './ResetOffsets';

/**
 * The work behind each action, as Kafka 2.8's ConsumerGroupService does it, over a GroupAdmin.
 * Every action gathers what it needs first and returns the lines to print (stdout, or stderr for
 * Kafka's notes and warnings), so a failure midway prints nothing of the action's table.
 */
export class ConsumerGroupService {
  constructor(
    private readonly admin: GroupAdmin,
    private readonly opts: ConsumerGroupCommandOptions,
    private readonly resetDeps: Omit<ResetDeps, 'admin'>,
  ) {}

  async run(): Promise<OutputLine[]> {
    switch (this.opts.action) {
      case 'list':
        return this.listGroups();
      case 'describe':
        return this.describeGroups();
      case 'delete':
        return this.deleteGroups();
      case 'reset-offsets':
        return this.resetOffsets();
      case 'delete-offsets':
        return this.deleteOffsets();
    }
  }

  private async listGroups(): Promise<OutputLine[]> {
    if (this.opts.listStates === undefined) {
      const listings = await this.admin.listConsumerGroups();
      return listings.map((l) => ({ stream: 'out', text: l.groupId }));
    }
    const states = consumerGroupStatesFromString(this.opts.listStates);
    const listings = (await this.admin.listConsumerGroups({ withState: true })).map((l) => ({
      groupId: l.groupId,
      state: l.state ?? 'Unknown',
    }));
    const shown = states.size === 0 ? listings : listings.filter((l) => states.has(l.state));
    return groupStatesLines(shown).map((text) => ({ stream: 'out', text }));
  }

  /** --group values (each once), or every consumer group with --all-groups. */
  private async groupIds(): Promise<string[]> {
    if (this.opts.allGroups) return (await this.admin.listConsumerGroups()).map((l) => l.groupId);
    return [...new Set(this.opts.groups)];
  }

  /** Descriptions by group id, in Kafka's TreeMap order (group ids sorted). */
  private async describeSorted(): Promise<ConsumerGroupDescription[]> {
    const descriptions = await this.admin.describeConsumerGroups(await this.groupIds());
    return [...descriptions].sort((a, b) => compareJavaStrings(a.groupId, b.groupId));
  }

  private async describeGroups(): Promise<OutputLine[]> {
    const descriptions = await this.describeSorted();
    switch (this.opts.describeView) {
      case 'offsets': {
        const groups: GroupRows<PartitionAssignmentState>[] = [];
        for (const d of descriptions) groups.push(await this.collectGroupOffsets(d));
        return offsetsLines(groups);
      }
      case 'members':
        return membersLines(descriptions.map(collectGroupMembers), this.opts.verbose);
      case 'state':
        return statesLines(
          descriptions.map((d) => ({
            group: d.groupId,
            coordinator: d.coordinator,
            assignmentStrategy: d.partitionAssignor,
            state: d.state,
            numMembers: d.members.length,
          })),
        );
    }
  }

  /**
   * Kafka's collectGroupsOffsets for one group: members with partitions (most partitions first,
   * each member's partitions by partition number), then committed partitions nobody is assigned
   * (by topic and partition, with "-" for the member columns). LAG is log end minus committed.
   */
  private async collectGroupOffsets(
    d: ConsumerGroupDescription,
  ): Promise<GroupRows<PartitionAssignmentState>> {
    const committed = await this.admin.listConsumerGroupOffsets(d.groupId);
    const members = d.members
      .filter((m) => m.assignment.length > 0)
      .sort((a, b) => b.assignment.length - a.assignment.length);
    const assigned = new TopicPartitionMap<true>();
    for (const m of members) for (const tp of m.assignment) assigned.set(tp, true);
    const unassigned = committed
      .keys()
      .filter((tp) => !assigned.has(tp))
      .sort((a, b) => compareJavaStrings(a.topic, b.topic) || a.partition - b.partition);
    const all = [...assigned.keys(), ...unassigned];
    const logEnd =
      all.length === 0
        ? new TopicPartitionMap<bigint>()
        : await this.admin.listOffsets(all, { kind: 'latest' });
    const row = (
      tp: TopicPartition,
      member: { consumerId: string; host: string; clientId: string },
    ): PartitionAssignmentState => {
      const offset = committed.get(tp);
      const logEndOffset = logEnd.get(tp);
      const lag =
        offset !== undefined && offset !== -1n && logEndOffset !== undefined
          ? logEndOffset - offset
          : undefined;
      return {
        group: d.groupId,
        topic: tp.topic,
        partition: tp.partition,
        offset,
        lag,
        logEndOffset,
        ...member,
      };
    };
    const rows: PartitionAssignmentState[] = [];
    for (const m of members) {
      const partitions = [...m.assignment].sort((a, b) => a.partition - b.partition);
      for (const tp of partitions)
        rows.push(row(tp, { consumerId: m.consumerId, host: m.host, clientId: m.clientId }));
    }
    for (const tp of unassigned) rows.push(row(tp, { consumerId: '-', host: '-', clientId: '-' }));
    return { group: d.groupId, state: d.state, rows };
  }

  private async deleteGroups(): Promise<OutputLine[]> {
    return deleteGroupsLines(await this.admin.deleteConsumerGroups(await this.groupIds()));
  }

  private async resetOffsets(): Promise<OutputLine[]> {
    const resetter = new OffsetsResetter({ ...this.resetDeps, admin: this.admin }, this.opts);
    const { plan, lines } = await resetter.resetOffsets(await this.groupIds());
    const printed = this.opts.exportCsv
      ? exportCsvLines(plan, this.opts.groups.length === 1)
      : offsetsToResetLines(plan);
    return [...lines, ...printed.map((text): OutputLine => ({ stream: 'out', text }))];
  }

  /** Kafka's deleteOffsets: `T:0,1` names partitions; a bare `T` means all of T's partitions. */
  private async deleteOffsets(): Promise<OutputLine[]> {
    if (this.opts.groups.length > 1)
      throw new Error('Found multiple arguments for option group, but you asked for only one');
    const groupId = this.opts.groups[0];
    const topics = this.opts.topics;
    const results = new TopicPartitionMap<Error | null>();
    const partitions: TopicPartition[] = topics
      .filter((t) => t.includes(':'))
      .flatMap(parseTopicPartitionsArg);
    const whole = topics.filter((t) => !t.includes(':'));
    const described =
      whole.length === 0 ? new Map<string, number[] | Error>() : await this.admin.describeTopics(whole);
    for (const [topic, result] of described) {
      if (result instanceof Error) results.set({ topic, partition: -1 }, result);
      else for (const partition of result) partitions.push({ topic, partition });
    }
    const unique = new TopicPartitionMap(partitions.map((tp): [TopicPartition, true] => [tp, true])).keys();
    const deleted = await this.admin.deleteConsumerGroupOffsets(groupId, unique);
    const partitionError = (tp: TopicPartition): Error | null => {
      if (deleted.errorCode !== ErrorCode.NONE) return new KafkaApiError(deleted.errorCode);
      const code = deleted.partitions.get(tp);
      if (code === undefined)
        return new AdminIllegalArgumentError(
          `Offset deletion result for partition "${topicPartitionKey(tp)}" was not included in the response`,
        );
      return code === ErrorCode.NONE ? null : new KafkaApiError(code);
    };
    let topLevel: number = deleted.errorCode;
    for (const tp of unique) {
      const error = partitionError(tp);
      results.set(tp, error);
      if (topLevel === ErrorCode.NONE && error !== null)
        topLevel = error instanceof KafkaApiError ? error.code : ErrorCode.UNKNOWN_SERVER_ERROR;
    }
    return deleteOffsetsLines(groupId, topics, topLevel, results.entries());
  }
}

function collectGroupMembers(d: ConsumerGroupDescription): GroupRows<MemberAssignmentState> {
  return {
    group: d.groupId,
    state: d.state,
    rows: d.members.map((m) => ({
      group: d.groupId,
      consumerId: m.consumerId,
      host: m.host,
      clientId: m.clientId,
      groupInstanceId: m.groupInstanceId ?? '',
      numPartitions: m.assignment.length,
      assignment: m.assignment,
    })),
  };
}

/** `--list --state a,b`: Kafka's state names, exactly (Kafka 2.8 compares case-sensitively). */
export function consumerGroupStatesFromString(input: string): Set<ConsumerGroupState> {
  if (input === '') return new Set();
  const names = input.split(',');
  while (names.length > 0 && names[names.length - 1] === '') names.pop(); // Java's String.split
  const states = new Set(names.map((s) => parseConsumerGroupState(s.trim())));
  if (states.has('Unknown'))
    throw new UsageError(
      `Invalid state list '${input}'. Valid states are: ${CONSUMER_GROUP_STATES.join(', ')}`,
    );
  return states;
}
