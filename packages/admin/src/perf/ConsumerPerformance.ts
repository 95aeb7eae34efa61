import { OptionParser, UsageError } from '../cli/OptionParser';
import { ClientProperties } from '../client/ClientProperties';
import { GroupOffsets } from '../client/GroupOffsets';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, RecordFetcher } from '../client/RecordFetcher';
import { UnknownTopicError } from '../client/ToolClient';
import type { ToolIo } from '../console/ConsoleProducer';
import { TopicPartitionMap } from '@samsa/common';
import { parseToolOptions, runTool } from '../client/ToolRun';

function parser(): OptionParser {
  return new OptionParser()
    .acceptsArg('broker-list', 'DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is specified.  The broker list string in the form HOST1:PORT1,HOST2:PORT2.', 'broker-list')
    .acceptsArg('bootstrap-server', 'REQUIRED unless --broker-list(deprecated) is specified. The server(s) to connect to.', 'server to connect to')
    .acceptsArg('topic', 'REQUIRED: The topic to consume from.', 'topic')
    .acceptsArg('group', 'The group id to consume on. (default: perf-consumer-<random>)', 'gid')
    .acceptsArg('fetch-size', 'The amount of data to fetch in a single request. (default: 1048576)', 'size', 'int')
    .accepts('from-latest', 'If the consumer does not already have an established offset to consume from, start with the latest message present in the log rather than the earliest message.')
    .acceptsArg('socket-buffer-size', 'The size of the tcp RECV size. (default: 2097152)', 'size', 'int')
    .acceptsArg('threads', 'DEPRECATED AND IGNORED: Number of processing threads. (default: 10)', 'count', 'int')
    .acceptsArg('num-fetch-threads', 'DEPRECATED AND IGNORED: Number of fetcher threads. (default: 1)', 'count', 'int')
    .acceptsArg('consumer.config', 'Consumer config properties file.', 'config file')
    .acceptsArg('command-config', 'Consumer config properties file (as --consumer.config).', 'config file')
    .accepts('print-metrics', 'Print out the metrics.')
    .accepts('show-detailed-stats', 'If set, stats are reported for each reporting interval as configured by reporting-interval')
    .acceptsArg('timeout', 'The maximum allowed time in milliseconds between returned records. (default: 10000)', 'milliseconds', 'long')
    .acceptsArg('messages', 'REQUIRED: The number of messages to send or consume', 'count', 'long')
    .acceptsArg('reporting-interval', 'Interval in milliseconds at which to print progress info. (default: 5000)', 'interval_ms', 'int')
    .acceptsArg('date-format', 'The date format to use for formatting the time field. See java.text.SimpleDateFormat for options. (default: yyyy-MM-dd HH:mm:ss:SSS)', 'date format')
    .accepts('hide-header', 'If set, skips printing the header for the stats ')
    .accepts('help', 'Print usage information.')
    .accepts('version', 'Display Kafka version.');
}

/** java.text.SimpleDateFormat for the letters the perf tools use (y M d H m s S), local time. */
export function formatDate(pattern: string, ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w: number): string => String(n).padStart(w, '0');
  return pattern.replace(/y+|M+|d+|H+|m+|s+|S+/g, (token) => {
    const w = token.length;
    switch (token[0]) {
      case 'y':
        return w === 2 ? pad(d.getFullYear() % 100, 2) : pad(d.getFullYear(), w);
      case 'M':
        return pad(d.getMonth() + 1, w);
      case 'd':
        return pad(d.getDate(), w);
      case 'H':
        return pad(d.getHours(), w);
      case 'm':
        return pad(d.getMinutes(), w);
      case 's':
        return pad(d.getSeconds(), w);
      default:
        return pad(d.getMilliseconds(), w);
    }
  });
}

const MB = 1024 * 1024;

/**
 * kafka-consumer-perf-test (Kafka 2.8 ConsumerPerformance): --messages records of --topic read
 * from the group's position (earliest, or latest with --from-latest), then Kafka's header and
 * summary line (start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg,
 * nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec); with
 * --show-detailed-stats a line per --reporting-interval. Partitions are assigned, not joined:
 * rebalance.time.ms is the time to find the group's coordinator and committed offsets.
 */
