#!/usr/bin/env node
/** kafka-replica-verification: Kafka 2.8's ReplicaVerificationTool, replicas compared batch by batch up to their high watermarks. */
import { runReplicaVerificationTool } from '../replicaverification/ReplicaVerificationTool';

const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());

runReplicaVerificationTool(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  signal: stop.signal,
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kafka-replica-verification: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
