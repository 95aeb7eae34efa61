#!/usr/bin/env node
/**
 * kafka-topics: create, delete, describe, or change a topic, through ZooKeeper (--zookeeper) or a
 * broker's Admin API (--bootstrap-server). Output is Kafka 2.1's; see TopicOutput and --help.
 */
import { runTopicCommand } from '../topics/TopicCommand';

runTopicCommand(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kafka-topics: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
