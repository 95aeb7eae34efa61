import { topicPartitionKey, type TopicPartition, TopicPartitionMap } from '@samsa/common';
import { readFileSync } from 'node:fs';
import { KafkaZkClient, ZkError, type Broker, type ReplicaAssignment } from '@samsa/zk';
import { assignReplicasToBrokers } from '@samsa/admin-zk';
import { OptionParser, UsageError, type ParsedOptions } from '../cli/OptionParser';
import { applyThrottles, clearAllThrottles } from './ReassignmentThrottles';
import {
  formatAsReassignmentJson,
  parseBrokerList,
  parseReassignmentJson,
  parseTopicsToMoveJson,
  sortPartitions,
  type PartitionReplicas,
} from './ReassignmentJson';

export interface ReassignIo {
  out(line: string): void;
  err(line: string): void;
}

/** The ZooKeeper calls the command makes (KafkaZkClient; a fake in tests). */
export interface ReassignZk {
  getAllBrokersInCluster(): Promise<Broker[]>;
  getAllTopicsInCluster(): Promise<Set<string>>;
  getFullReplicaAssignmentForTopics(topics: Iterable<string>): Promise<TopicPartitionMap<ReplicaAssignment>>;
  getPartitionReassignment(): Promise<TopicPartitionMap<number[]>>;
  createPartitionReassignment(reassignment: Iterable<readonly [TopicPartition, readonly number[]]>): Promise<void>;
  /** /config/<type>/<name> and its change notification: the throttles (--throttle, --verify). */
  getEntityConfigs(rootEntityType: string, sanitizedEntityName: string): Promise<Map<string, string>>;
  setOrCreateEntityConfigs(rootEntityType: string, sanitizedEntityName: string, config: ReadonlyMap<string, string>): Promise<void>;
  createConfigChangeNotification(sanitizedEntityPath: string): Promise<string>;
  close(): Promise<void>;
}

export interface ReassignCommandDeps {
  connectZk?: (connectString: string) => Promise<ReassignZk>;
  readFile?: (path: string) => string;
}

const HELP_SUMMARY =
  'This tool helps to move topic partitions between replicas. Missing arguments; see --help.';

function parser(): OptionParser {
  return new OptionParser()
    .acceptsArg('zookeeper', 'REQUIRED: The connection string for the zookeeper connection in the form host:port.', 'urls')
    .accepts('generate', 'Generate a candidate partition reassignment configuration.')
    .accepts('execute', 'Kick off the reassignment as specified by the --reassignment-json-file option.')
    .accepts('verify', 'Verify if the reassignment completed as specified by the --reassignment-json-file option.')
    .acceptsArg('reassignment-json-file', 'The JSON file with the partition reassignment configuration.', 'manual assignment json file path')
    .acceptsArg('topics-to-move-json-file', 'Generate a reassignment configuration to move the partitions of the specified topics to the list of brokers specified by the --broker-list option.', 'topics to reassign json file path')
    .acceptsArg('broker-list', 'The list of brokers to which the partitions need to be reassigned in the form "0,1,2".', 'brokerlist')
    .acceptsArg('throttle', 'The movement of partitions between brokers will be throttled to this value (bytes/sec). This option can be included with --execute when a reassignment is started, and it can be altered by resubmitting the current reassignment along with the --additional flag. The throttle rate should be at least 1 KB/s.', 'throttle', 'long')
    .acceptsArg('replica-alter-log-dirs-throttle', 'The movement of replicas between log directories on the same broker will be throttled to this value (bytes/sec). This option can be included with --execute when a reassignment is started, and it can be altered by resubmitting the current reassignment along with the --additional flag. The throttle rate should be at least 1 KB/s.', 'replicaAlterLogDirsThrottle', 'long')
    .accepts('preserve-throttles', 'Do not modify broker or topic throttles.')
    .accepts('help', 'Print usage information.');
}

type Action = 'generate' | 'execute' | 'verify';

