import { TopicPartitionMap, type TopicPartition } from '@samsa/common';
import { UsageError } from '../cli/OptionParser';
import type { ConsumerGroupCommandOptions, ResetScenario } from './ConsumerGroupCommandOptions';
import { MISSING_SCENARIO_MESSAGE } from './ConsumerGroupCommandOptions';
import { compareJavaStrings, errorLines, tpText, type OutputLine } from './ConsumerGroupOutput';
import type { GroupAdmin } from './GroupAdmin';
import { durationTimestampMs, parseDateTime } from './resetTimes';

/**
 * --reset-offsets, as Kafka 2.8's ConsumerGroupService.resetOffsets: only an inactive group (Empty,
 * or Dead — never created) is reset; the scope is --all-topics (the group's committed partitions),
 * --topic T / T:0,1, or the --from-file plan; the scenario gives each partition its new offset,
 * kept within [log start, log end] (with Kafka's WARN when moved); --execute commits the plan.
 * Each group's plan is listed by topic, then partition.
 */
export interface ResetDeps {
  readonly admin: GroupAdmin;
  readonly nowMs: () => number;
  readonly readFile: (path: string) => string;
  /** A log4j WARN (stderr) from kafka.admin.ConsumerGroupCommand$. */
  readonly warn: (message: string) => void;
}

export interface ResetResult {
  /** Per group asked, its new offsets (empty for a group that was refused). */
  readonly plan: Map<string, TopicPartitionMap<bigint>>;
  /** Errors printed on the way (Kafka prints them before the plan). */
  readonly lines: OutputLine[];
}

type ResetPlanFile = Map<string, TopicPartitionMap<bigint>>;

export class OffsetsResetter {
  private planFromFile: ResetPlanFile | undefined;
  private readonly lines: OutputLine[] = [];

  constructor(
    private readonly deps: ResetDeps,
    private readonly opts: ConsumerGroupCommandOptions,
  ) {}

  async resetOffsets(groupIds: readonly string[]): Promise<ResetResult> {
    const { admin } = this.deps;
    const descriptions = await admin.describeConsumerGroups(groupIds);
    const plan = new Map<string, TopicPartitionMap<bigint>>();
    for (const { groupId, state } of descriptions) {
      if (state === 'Empty' || state === 'Dead') {
        const partitions = await this.partitionsToReset(groupId);
        const prepared = sortedByPartition(await this.prepareOffsetsToReset(groupId, partitions));
        if (this.opts.execute) await admin.alterConsumerGroupOffsets(groupId, prepared);
        plan.set(groupId, prepared);
      } else {
        this.lines.push(
          ...errorLines(
            `Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${state}.`,
          ),
        );
        plan.set(groupId, new TopicPartitionMap());
      }
    }
    return { plan, lines: this.lines };
  }

  private async partitionsToReset(groupId: string): Promise<TopicPartition[]> {
    if (this.opts.allTopics) return (await this.deps.admin.listConsumerGroupOffsets(groupId)).keys();
    if (this.opts.topics.length > 0) return this.parseTopicPartitionsToReset(this.opts.topics);
    if (this.opts.scenario?.kind === 'from-file') return [];
    throw new UsageError('One of the reset scopes should be defined: --all-topics, --topic.');
  }

  private async parseTopicPartitionsToReset(topicArgs: readonly string[]): Promise<TopicPartition[]> {
    const partitions: TopicPartition[] = [];
    for (const arg of topicArgs) {
      if (arg.includes(':')) {
        partitions.push(...parseTopicPartitionsArg(arg));
        continue;
      }
      const described = (await this.deps.admin.describeTopics([arg])).get(arg);
      if (described === undefined) throw new Error(`No description of topic ${arg}`);
      if (described instanceof Error) throw described;
      for (const partition of described) partitions.push({ topic: arg, partition });
    }
    return partitions;
  }

