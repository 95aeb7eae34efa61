#!/usr/bin/env node
/**
 * kafka-console-consumer: records of a topic to stdout through Kafka's message formatters (keys,
 * headers, partitions, offsets, groups, __consumer_offsets), Kafka 2.8's flags and messages.
 */
import { runConsoleConsumer } from '../console/ConsoleConsumer';

const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());
// `| head` closing the pipe ends the consumer as Kafka's does
process.stdout.on('error', () => stop.abort());

runConsoleConsumer(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  write: (chunk) => process.stdout.write(chunk),
  signal: stop.signal,
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kafka-console-consumer: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
