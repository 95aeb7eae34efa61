#!/usr/bin/env node
/** kafka-delete-records: moves partitions' log start offsets up with DeleteRecords, as Kafka 2.8's tool. */
import { runDeleteRecordsCommand } from '../deleterecords/DeleteRecordsCommand';

runDeleteRecordsCommand(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kafka-delete-records: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