  private async prepareOffsetsToReset(
    groupId: string,
    partitions: readonly TopicPartition[],
  ): Promise<TopicPartitionMap<bigint>> {
    const { admin } = this.deps;
    const scenario: ResetScenario | undefined = this.opts.scenario;
    switch (scenario?.kind) {
      case 'to-offset':
        return this.checkOffsetsRange(new TopicPartitionMap(partitions.map((tp) => [tp, scenario.offset])));
      case 'to-earliest': {
        const starts = await admin.listOffsets(partitions, { kind: 'earliest' });
        return mapOrDie(partitions, starts, 'Error getting starting offset of topic partition');
      }
      case 'to-latest': {
        const ends = await admin.listOffsets(partitions, { kind: 'latest' });
        return mapOrDie(partitions, ends, 'Error getting ending offset of topic partition');
      }
      case 'shift-by': {
        const committed = await admin.listConsumerGroupOffsets(groupId);
        const requested = new TopicPartitionMap<bigint>();
        for (const tp of partitions) {
          const current = committed.get(tp);
          if (current === undefined)
            throw new UsageError(
              `Cannot shift offset for partition ${tpText(tp)} since there is no current committed offset`,
            );
          requested.set(tp, current + scenario.shift);
        }
        return this.checkOffsetsRange(requested);
      }
      case 'to-datetime':
        return this.offsetsForTimestamp(partitions, parseDateTime(scenario.datetime));
      case 'by-duration':
        return this.offsetsForTimestamp(
          partitions,
          durationTimestampMs(scenario.duration, this.deps.nowMs()),
        );
      case 'from-file': {
        const forGroup = this.resetPlanFromFile(scenario.path).get(groupId);
        if (forGroup === undefined) {
          this.lines.push(...errorLines(`No reset plan for group ${groupId} found`));
          return new TopicPartitionMap();
        }
        return this.checkOffsetsRange(forGroup);
      }
      case 'to-current': {
        const committed = await admin.listConsumerGroupOffsets(groupId);
        const withoutCommitted = partitions.filter((tp) => !committed.has(tp));
        const ends = await admin.listOffsets(withoutCommitted, { kind: 'latest' });
        const result = new TopicPartitionMap<bigint>();
        for (const tp of partitions) if (committed.has(tp)) result.set(tp, committed.get(tp)!);
        for (const [tp, offset] of mapOrDie(
          withoutCommitted,
          ends,
          'Error getting ending offset of topic partition',
        ))
          result.set(tp, offset);
        return result;
      }
      case undefined:
        throw new UsageError(MISSING_SCENARIO_MESSAGE);
    }
  }

  /** The first offset at or after the timestamp; the log end where no record is that late. */
  private async offsetsForTimestamp(
    partitions: readonly TopicPartition[],
    timestampMs: number,
  ): Promise<TopicPartitionMap<bigint>> {
    const { admin } = this.deps;
    const found = await admin.listOffsets(partitions, { kind: 'timestamp', timestampMs });
    const notFound = found
      .entries()
      .filter(([, offset]) => offset < 0n)
      .map(([tp]) => tp);
    const ends =
      notFound.length === 0
        ? new TopicPartitionMap<bigint>()
        : await admin.listOffsets(notFound, { kind: 'latest' });
    const offsets = new TopicPartitionMap<bigint>();
    for (const [tp, offset] of found) if (offset >= 0n) offsets.set(tp, offset);
    for (const [tp, offset] of ends) offsets.set(tp, offset);
    return mapOrDie(partitions, offsets, 'Error getting offset by timestamp of topic partition');
  }

  /** Kafka's checkOffsetsRange: above the log end → the log end; below the log start → the start. */
  private async checkOffsetsRange(requested: TopicPartitionMap<bigint>): Promise<TopicPartitionMap<bigint>> {
    const { admin, warn } = this.deps;
    const partitions = requested.keys();
    const starts = await admin.listOffsets(partitions, { kind: 'earliest' });
    const ends = await admin.listOffsets(partitions, { kind: 'latest' });
    const checked = new TopicPartitionMap<bigint>();
    for (const [tp, offset] of requested) {
      const end = ends.get(tp);
      const start = starts.get(tp);
      if (end !== undefined && offset > end) {
        warn(
          `New offset (${offset}) is higher than latest offset for topic partition ${tpText(tp)}. Value will be set to ${end}`,
        );
        checked.set(tp, end);
      } else if (start !== undefined && offset < start) {
        warn(
          `New offset (${offset}) is lower than earliest offset for topic partition ${tpText(tp)}. Value will be set to ${start}`,
        );
        checked.set(tp, start);
      } else {
        checked.set(tp, offset);
      }
    }
    return checked;
  }

