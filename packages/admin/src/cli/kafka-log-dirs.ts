#!/usr/bin/env node
/** kafka-log-dirs --describe: each broker's log directories, their partitions' sizes and lags, as Kafka 2.8's JSON. */
import { runLogDirsCommand } from '../logdirs/LogDirsCommand';

runLogDirsCommand(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kafka-log-dirs: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
