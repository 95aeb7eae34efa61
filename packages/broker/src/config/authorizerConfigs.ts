/**
 * The authorizer's settings (Kafka 2.8's KafkaConfig AuthorizerClassNameProp and AclAuthorizer's
 * super.users and allow.everyone.if.no.acl.found). Both of Kafka's ZooKeeper authorizer class names
 * select Samsa's AclAuthorizer; any other class is refused at start (securityRefusals.ts), since
 * the operator asked for an authorization Samsa cannot run.
 */
import type { ConfigDef } from './definitions';

export const ACL_AUTHORIZER_CLASS_NAMES: readonly string[] = [
  'kafka.security.authorizer.AclAuthorizer',
  'kafka.security.auth.SimpleAclAuthorizer',
];

export const AUTHORIZER_CONFIGS: Readonly<Record<string, ConfigDef>> = {
  'authorizer.class.name': {
    type: 'string',
    default: '',
    doc: `Authorizer class: empty (no authorization) or ${ACL_AUTHORIZER_CLASS_NAMES.join(' / ')} (ACLs in ZooKeeper)`,
  },
  'super.users': {
    type: 'string',
    default: '',
    doc: 'Principals allowed every operation, separated by semicolons (User:admin;User:broker)',
  },
  'allow.everyone.if.no.acl.found': {
    type: 'boolean',
    default: false,
    doc: 'Allow every principal on a resource that has no ACL at all',
  },
};

/** What the rules read (securityRefusals.ts ConfigView). */
interface ConfigLookup {
  get(key: string): unknown;
  readonly origins: ReadonlyMap<string, string>;
}

/** True when authorizer.class.name asks for the AclAuthorizer. */
export function aclAuthorizerEnabled(config: { get(key: string): unknown }): boolean {
  const name = ((config.get('authorizer.class.name') as string | null) ?? '').trim();
  return ACL_AUTHORIZER_CLASS_NAMES.includes(name);
}

/** A non-empty authorizer.class.name that is not one of Kafka's ACL authorizers, as a refusal. */
export function authorizerRefusals(config: ConfigLookup): string[] {
  const name = ((config.get('authorizer.class.name') as string | null) ?? '').trim();
  if (name === '' || ACL_AUTHORIZER_CLASS_NAMES.includes(name)) return [];
  return [
    `authorizer.class.name=${name} (${config.origins.get('authorizer.class.name') ?? 'default'}) names an authorizer ` +
      `Samsa does not have (only ${ACL_AUTHORIZER_CLASS_NAMES.join(' and ')}): no client would be authorized as asked`,
  ];
}
