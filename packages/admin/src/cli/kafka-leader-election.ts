#!/usr/bin/env node
/**
 * kafka-leader-election --bootstrap-server: preferred or unclean leader election through the
 * ElectLeaders API of the active controller. Output is Kafka 2.8's.
 */
import { runLeaderElectionCommand } from '../election/LeaderElectionCommand';

runLeaderElectionCommand(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kafka-leader-election: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
