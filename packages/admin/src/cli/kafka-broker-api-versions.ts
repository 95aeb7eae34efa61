#!/usr/bin/env node
/** kafka-broker-api-versions: the API versions every broker of the cluster advertises, as Kafka 2.8's tool prints them. */
import { runBrokerApiVersionsCommand } from '../apiversions/BrokerApiVersionsCommand';

runBrokerApiVersionsCommand(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kafka-broker-api-versions: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
