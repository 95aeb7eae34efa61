import { readFileSync } from 'node:fs';
import { topicPartitionKey, TopicPartitionMap } from '@samsa/common';
import { ApiKey, ErrorCode } from '@samsa/protocol';
import { COMMAND_CONFIG_HELP, commandConfigSecurity } from '../cli/CommandConfig';
import { OptionParser, UsageError } from '../cli/OptionParser';
import { adminTimeoutMs, javaException } from '../client/ToolClient';
import type { ToolIo } from '../console/ConsoleProducer';
import { parseToolOptions, runTool } from '../client/ToolRun';

function parser(): OptionParser {
  return new OptionParser()
    .acceptsArg('bootstrap-server', 'REQUIRED: The server to connect to.', 'server(s) to use for bootstrapping')
    .acceptsArg('offset-json-file', 'REQUIRED: The JSON file with offset per partition. The format to use is:\n{"partitions":\n  [{"topic": "foo", "partition": 1, "offset": 1}],\n "version":1\n}', 'Offset json file path')
    .acceptsArg('command-config', COMMAND_CONFIG_HELP, 'command config property file path')
    .accepts('help', 'Print usage information.')
    .accepts('version', 'Display Kafka version.');
}

/**
 * The offset JSON file (Kafka's DeleteRecordsCommand.parseOffsetJsonStringWithoutDedup):
 * version 1, `partitions` of {topic, partition, offset}; duplicates are refused with Kafka's words.
 */
export function parseOffsetJson(text: string): TopicPartitionMap<number> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError('The input string is not a valid JSON');
  }
  const obj = json as { version?: unknown; partitions?: unknown };
  if (typeof obj !== 'object' || obj === null) throw new UsageError('The input string is not a valid JSON');
  const version = obj.version ?? 1;
  if (version !== 1) throw new UsageError(`Not supported version field value ${String(version)}`);
  if (!Array.isArray(obj.partitions)) throw new UsageError('Missing partitions field');
  const out = new TopicPartitionMap<number>();
  const duplicates: string[] = [];
  for (const entry of obj.partitions as unknown[]) {
    const e = entry as { topic?: unknown; partition?: unknown; offset?: unknown };
    if (typeof e.topic !== 'string' || !Number.isInteger(e.partition) || !Number.isInteger(e.offset))
      throw new UsageError(`Each partition needs a string "topic" and integer "partition" and "offset": ${JSON.stringify(entry)}`);
    const tp = { topic: e.topic, partition: e.partition as number };
    if (out.has(tp)) duplicates.push(topicPartitionKey(tp));
    out.set(tp, e.offset as number);
  }
  if (duplicates.length > 0) throw new UsageError(`Offset json file contains duplicate topic partitions: ${duplicates.join(',')}`);
  return out;
}

/**
 * kafka-delete-records (Kafka 2.8 DeleteRecordsCommand): DeleteRecords to each partition's leader,
 * then `partition: topic-p\tlow_watermark: N` or `partition: topic-p\terror: <exception>` per
 * partition. Exit 1 when any partition failed (Kafka's tool exits 0 there; a script needs to know).
 */
export function runDeleteRecordsCommand(args: readonly string[], io: ToolIo, readFile: (p: string) => string = (p) => readFileSync(p, 'utf8')): Promise<number> {
  return runTool(io, async (run) => {
    const options = parseToolOptions(parser, args, io, { description: 'This tool helps to delete records of the given partitions down to the specified offset.' });
    if (options === null) return 0;
    const missing = ['bootstrap-server', 'offset-json-file'].filter((o) => !options.has(o));
    if (missing.length > 0) throw new UsageError(`Missing required argument "[${missing.join(', ')}]"`);
    const file = options.valueOf('offset-json-file')!;
    let text: string;
    try {
      text = readFile(file);
    } catch (error) {
      throw new UsageError(`Unable to read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const offsets = parseOffsetJson(text);
    const security = commandConfigSecurity(options.valueOf('command-config'));
    const timeoutMs = adminTimeoutMs();
    const client = run.open({ bootstrapServers: options.valueOf('bootstrap-server')!, clientId: 'adminclient-1', requestTimeoutMs: timeoutMs, security });
    io.out('Executing records delete operation');
    const topics = [...new Set([...offsets.keys()].map((tp) => tp.topic))];
    const md = await client.metadata(topics);
    const leaders = new Map<string, Map<number, number>>(md.topics.map((t) => [t.name, new Map(t.partitions.map((p) => [p.partitionIndex, p.leaderId]))]));
    const results = new TopicPartitionMap<string>();
    const byLeader = new Map<number, [string, number, number][]>();
    for (const [tp, offset] of offsets) {
      const leader = leaders.get(tp.topic)?.get(tp.partition);
      if (leader === undefined) results.set(tp, `error: ${javaException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)}`);
      else if (leader < 0) results.set(tp, `error: ${javaException(ErrorCode.LEADER_NOT_AVAILABLE)}`);
      else byLeader.set(leader, [...(byLeader.get(leader) ?? []), [tp.topic, tp.partition, offset]]);
    }
    await Promise.all(
      [...byLeader].map(async ([leader, entries]) => {
        const byTopic = new Map<string, { partitionIndex: number; offset: number }[]>();
        for (const [topic, partitionIndex, offset] of entries) byTopic.set(topic, [...(byTopic.get(topic) ?? []), { partitionIndex, offset }]);
        const response = await client.sendToNode(leader, ApiKey.DeleteRecords, 1, {
          timeoutMs: timeoutMs,
          topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
        });
        for (const t of response.topics)
          for (const p of t.partitions)
            results.set(
              { topic: t.name, partition: p.partitionIndex },
              p.errorCode === ErrorCode.NONE ? `low_watermark: ${p.lowWatermark}` : `error: ${javaException(p.errorCode)}`,
            );
      }),
    );
    io.out('Records delete operation completed:');
    let failed = false;
    for (const [tp] of offsets) {
      const result = results.get(tp) ?? `error: ${javaException(ErrorCode.UNKNOWN_SERVER_ERROR)}`;
      if (result.startsWith('error')) failed = true;
      io.out(`partition: ${topicPartitionKey(tp)}\t${result}`);
    }
    return failed ? 1 : 0;
  });
}