  /** The --from-file plan, read once (Kafka's lazy val). */
  private resetPlanFromFile(path: string): ResetPlanFile {
    if (this.planFromFile === undefined) {
      let text: string;
      try {
        text = this.deps.readFile(path);
      } catch {
        // Java's NoSuchFileException (and friends) carry the path as their message.
        throw new Error(path);
      }
      this.planFromFile = parseResetPlan(
        text,
        this.opts.groups.length === 1 ? this.opts.groups[0] : undefined,
      );
    }
    return this.planFromFile;
  }
}

/** Each partition's offset, or Kafka's usage error naming the first partition without one. */
function mapOrDie(
  partitions: readonly TopicPartition[],
  offsets: TopicPartitionMap<bigint>,
  message: string,
): TopicPartitionMap<bigint> {
  const result = new TopicPartitionMap<bigint>();
  for (const tp of partitions) {
    const offset = offsets.get(tp);
    if (offset === undefined) throw new UsageError(`${message}: ${tpText(tp)}`);
    result.set(tp, offset);
  }
  return result;
}

function sortedByPartition(offsets: TopicPartitionMap<bigint>): TopicPartitionMap<bigint> {
  return new TopicPartitionMap(
    offsets.entries().sort(([a], [b]) => compareJavaStrings(a.topic, b.topic) || a.partition - b.partition),
  );
}

/** Java's String.split: trailing empty strings dropped. */
function javaSplit(s: string, separator: string): string[] {
  const parts = s.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Java's Integer.parseInt, with its NumberFormatException message. */
export function parseJavaInt(s: string): number {
  const n = /^[-+]?\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(n) || n < -2147483648 || n > 2147483647) throw new Error(`For input string: "${s}"`);
  return n;
}

/** `topic:0,1,2` → its partitions, read as Kafka reads them (split at ":" then ","). */
export function parseTopicPartitionsArg(arg: string): TopicPartition[] {
  const parts = javaSplit(arg, ':');
  if (parts.length < 2) throw new Error(`Index 1 out of bounds for length ${parts.length}`);
  return javaSplit(parts[1], ',').map((p) => ({ topic: parts[0], partition: parseJavaInt(p) }));
}

/** One CSV line's fields (double quotes may wrap a field; "" inside is a quote). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new Error(`Unterminated quoted value in CSV line: ${line}`);
        field += line.slice(i, q);
        i = q + 1;
        if (line[i] === '"') {
          field += '"';
          i++;
        } else break;
      }
    } else {
      const comma = line.indexOf(',', i);
      field = line.slice(i, comma < 0 ? undefined : comma);
      i = comma < 0 ? line.length : comma;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    if (line[i] !== ',') throw new Error(`Unexpected character after a quoted value in CSV line: ${line}`);
    i++;
  }
}

/**
 * A --from-file plan: `topic,partition,offset` lines for the one --group given, or
 * `group,topic,partition,offset` lines (the formats --export writes). As in Kafka, the short form
 * is used only when exactly one --group is given and the first line reads as it.
 */
export function parseResetPlan(text: string, singleGroup: string | undefined): ResetPlanFile {
  const lines = javaSplit(text, '\n').map((l) => l.replace(/\r$/, ''));
  const readsAsShort = (line: string): boolean => {
    const f = csvFields(line);
    return f.length === 3 && /^[-+]?\d+$/.test(f[1]) && /^[-+]?\d+$/.test(f[2]);
  };
  const short = singleGroup !== undefined && lines.length > 0 && readsAsShort(lines[0]);
  const plan: ResetPlanFile = new Map();
  lines.forEach((line, index) => {
    const f = csvFields(line);
    const expected = short ? 3 : 4;
    if (f.length !== expected || !/^[-+]?\d+$/.test(f[expected - 2]) || !/^[-+]?\d+$/.test(f[expected - 1]))
      throw new Error(
        `Line ${index + 1} of the reset plan is not ${short ? 'topic' : 'group,topic'},partition,offset: ${line}`,
      );
    const [group, topic, partition, offset] = short ? [singleGroup!, ...f] : f;
    const forGroup = plan.get(group) ?? new TopicPartitionMap<bigint>();
    forGroup.set({ topic, partition: parseJavaInt(partition) }, BigInt(offset));
    plan.set(group, forGroup);
  });
  return plan;
}
