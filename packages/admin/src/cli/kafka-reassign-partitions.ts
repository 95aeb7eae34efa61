#!/usr/bin/env node
/**
 * kafka-reassign-partitions: generate, execute or verify a partition reassignment through
 * ZooKeeper (--zookeeper), with Kafka 2.x's output; see ReassignPartitionsCommand and --help.
 */
import { runReassignPartitionsCommand } from '../reassign/ReassignPartitionsCommand';

runReassignPartitionsCommand(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kafka-reassign-partitions: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
