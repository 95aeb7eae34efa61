#!/usr/bin/env node
/**
 * kafka-console-producer: stdin lines → records (keys and headers through --property), Kafka
 * 2.8's flags and messages.
 */
import { runConsoleProducer } from '../console/ConsoleProducer';

runConsoleProducer(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  stdin: process.stdin,
  prompt: process.stdin.isTTY ? (text) => process.stdout.write(text) : undefined,
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kafka-console-producer: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
