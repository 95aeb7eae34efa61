import { topicPartitionKey, type TopicPartition } from '@samsa/common';
import { readFileSync } from 'node:fs';
import { parseHostPort, sendAndReceive, type BrokerAddress, type ClientSecurity } from '@samsa/client';
import {
  ApiKey,
  ErrorCode,
  errorInfo,
  type ElectLeadersRequestTopicPartitionsInput,
  type ElectLeadersResponse,
  type RequestInputFor,
  type ResponseFor,
} from '@samsa/protocol';
import { OptionParser, UsageError } from '../cli/OptionParser';
import { COMMAND_CONFIG_HELP, commandConfigSecurity, withSecurityHint } from '../cli/CommandConfig';
import { parseElectionJson } from './ElectionJson';
import type { ElectionIo } from './PreferredReplicaElectionCommand';

/** Sends one request to a broker and resolves with its typed answer; a fake in tests. */
export type SendRequest = <K extends number>(
  target: BrokerAddress,
  apiKey: K,
  apiVersion: number,
  body: RequestInputFor<K>,
) => Promise<ResponseFor<K>>;

/**
 * One request on a connection of its own, closed afterwards: the admin tools send one or two
 * requests, so there is nothing to pool. Rejects on connect failure, disconnect or `timeoutMs`.
 */
function sendRequest(timeoutMs: number, clientId: string, security: ClientSecurity | undefined): SendRequest {
  return (target, apiKey, apiVersion, body) =>
    sendAndReceive({ host: target.host, port: target.port, clientId, timeoutMs, security }, apiKey, apiVersion, body);
}

/**
 * The active controller's address, from a Metadata v1 request (no topics) to the first bootstrap
 * server that answers.
 */
