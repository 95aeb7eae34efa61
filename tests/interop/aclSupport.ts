import { runAclCommand } from '@samsa/admin';

/**
 * What the ACL tests share: our kafka-acls with --authorizer-properties zookeeper.connect=…,
 * writing Kafka's ACL znodes (and their change notifications) straight into ZooKeeper, as an
 * operator does before or while the brokers run.
 */

/** kafka-acls --authorizer-properties zookeeper.connect=`zkConnect` `args`; throws unless it exits 0. */
export async function kafkaAcls(zkConnect: string, ...args: string[]): Promise<void> {
  const err: string[] = [];
  const code = await runAclCommand(
    ['--authorizer-properties', `zookeeper.connect=${zkConnect}`, ...args],
    { out: () => undefined, err: (l) => err.push(l) },
    { timeoutMs: 15_000 },
  );
  if (code !== 0) throw new Error(`kafka-acls ${args.join(' ')} failed: ${err.join(' ')}`);
}

/** Kafka's name of the authorizer, as server.properties sets it. */
export const ACL_AUTHORIZER = { 'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer' } as const;
