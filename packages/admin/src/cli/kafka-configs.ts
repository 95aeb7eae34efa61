#!/usr/bin/env node
/**
 * kafka-configs: SCRAM credentials of users through ZooKeeper (--zookeeper); see ConfigCommand.
 */
import { runConfigCommand } from '../configs/ConfigCommand';

runConfigCommand(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kafka-configs: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
