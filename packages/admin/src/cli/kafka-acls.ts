#!/usr/bin/env node
/**
 * kafka-acls: add, remove and list ACLs, in ZooKeeper (--authorizer-properties
 * zookeeper.connect=…) or through a broker (--bootstrap-server). Output is Kafka's; see AclCommand.
 */
import { runAclCommand } from '../acls/AclCommand';

runAclCommand(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kafka-acls: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
