#!/usr/bin/env node
/**
 * kafka-preferred-replica-election --zookeeper: asks the controller, through
 * /admin/preferred_replica_election, to move leadership back to each partition's preferred replica.
 */
import { runPreferredReplicaElectionCommand } from '../election/PreferredReplicaElectionCommand';

runPreferredReplicaElectionCommand(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `kafka-preferred-replica-election: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