function checkArgs(options: ParsedOptions): Action {
  const actions = (['generate', 'execute', 'verify'] as const).filter((a) => options.has(a));
  if (actions.length !== 1) throw new UsageError('Command must include exactly one action: --generate, --execute or --verify');
  if (!options.has('zookeeper')) throw new UsageError('Missing required argument "[zookeeper]"');
  const action = actions[0];
  if (action === 'generate') {
    if (!options.has('topics-to-move-json-file')) throw new UsageError('Missing required argument "[topics-to-move-json-file]"');
    if (!options.has('broker-list')) throw new UsageError('Missing required argument "[broker-list]"');
    if (options.has('reassignment-json-file'))
      throw new UsageError('Option "[reassignment-json-file]" can\'t be used with option "[generate]"');
  } else {
    if (!options.has('reassignment-json-file')) throw new UsageError('Missing required argument "[reassignment-json-file]"');
    for (const o of ['topics-to-move-json-file', 'broker-list'])
      if (options.has(o)) throw new UsageError(`Option "[${o}]" can't be used with option "[${action}]"`);
  }
  if (action !== 'execute')
    for (const o of ['throttle', 'replica-alter-log-dirs-throttle'])
      if (options.has(o)) throw new UsageError(`Option "[${o}]" can't be used with option "[${action}]"`);
  if (action !== 'verify' && options.has('preserve-throttles'))
    throw new UsageError(`Option "[preserve-throttles]" can't be used with option "[${action}]"`);
  return action;
}

const defaultConnectZk = (connectString: string): Promise<ReassignZk> =>
  KafkaZkClient.connect(connectString, {
    sessionTimeoutMs: 30_000,
    connectionTimeoutMs: 30_000,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });

