#!/usr/bin/env node
/**
 * kafka-consumer-groups: list, describe, delete consumer groups, reset or delete their offsets,
 * through a broker's Admin API (Samsa's client). Output and exit statuses are Kafka 2.8's; see
 * groups/ConsumerGroupCommand and --help.
 */
import { runConsumerGroupCommand } from '../groups/ConsumerGroupCommand';

runConsumerGroupCommand(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `kafka-consumer-groups: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
