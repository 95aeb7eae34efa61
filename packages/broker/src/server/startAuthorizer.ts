/**
 * The broker's authorizer (Kafka's KafkaServer: `authorizer = config.authorizer`, then configure
 * and start): with authorizer.class.name naming Kafka's AclAuthorizer (or the old
 * SimpleAclAuthorizer), an AclAuthorizer over ZooKeeper (ZkAclStore) with super.users and
 * allow.everyone.if.no.acl.found; else none.
 */
import type { Logger } from '@samsa/common';
import { AclAuthorizer, parseSuperUsers } from '@samsa/security';
import { type KafkaZkClient, ZkAclStore } from '@samsa/zk';
import { aclAuthorizerEnabled } from '../config/authorizerConfigs';
import type { KafkaConfig } from '../config/KafkaConfig';

export interface StartAuthorizerOptions {
  readonly config: KafkaConfig;
  readonly zkClient: KafkaZkClient;
  /** kafka.authorizer.logger: one line per denial. */
  readonly auditLogger: Logger;
  /** The store's own errors (kafka.security.authorizer.AclAuthorizer). */
  readonly logger: Logger;
}

/** Loads every ACL and starts following the change notifications; undefined without an authorizer. */
export async function startAuthorizer(o: StartAuthorizerOptions): Promise<AclAuthorizer | undefined> {
  if (!aclAuthorizerEnabled(o.config)) return undefined;
  const authorizer = new AclAuthorizer({
    store: new ZkAclStore(o.zkClient, { logger: o.logger }),
    superUsers: parseSuperUsers(o.config.string('super.users') ?? ''),
    allowEveryoneIfNoAclFound: o.config.bool('allow.everyone.if.no.acl.found'),
    logger: o.auditLogger,
  });
  await authorizer.start();
  return authorizer;
}
