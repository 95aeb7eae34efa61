#!/usr/bin/env node
/** kafka-get-offsets: Kafka 2.8's GetOffsetShell, topic:partition:offset per partition. */
import { runGetOffsetShell } from '../offsets/GetOffsetShell';

runGetOffsetShell(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kafka-get-offsets: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