export function runConsumerPerformance(args: readonly string[], io: ToolIo): Promise<number> {
  return runTool(io, async (run) => {
    const options = parseToolOptions(parser, args, io, { description: 'This tool helps in performance test for the full zookeeper consumer' });
    if (options === null) return 0;
    const missing = ['topic', 'messages'].filter((o) => !options.has(o));
    if (missing.length > 0) throw new UsageError(`Missing required argument "[${missing.join(', ')}]"`);
    const bootstrap = options.valueOf('bootstrap-server') ?? options.valueOf('broker-list');
    if (bootstrap === undefined) throw new UsageError('Missing required argument "[bootstrap-server]"');
    const topic = options.valueOf('topic')!;
    const messages = Number(options.longValueOf('messages'));
    const timeoutMs = Number(options.longValueOf('timeout') ?? 10_000n);
    const reportingInterval = options.intValueOf('reporting-interval') ?? 5000;
    if (reportingInterval <= 0) throw new UsageError('Reporting interval must be greater than 0.');
    const dateFormat = options.valueOf('date-format') ?? 'yyyy-MM-dd HH:mm:ss:SSS';
    const detailed = options.has('show-detailed-stats');
    const props = ClientProperties.from([options.valueOf('command-config'), options.valueOf('consumer.config')], []);
    const groupId = options.valueOf('group') ?? props.get('group.id') ?? `perf-consumer-${Math.floor(Math.random() * 100000)}`;
    const security = props.security();
    const requestTimeoutMs = props.int('request.timeout.ms', 30_000);
    const client = run.open({ bootstrapServers: bootstrap, clientId: props.get('client.id') ?? 'perf-consumer-client', requestTimeoutMs, security });
    const fromLatest = options.has('from-latest');
    const fetcher = new RecordFetcher({
      client,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 52_428_800,
      partitionMaxBytes: options.intValueOf('fetch-size') ?? 1_048_576,
      isolationLevel: 0,
      offsetReset: fromLatest ? 'latest' : 'earliest',
      requestTimeoutMs,
    });
    if (!options.has('hide-header')) {
      const extra = ', rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';
      io.out(detailed ? `time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec${extra}` : `start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec${extra}`);
    }
    const startMs = Date.now();
    let leaders;
    try {
      leaders = await client.leaders([topic], Date.now() + requestTimeoutMs);
    } catch (error) {
      if (error instanceof UnknownTopicError) throw new Error(`org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Topic ${topic} not present in metadata.`);
      throw error;
    }
    const tps = Array.from({ length: leaders.get(topic)?.length ?? 0 }, (_, partition) => ({ topic, partition }));
    const group = new GroupOffsets(client, groupId, () => Date.now() + requestTimeoutMs);
    const committed = await group.committed(tps);
    const missingTps = tps.filter((tp) => !committed.has(tp));
    const reset = missingTps.length === 0 ? new TopicPartitionMap<number | null>() : await fetcher.listOffsets(missingTps, fromLatest ? LATEST_TIMESTAMP : EARLIEST_TIMESTAMP);
    fetcher.assign(tps.map((tp) => [tp, committed.get(tp) ?? reset.get(tp) ?? 0] as const));
    const joinMs = Date.now() - startMs;
    let count = 0;
    let bytes = 0;
    let lastReportAt = Date.now();
    let lastCount = 0;
    let lastBytes = 0;
    let lastConsumedAt = Date.now();
    let firstReport = true;
    while (count < messages) {
      const records = await fetcher.poll();
      const now = Date.now();
      if (records.length > 0) lastConsumedAt = now;
      else if (now - lastConsumedAt > timeoutMs) break;
      for (const r of records) {
        if (count >= messages) break;
        count++;
        bytes += r.serializedSize;
        if (detailed && Date.now() - lastReportAt >= reportingInterval) {
          const t = Date.now();
          const elapsed = t - lastReportAt;
          const join = firstReport ? joinMs : 0;
          const fetchMs = Math.max(elapsed - join, 1);
          io.out(
            `${formatDate(dateFormat, t)}, 0, ${(bytes / MB).toFixed(4)}, ${((1000 * (bytes - lastBytes)) / MB / elapsed).toFixed(4)}, ${count}, ${((1000 * (count - lastCount)) / elapsed).toFixed(4)}` +
              `, ${join}, ${fetchMs}, ${((1000 * (bytes - lastBytes)) / MB / fetchMs).toFixed(4)}, ${((1000 * (count - lastCount)) / fetchMs).toFixed(4)}`,
          );
          firstReport = false;
          lastReportAt = t;
          lastCount = count;
          lastBytes = bytes;
        }
      }
      // the group's position follows what was consumed, as the consumer's auto-commit would leave it
      if (count >= messages) break;
    }
    const endMs = Date.now();
    await group.commit(fetcher.assignment().flatMap((tp) => {
      const pos = fetcher.position(tp);
      return pos === undefined ? [] : [[tp, pos] as const];
    }));
    if (count < messages)
      io.out(`WARNING: Exiting before consuming the expected number of messages: timeout (${timeoutMs} ms) exceeded. You can use the --timeout option to increase the timeout.`);
    const elapsedSecs = Math.max(endMs - startMs, 1) / 1000;
    const fetchTimeMs = Math.max(endMs - startMs - joinMs, 1);
    const totalMB = bytes / MB;
    if (!detailed)
      io.out(
        `${formatDate(dateFormat, startMs)}, ${formatDate(dateFormat, endMs)}, ${totalMB.toFixed(4)}, ${(totalMB / elapsedSecs).toFixed(4)}, ${count}, ${(count / elapsedSecs).toFixed(4)}, ${joinMs}, ${fetchTimeMs}, ${(totalMB / (fetchTimeMs / 1000)).toFixed(4)}, ${(count / (fetchTimeMs / 1000)).toFixed(4)}`,
      );
    return 0;
  });
}
