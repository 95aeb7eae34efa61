import { topicPartitionKey, type TopicPartition } from '@samsa/common';
import { readFileSync } from 'node:fs';
import { KafkaZkClient, ZkError } from '@samsa/zk';
import { OptionParser, UsageError } from '../cli/OptionParser';
import { parseElectionJson } from './ElectionJson';

export interface ElectionIo {
  out(line: string): void;
  err(line: string): void;
}

/** The ZooKeeper calls the command makes (KafkaZkClient; a fake in tests). */
export interface PreferredElectionZk {
  getAllPartitions(): Promise<TopicPartition[]>;
  createPreferredReplicaElection(partitions: Iterable<TopicPartition>): Promise<void>;
  getPreferredReplicaElection(): Promise<TopicPartition[]>;
  close(): Promise<void>;
}

export interface PreferredElectionDeps {
  connectZk?: (connectString: string) => Promise<PreferredElectionZk>;
  readFile?: (path: string) => string;
}

const HELP_SUMMARY =
  "This tool helps to causes leadership for each partition to be transferred back to the 'preferred replica', " +
  'it can be used to balance leadership among the servers.';

function parser(): OptionParser {
  return new OptionParser()
    .acceptsArg(
      'path-to-json-file',
      'The JSON file with the list of partitions for which preferred replica leader election should be done, ' +
        'in the following format - {"partitions": [{"topic": "foo", "partition": 1}, {"topic": "foobar", "partition": 2}]}. ' +
        'Defaults to all existing partitions',
      'list of partitions for which preferred replica leader election needs to be triggered',
    )
    .acceptsArg(
      'zookeeper',
      'REQUIRED: The connection string for the zookeeper connection in the form host:port. ' +
        'Multiple URLS can be given to allow fail-over.',
      'urls',
    )
    .accepts('help', 'Print usage information.');
}

const defaultConnectZk = (connectString: string): Promise<PreferredElectionZk> =>
  KafkaZkClient.connect(connectString, {
    sessionTimeoutMs: 30_000,
    connectionTimeoutMs: 30_000,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });

/**
 * kafka-preferred-replica-election --zookeeper (Kafka 2.x PreferredReplicaLeaderElectionCommand's
 * ZooKeeper path; output as Kafka 2.1's):
 *   1. the partitions: those of --path-to-json-file, else every partition in ZooKeeper;
 *   2. those that exist are written to /admin/preferred_replica_election (NODEEXISTS: an election
 *      is still pending, the command fails); the controller elects and deletes the znode;
 *   3. prints the "Created …" and "Successfully started …" lines, and skips unknown partitions.
 * Usage errors and bad input: one line on stderr, exit 1.
 */
export async function runPreferredReplicaElectionCommand(
  args: readonly string[],
  io: ElectionIo,
  deps: PreferredElectionDeps = {},
): Promise<number> {
  let zk: PreferredElectionZk | undefined;
  try {
    const options = parser().parse(args);
    if (options.has('help')) {
      io.out(HELP_SUMMARY);
      io.out(parser().helpText());
      return 0;
    }
    if (!options.has('zookeeper')) throw new UsageError('Missing required argument "[zookeeper]"');
    const jsonFile = options.valueOf('path-to-json-file');
    let requested: TopicPartition[] | null = null;
    if (jsonFile !== undefined) {
      let text: string;
      try {
        text = (deps.readFile ?? ((p) => readFileSync(p, 'utf8')))(jsonFile);
      } catch (error) {
        throw new UsageError(`Unable to read ${jsonFile}: ${error instanceof Error ? error.message : String(error)}`);
      }
      requested = parseElectionJson(text, 'Preferred replica election');
    }
    zk = await (deps.connectZk ?? defaultConnectZk)(options.valueOf('zookeeper')!);
    const all = await zk.getAllPartitions();
    const known = new Set(all.map(topicPartitionKey));
    const partitions = requested ?? all;
    const valid = partitions.filter((tp) => known.has(topicPartitionKey(tp)));
    const invalid = partitions.filter((tp) => !known.has(topicPartitionKey(tp)));
    try {
      await zk.createPreferredReplicaElection(valid);
    } catch (error) {
      if (ZkError.is(error, 'NODEEXISTS')) {
        const pending = await zk.getPreferredReplicaElection();
        throw new Error(
          `Preferred replica leader election currently in progress for ${pending.map(topicPartitionKey).join(',')}. Aborting operation`,
        );
      }
      throw error;
    }
    io.out(`Created preferred replica election path with ${valid.map(topicPartitionKey).join(',')}`);
    io.out(`Successfully started preferred replica election for partitions Set(${valid.map(topicPartitionKey).join(', ')})`);
    for (const tp of invalid)
      io.out(`Skipping preferred replica leader election for partition ${topicPartitionKey(tp)} since it doesn't exist.`);
    return 0;
  } catch (error) {
    io.err(error instanceof UsageError ? error.message : `Error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    if (zk !== undefined) await zk.close().catch(() => {});
  }
}