function readInput(deps: ReassignCommandDeps, path: string): string {
  try {
    return (deps.readFile ?? ((p) => readFileSync(p, 'utf8')))(path);
  } catch (error) {
    throw new UsageError(`Unable to read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * kafka-reassign-partitions in ZooKeeper mode (Kafka 2.x ReassignPartitionsCommand with
 * --zookeeper). Usage errors and bad input: one line on stderr, exit 1.
 */
export async function runReassignPartitionsCommand(
  args: readonly string[],
  io: ReassignIo,
  deps: ReassignCommandDeps = {},
): Promise<number> {
  if (args.length === 0) {
    io.err(HELP_SUMMARY);
    return 1;
  }
  let zk: ReassignZk | undefined;
  try {
    const options = parser().parse(args);
    if (options.has('help')) {
      io.out(parser().helpText());
      return 0;
    }
    const action = checkArgs(options);
    // Parse the input before connecting, so bad input fails fast.
    const reassignment =
      action === 'generate' ? null : parseReassignmentJson(readInput(deps, options.valueOf('reassignment-json-file')!));
    const generate =
      action === 'generate'
        ? {
            topics: parseTopicsToMoveJson(readInput(deps, options.valueOf('topics-to-move-json-file')!)),
            brokers: parseBrokerList(options.valueOf('broker-list')!),
          }
        : null;
    zk = await (deps.connectZk ?? defaultConnectZk)(options.valueOf('zookeeper')!);
    if (generate !== null) return await generateAssignment(zk, io, generate.topics, generate.brokers);
    if (action === 'execute') {
      const throttle = {
        interBroker: Number(options.longValueOf('throttle') ?? -1n),
        logDirs: Number(options.longValueOf('replica-alter-log-dirs-throttle') ?? -1n),
      };
      return await executeAssignment(zk, io, reassignment!, throttle);
    }
    return await verifyAssignment(zk, io, reassignment!, options.has('preserve-throttles'));
  } catch (error) {
    io.err(error instanceof UsageError ? error.message : `Error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    if (zk !== undefined) await zk.close().catch(() => {});
  }
}

async function currentAssignment(zk: ReassignZk, topics: Iterable<string>): Promise<PartitionReplicas[]> {
  const full = await zk.getFullReplicaAssignmentForTopics(topics);
  return full.entries().map(([tp, a]) => ({ topic: tp.topic, partition: tp.partition, replicas: a.replicas }));
}

async function generateAssignment(
  zk: ReassignZk,
  io: ReassignIo,
  topics: readonly string[],
  brokerIds: readonly number[],
): Promise<number> {
  const brokers = await zk.getAllBrokersInCluster();
  const known = new Set(brokers.map((b) => b.id));
  const unknown = brokerIds.filter((b) => !known.has(b));
  if (unknown.length > 0) throw new UsageError(`The following brokers are not available: ${unknown.join(',')}`);
  const current = await currentAssignment(zk, topics);
  const missing = topics.filter((t) => !current.some((p) => p.topic === t));
  if (missing.length > 0) throw new UsageError(`Topic(s) ${missing.join(',')} do not exist`);
  const proposed: PartitionReplicas[] = [];
  for (const topic of topics) {
    const parts = current.filter((p) => p.topic === topic);
    const rf = parts[0].replicas.length;
    const assigned = assignReplicasToBrokers(
      brokerIds.map((id) => ({ id })),
      parts.length,
      rf,
    );
    for (const [partition, replicas] of assigned) proposed.push({ topic, partition, replicas });
  }
  io.out('Current partition replica assignment');
  io.out(formatAsReassignmentJson(current));
  io.out('');
  io.out('Proposed partition reassignment configuration');
  io.out(formatAsReassignmentJson(proposed));
  return 0;
}

async function executeAssignment(
  zk: ReassignZk,
  io: ReassignIo,
  proposed: PartitionReplicas[],
  throttle: { readonly interBroker: number; readonly logDirs: number },
): Promise<number> {
  const topics = new Set(proposed.map((p) => p.topic));
  const current = await currentAssignment(zk, topics);
  const exists = new Set(current.map(topicPartitionKey));
  const nonExistent = proposed.filter((p) => !exists.has(topicPartitionKey(p)));
  if (nonExistent.length > 0)
    throw new UsageError(
      `The proposed assignment contains non-existent partitions: ${nonExistent.map(topicPartitionKey).join(',')}`,
    );
  const live = new Set((await zk.getAllBrokersInCluster()).map((b) => b.id));
  const badBrokers = [...new Set(proposed.flatMap((p) => p.replicas))].filter((b) => !live.has(b));
  if (badBrokers.length > 0)
    throw new UsageError(`The proposed assignment contains non-existent brokerIDs: ${badBrokers.join(',')}`);
  io.out('Current partition replica assignment');
  io.out('');
  io.out(formatAsReassignmentJson(current.filter((p) => proposed.some((q) => q.topic === p.topic && q.partition === p.partition))));
  io.out('');
  io.out('Save this to use as the --reassignment-json-file option during rollback');
  if (throttle.interBroker >= 0 || throttle.logDirs >= 0) {
    if ((await zk.getPartitionReassignment()).size > 0) {
      io.err('There is an existing assignment running.');
      return 1;
    }
    await applyThrottles(zk, io, proposed, current, throttle);
  }
  try {
    await zk.createPartitionReassignment(
      sortPartitions(proposed).map((p) => [{ topic: p.topic, partition: p.partition }, p.replicas] as const),
    );
  } catch (error) {
    if (ZkError.is(error, 'NODEEXISTS')) {
      io.err('There is an existing assignment running.');
      return 1;
    }
    throw error;
  }
  io.out('Successfully started reassignment of partitions.');
  return 0;
}

async function verifyAssignment(
  zk: ReassignZk,
  io: ReassignIo,
  proposed: PartitionReplicas[],
  preserveThrottles: boolean,
): Promise<number> {
  const pending = await zk.getPartitionReassignment();
  const full = await zk.getFullReplicaAssignmentForTopics(new Set(proposed.map((p) => p.topic)));
  io.out('Status of partition reassignment: ');
  let failed = false;
  let inProgress = false;
  for (const p of sortPartitions(proposed)) {
    const tp = { topic: p.topic, partition: p.partition };
    const name = topicPartitionKey(p);
    const a = full.get(tp);
    const moving = a !== undefined && (a.addingReplicas.length > 0 || a.removingReplicas.length > 0);
    if (pending.has(tp) || moving) {
      io.out(`Reassignment of partition ${name} is still in progress`);
      inProgress = true;
    }
    else if (a !== undefined && a.replicas.length === p.replicas.length && a.replicas.every((r, i) => r === p.replicas[i]))
      io.out(`Reassignment of partition ${name} completed successfully`);
    else {
      io.out(`Reassignment of partition ${name} failed`);
      failed = true;
    }
  }
  // Kafka 2.8: once no reassignment is left in /admin/reassign_partitions, the throttles go (here
  // also only once none of the plan's partitions still has replicas being added or removed)
  if (pending.size === 0 && !inProgress && !preserveThrottles) await clearAllThrottles(zk, io, proposed);
  return failed ? 1 : 0;
}