async function findController(
  send: SendRequest,
  bootstrap: readonly BrokerAddress[],
): Promise<BrokerAddress & { id: number }> {
  let lastError: unknown = new Error('No bootstrap servers given');
  for (const server of bootstrap) {
    try {
      const metadata = await send(server, ApiKey.Metadata, 1, { topics: [] });
      const controllerId = metadata.controllerId;
      const broker = metadata.brokers.find((b) => b.nodeId === controllerId);
      if (broker === undefined) throw new Error(`The cluster has no active controller (controller id ${controllerId})`);
      return { id: controllerId, host: broker.host, port: broker.port };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

export interface LeaderElectionDeps {
  send?: SendRequest;
  readFile?: (path: string) => string;
  /** Deadline of each request and of the election (Kafka's tool: 30 s). */
  timeoutMs?: number;
}

/** ElectLeaders v1: the first version with the election type; v2 only adds tagged fields. */
const ELECT_LEADERS_VERSION = 1;

function parser(): OptionParser {
  return new OptionParser()
    .acceptsArg(
      'bootstrap-server',
      'A hostname and port for the broker to connect to, in the form host:port. Multiple comma separated URLs can be given. REQUIRED.',
      'host:port',
    )
    .acceptsArg('admin.config', 'Configuration properties files to pass to the admin client (as --command-config).', 'config file')
    .acceptsArg('command-config', COMMAND_CONFIG_HELP, 'config file')
    .acceptsArg(
      'election-type',
      'Type of election to attempt. Possible values are "preferred" for preferred leader election or "unclean" for unclean leader election. ' +
        'If preferred election is selection, the election is only performed if the current leader is not the preferred leader for the topic partition. ' +
        'If unclean election is selected, the election is only performed if there are no leader for the topic partition. REQUIRED.',
      'election type',
    )
    .acceptsArg(
      'topic',
      'Name of topic for which to perform an election. Not allowed if --path-to-json-file or --all-topic-partitions is specified.',
      'topic name',
    )
    .acceptsArg(
      'partition',
      'Partition id for which to perform an election. REQUIRED if --topic is specified.',
      'partition id',
      'int',
    )
    .accepts(
      'all-topic-partitions',
      'Perform election on all of the eligible topic partitions based on the type of election (see the --election-type flag). ' +
        'Not allowed if --topic or --path-to-json-file is specified.',
    )
    .acceptsArg(
      'path-to-json-file',
      'The JSON file with the list of partition for which leader elections should be performed. This is an example format. ' +
        '{"partitions": [{"topic": "foo", "partition": 1}, {"topic": "foobar", "partition": 2}]} ' +
        'Not allowed if --all-topic-partitions or --topic flags are specified.',
      'Path to JSON file',
    )
    .accepts('help', 'Print usage information.');
}

/** One partition's outcome as the ElectLeaders response gives it. */
interface PartitionOutcome {
  readonly topicPartition: TopicPartition;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

/**
 * kafka-leader-election (Kafka 2.8 LeaderElectionCommand), without kafkajs (it has no
 * electLeaders):
 *   1. validate the options as Kafka does (exactly one of --topic/--partition,
 *      --all-topic-partitions, --path-to-json-file);
 *   2. find the controller with a Metadata request to a bootstrap server;
 *   3. send it ElectLeaders v1 (null partitions for --all-topic-partitions);
 *   4. print "Successfully completed leader election (TYPE) for partitions …", "Valid replica
 *      already elected for partitions …" (Kafka 2.8 prints the succeeded set there, a bug; we print
 *      the partitions that needed no election) and one line per failure, which exits 1.
 * Usage errors and bad input: one line on stderr, exit 1.
 */
export async function runLeaderElectionCommand(
  args: readonly string[],
  io: ElectionIo,
  deps: LeaderElectionDeps = {},
): Promise<number> {
  let security: ClientSecurity | undefined;
  try {
    const options = parser().parse(args);
    if (options.has('help')) {
      io.out(parser().helpText());
      return 0;
    }
    const missing = ['bootstrap-server', 'election-type'].filter((o) => !options.has(o));
    if (missing.length > 0) throw new UsageError(`Missing required option(s): ${missing.join(', ')}`);
    const exclusive = ['topic', 'all-topic-partitions', 'path-to-json-file'];
    if (exclusive.filter((o) => options.has(o)).length !== 1)
      throw new UsageError(`One and only one of the following options is required: ${exclusive.join(', ')}`);
    if (options.has('topic') && !options.has('partition')) throw new UsageError('Missing required option(s): partition');
    if (!options.has('topic') && options.has('partition'))
      throw new UsageError('Option partition is only allowed if topic is used');
    const typeName = options.valueOf('election-type')!.toUpperCase();
    if (typeName !== 'PREFERRED' && typeName !== 'UNCLEAN')
      throw new UsageError(`Unknown election type: ${options.valueOf('election-type')}; expected preferred or unclean`);
    const electionType = typeName === 'PREFERRED' ? 0 : 1;

    let partitions: TopicPartition[] | null = null;
    if (options.has('topic')) {
      const partition = options.intValueOf('partition')!;
      if (partition < 0) throw new UsageError(`Invalid partition: ${partition}`);
      partitions = [{ topic: options.valueOf('topic')!, partition }];
    } else if (options.has('path-to-json-file')) {
      const file = options.valueOf('path-to-json-file')!;
      let text: string;
      try {
        text = (deps.readFile ?? ((p) => readFileSync(p, 'utf8')))(file);
      } catch (error) {
        throw new UsageError(`Unable to read ${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
      partitions = parseElectionJson(text, 'Replica election');
    }
    const bootstrap = options
      .valueOf('bootstrap-server')!
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .map((s) => {
        try {
          return parseHostPort(s);
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
      });

    const timeoutMs = deps.timeoutMs ?? 30_000;
    security = commandConfigSecurity(options.valueOf('admin.config') ?? options.valueOf('command-config'));
    const send = deps.send ?? sendRequest(timeoutMs, 'kafka-leader-election', security);
    let response: ElectLeadersResponse;
    try {
      const controller = await findController(send, bootstrap);
      response = await send(controller, ApiKey.ElectLeaders, ELECT_LEADERS_VERSION, {
        electionType,
        topicPartitions:
          partitions === null ? null : groupByTopic(partitions),
        timeoutMs,
      });
    } catch (error) {
      io.out('Error while making request');
      throw error;
    }
    const topError = response.errorCode ?? ErrorCode.NONE;
    if (topError !== ErrorCode.NONE) throw new Error(`${errorInfo(topError).name}: ${errorInfo(topError).message}`);
    return report(outcomes(response), typeName, io);
  } catch (error) {
    io.err(error instanceof UsageError ? error.message : `Error: ${withSecurityHint(error instanceof Error ? error.message : String(error), security)}`);
    return 1;
  }
}

function groupByTopic(partitions: readonly TopicPartition[]): ElectLeadersRequestTopicPartitionsInput[] {
  const byTopic = new Map<string, number[]>();
  for (const tp of partitions) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
  return [...byTopic].map(([topic, partitionId]) => ({ topic, partitionId }));
}

function outcomes(response: ElectLeadersResponse): PartitionOutcome[] {
  return response.replicaElectionResults.flatMap((t) =>
    t.partitionResult.map((p) => ({
      topicPartition: { topic: t.topic, partition: p.partitionId },
      errorCode: p.errorCode,
      errorMessage: p.errorMessage ?? null,
    })),
  );
}

/** Kafka's wording for a failed partition: the Java exception's class name and message. */
function exceptionText(o: PartitionOutcome): string {
  const info = errorInfo(o.errorCode);
  const className = info.name
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
  const suffix = className.endsWith('Exception') ? '' : 'Exception';
  return `org.apache.kafka.common.errors.${className}${suffix}: ${o.errorMessage ?? info.message}`;
}

function report(results: readonly PartitionOutcome[], typeName: string, io: ElectionIo): number {
  const succeeded = results.filter((r) => r.errorCode === ErrorCode.NONE);
  const noop = results.filter((r) => r.errorCode === ErrorCode.ELECTION_NOT_NEEDED);
  const failed = results.filter((r) => r.errorCode !== ErrorCode.NONE && r.errorCode !== ErrorCode.ELECTION_NOT_NEEDED);
  const list = (rs: readonly PartitionOutcome[]) => rs.map((r) => topicPartitionKey(r.topicPartition)).join(', ');
  if (succeeded.length > 0)
    io.out(`Successfully completed leader election (${typeName}) for partitions ${list(succeeded)}`);
  if (noop.length > 0) io.out(`Valid replica already elected for partitions ${list(noop)}`);
  if (failed.length === 0) return 0;
  for (const r of failed)
    io.out(
      `Error completing leader election (${typeName}) for partition: ${topicPartitionKey(r.topicPartition)}: ${exceptionText(r)}`,
    );
  io.err(`Error: ${failed.length} replica(s) could not be elected`);
  return 1;
}
