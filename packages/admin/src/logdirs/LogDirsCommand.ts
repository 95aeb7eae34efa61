import { ApiKey, ErrorCode, type DescribeLogDirsResponse } from '@samsa/protocol';
import { COMMAND_CONFIG_HELP, commandConfigSecurity } from '../cli/CommandConfig';
import { OptionParser, UsageError } from '../cli/OptionParser';
import { adminTimeoutMs, javaExceptionClass } from '../client/ToolClient';
import { parseToolOptions, runTool } from '../client/ToolRun';
import type { ToolIo } from '../console/ConsoleProducer';

function parser(): OptionParser {
  return new OptionParser()
    .acceptsArg('bootstrap-server', 'REQUIRED: the server(s) to use for bootstrapping', 'The server(s) to use for bootstrapping')
    .acceptsArg('command-config', COMMAND_CONFIG_HELP, 'Admin client property file')
    .accepts('describe', 'Describe the specified log directories on the specified brokers.')
    .acceptsArg('topic-list', 'The list of topics to be queried in the form "topic1,topic2,topic3". All topics will be queried if no topic list is specified (default: )', 'Topic list')
    .acceptsArg('broker-list', 'The list of brokers to be queried in the form "0,1,2". All brokers in the cluster will be queried if no broker list is specified', 'Broker list')
    .accepts('help', 'Print usage information.')
    .accepts('version', 'Display Kafka version.');
}

/** One broker's answer, as kafka-log-dirs prints it. */
export interface BrokerLogDirs {
  readonly broker: number;
  readonly results: DescribeLogDirsResponse['results'];
}

/**
 * Kafka 2.8 LogDirsCommand.formatAsJson: {"version":1,"brokers":[{"broker":N,"logDirs":[{"logDir":…,
 * "error":null|"org.apache.kafka.common.errors.KafkaStorageException","partitions":[{"partition":
 * "topic-p","size":…,"offsetLag":…,"isFuture":…}]}]}]}, partitions of the --topic-list topics only.
 */
export function formatLogDirsJson(brokers: readonly BrokerLogDirs[], topics: ReadonlySet<string>): string {
  return JSON.stringify({
    version: 1,
    brokers: brokers.map((b) => ({
      broker: b.broker,
      logDirs: b.results.map((d) => ({
        logDir: d.logDir,
        error: d.errorCode === ErrorCode.NONE ? null : `org.apache.kafka.common.errors.${javaExceptionClass(d.errorCode)}`,
        partitions: d.topics
          .filter((t) => topics.size === 0 || topics.has(t.name))
          .flatMap((t) =>
            t.partitions.map((p) => ({ partition: `${t.name}-${p.partitionIndex}`, size: p.partitionSize, offsetLag: p.offsetLag, isFuture: p.isFutureKey })),
          ),
      })),
    })),
  });
}

/**
 * kafka-log-dirs --describe (Kafka 2.8 LogDirsCommand): DescribeLogDirs to each broker of
 * --broker-list (default: all), then Kafka's two progress lines and the JSON document.
 */
export function runLogDirsCommand(args: readonly string[], io: ToolIo): Promise<number> {
  return runTool(io, async (run) => {
    const options = parseToolOptions(parser, args, io, {
      description: 'This tool helps to query log directory usage on the specified brokers.',
      required: ['bootstrap-server', 'describe'],
    });
    if (options === null) return 0;
    const topics = new Set((options.valueOf('topic-list') ?? '').split(',').map((t) => t.trim()).filter((t) => t !== ''));
    const brokerListText = options.valueOf('broker-list');
    let brokerList: number[] | undefined;
    if (brokerListText !== undefined) {
      brokerList = brokerListText.split(',').filter((b) => b.trim() !== '').map((b) => {
        if (!/^\s*\d+\s*$/.test(b)) throw new UsageError(`java.lang.NumberFormatException: For input string: "${b}"`);
        return Number(b);
      });
    }
    const security = commandConfigSecurity(options.valueOf('command-config'));
    const client = run.open({ bootstrapServers: options.valueOf('bootstrap-server')!, clientId: 'adminclient-1', requestTimeoutMs: adminTimeoutMs(), security });
    const md = await client.metadata([]);
    const ids = brokerList ?? md.brokers.map((b) => b.nodeId).sort((a, b) => a - b);
    io.out('Querying brokers for log directories information');
    const answers = await Promise.all(
      ids.map(async (broker) => {
        if (!client.knownBrokers.has(broker)) throw new Error(`org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeLogDirs (broker ${broker} is not in the cluster)`);
        const response = await client.sendToNode(broker, ApiKey.DescribeLogDirs, 1, {
          // every partition, filtered here by --topic-list as Kafka's tool does
          topics: null,
        });
        return { broker, results: response.results };
      }),
    );
    io.out(`Received log directory information from brokers ${ids.join(',')}`);
    io.out(formatLogDirsJson(answers, topics));
    return 0;
  });
}
