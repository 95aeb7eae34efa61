import { COMMAND_CONFIG_HELP, commandConfigSecurity } from '../cli/CommandConfig';
import { OptionParser, UsageError } from '../cli/OptionParser';
import { RecordFetcher } from '../client/RecordFetcher';
import { adminTimeoutMs, parseBootstrapServers } from '../client/ToolClient';
import type { ToolIo } from '../console/ConsoleProducer';
import { parseToolOptions, runTool } from '../client/ToolRun';

function parser(): OptionParser {
  return new OptionParser()
    .acceptsArg('broker-list', 'DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is specified. The list of hostname and port of the server to connect to in the form HOST1:PORT1,HOST2:PORT2.', 'HOST1:PORT1,...,HOST3:PORT3')
    .acceptsArg('bootstrap-server', 'REQUIRED. The server(s) to connect to in the form HOST1:PORT1,HOST2:PORT2.', 'HOST1:PORT1,...,HOST3:PORT3')
    .acceptsArg('topic', 'REQUIRED: The topic to get offset from.', 'topic')
    .acceptsArg('partitions', 'comma separated list of partition ids. If not specified, it will find offsets for all partitions (default: )', 'partition ids')
    .acceptsArg('time', 'timestamp of the offsets before that. [Note: No offset is returned, if the timestamp greater than recently commited record timestamp is given.] (default: -1)', 'timestamp/-1(latest)/-2(earliest)', 'long')
    .acceptsArg('offsets', 'DEPRECATED AND IGNORED: number of offsets returned (default: 1)', 'count', 'int')
    .acceptsArg('max-wait-ms', 'DEPRECATED AND IGNORED: The max amount of time each fetch request waits. (default: 1000)', 'ms', 'int')
    .acceptsArg('command-config', COMMAND_CONFIG_HELP, 'config file')
    .accepts('help', 'Print usage information.')
    .accepts('version', 'Display Kafka version.');
}

/**
 * kafka-get-offsets (Kafka 2.8 GetOffsetShell, also `kafka-run-class.sh kafka.tools.GetOffsetShell`):
 * `topic:partition:offset` per partition of --topic (or of --partitions), in partition order, for
 * --time -1 (latest), -2 (earliest) or a timestamp (an empty offset where no record is that
 * late), with Kafka's lines for a missing topic, missing partitions and partitions without leader.
 */
export function runGetOffsetShell(args: readonly string[], io: ToolIo): Promise<number> {
  return runTool(io, async (run) => {
    const options = parseToolOptions(parser, args, io, { description: 'An interactive shell for getting topic offsets.' });
    if (options === null) return 0;
    const bootstrap = options.valueOf('bootstrap-server') ?? options.valueOf('broker-list');
    if (bootstrap === undefined) throw new UsageError('Missing required argument "[bootstrap-server]"');
    const topic = options.valueOf('topic');
    if (topic === undefined) throw new UsageError('Missing required argument "[topic]"');
    parseBootstrapServers(bootstrap);
    const partitionsText = options.valueOf('partitions') ?? '';
    const requested = new Set<number>();
    if (partitionsText !== '') {
      for (const p of partitionsText.split(',')) {
        if (!/^\s*-?\d+\s*$/.test(p))
          throw new UsageError(`--partitions expects a comma separated list of numeric partition ids, but received: ${partitionsText}`);
        requested.add(Number(p));
      }
    }
    const time = Number(options.longValueOf('time') ?? -1n);
    const security = commandConfigSecurity(options.valueOf('command-config'));
    const timeoutMs = adminTimeoutMs();
    const client = run.open({ bootstrapServers: bootstrap, clientId: 'GetOffsetShell', requestTimeoutMs: timeoutMs, security });
    const md = await client.metadata([topic]);
    const info = md.topics.find((t) => t.name === topic);
    if (info === undefined || info.partitions.length === 0) {
      io.err(`Topic ${topic} does not exist`);
      return 1;
    }
    const chosen = info.partitions.filter((p) => requested.size === 0 || requested.has(p.partitionIndex));
    if (chosen.length === 0) {
      io.err(`Topic ${topic} does not have any of the requested partitions ${[...requested].join(',')}`);
      return 1;
    }
    for (const id of requested) if (!chosen.some((p) => p.partitionIndex === id)) io.err(`Error: partition ${id} does not exist`);
    const withLeader = [...chosen].sort((a, b) => a.partitionIndex - b.partitionIndex).filter((p) => {
      if (p.leaderId >= 0) return true;
      io.err(`Error: partition ${p.partitionIndex} does not have a leader. Skip getting offsets`);
      return false;
    });
    const fetcher = RecordFetcher.forOffsets(client, timeoutMs);
    const tps = withLeader.map((p) => ({ topic, partition: p.partitionIndex }));
    const offsets = await fetcher.listOffsets(tps, time);
    for (const tp of tps) io.out(`${topic}:${tp.partition}:${offsets.get(tp) ?? ''}`);
    return 0;
  });
}
