/**
 * kafka-acls' options and their rules (Kafka's AclCommand.AclCommandOptions): one action of
 * --add / --remove / --list, the resources (--topic, --group, --cluster, --transactional-id,
 * --delegation-token) with --resource-pattern-type, the principals and hosts, the operations, and
 * the --producer / --consumer conveniences.
 */
import {
  AclOperation,
  CLUSTER_RESOURCE_NAME,
  PatternType,
  type ResourcePatternFilter,
  ResourceType,
  parseOperation,
  parsePatternType,
} from '@samsa/security';
import { OptionParser, type ParsedOptions, UsageError } from '../cli/OptionParser';
import { COMMAND_CONFIG_HELP } from '../cli/CommandConfig';

export type AclAction = 'add' | 'remove' | 'list';

export interface AclCommandOptions {
  readonly action: AclAction;
  /** zookeeper.connect from --authorizer-properties (the ZooKeeper path). */
  readonly zkConnect?: string;
  readonly bootstrapServer?: string;
  /** --command-config: the Admin Client's security properties file (with --bootstrap-server). */
  readonly commandConfig?: string;
  /** The resources named, as filters (literal / prefixed for --add; any / match too for the others). */
  readonly resources: readonly ResourcePatternFilter[];
  readonly allowPrincipals: readonly string[];
  readonly denyPrincipals: readonly string[];
  readonly allowHosts: readonly string[];
  readonly denyHosts: readonly string[];
  readonly operations: readonly AclOperation[];
  readonly producer: boolean;
  readonly consumer: boolean;
  readonly idempotent: boolean;
  readonly force: boolean;
  /** --principal: --list shows these principals' ACLs only. */
  readonly listPrincipals: readonly string[];
}

export function aclCommandParser(): OptionParser {
  return new OptionParser()
    .acceptsArg('bootstrap-server', 'A list of host/port pairs to use for establishing the connection to the Kafka cluster.', 'server to connect to')
    .acceptsArg('authorizer', 'Fully qualified class name of the authorizer (kafka.security.authorizer.AclAuthorizer).', 'authorizer')
    .acceptsArg('authorizer-properties', 'Properties of the authorizer, key=val pairs: zookeeper.connect=localhost:2181', 'authorizer-properties')
    .acceptsArg('command-config', COMMAND_CONFIG_HELP, 'command-config')
    .acceptsArg('topic', 'topic to which ACLs should be added or removed. A value of * indicates ACL should apply to all topics.', 'topic')
    .accepts('cluster', 'Add/Remove cluster ACLs.')
    .acceptsArg('group', 'Consumer Group to which the ACLs should be added or removed. A value of * indicates the ACLs should apply to all groups.', 'group')
    .acceptsArg('transactional-id', 'The transactionalId to which ACLs should be added or removed. A value of * indicates the ACLs should apply to all transactionalIds.', 'transactional-id')
    .acceptsArg('delegation-token', 'Delegation token to which ACLs should be added or removed. A value of * indicates ACL should apply to all tokens.', 'delegation-token')
    .acceptsArg('resource-pattern-type', "The type of the resource pattern or pattern filter. When adding acls, this should be a specific pattern type, e.g. 'literal' or 'prefixed'. When listing or removing acls, a specific pattern type can be used to list or remove acls from specific resource patterns, or use the filter values of 'any' or 'match'.", 'ANY|MATCH|LITERAL|PREFIXED')
    .accepts('add', 'Indicates you are trying to add ACLs.')
    .accepts('remove', 'Indicates you are trying to remove ACLs.')
    .accepts('list', 'List ACLs for the specified resource, use --topic <topic> or --group <group> or --cluster to specify a resource.')
    .acceptsArg('operation', 'Operation that is being allowed or denied. Valid operation names are: Describe, DescribeConfigs, Alter, IdempotentWrite, Read, Delete, Create, ClusterAction, AlterConfigs, Write, All', 'operation')
    .acceptsArg('allow-principal', 'principal is in principalType:name format. Note that principalType must be supported by the Authorizer being used. For example, User:* is the wild card indicating all users.', 'allow-principal')
    .acceptsArg('deny-principal', 'principal is in principalType:name format. By default anyone not added through --allow-principal is denied access.', 'deny-principal')
    .acceptsArg('principal', 'List ACLs for the specified principal (with --list only).', 'principal')
    .acceptsArg('allow-host', 'Host from which principals listed in --allow-principal will have access. If you have specified --allow-principal then the default for this option will be set to * which allows access from all hosts.', 'allow-host')
    .acceptsArg('deny-host', 'Host from which principals listed in --deny-principal will be denied access. If you have specified --deny-principal then the default for this option will be set to * which denies access from all hosts.', 'deny-host')
    .accepts('producer', 'Convenience option to add/remove ACLs for producer role. This will generate ACLs that allows WRITE,DESCRIBE and CREATE on topic.')
    .accepts('consumer', 'Convenience option to add/remove ACLs for consumer role. This will generate ACLs that allows READ,DESCRIBE on topic and READ on group.')
    .accepts('idempotent', 'Enable idempotence for the producer. This should be used in combination with the --producer option.')
    .accepts('force', 'Assume Yes to all queries and do not prompt.')
    .accepts('help', 'Print usage information.');
}

/** `zookeeper.connect=h:p` pairs (Kafka's CommandLineUtils.parseKeyValueArgs). */
function keyValues(values: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of values) {
    for (const pair of v.split(/\s+/).filter((s) => s.length > 0)) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`Invalid command line properties: ${pair}`);
      out.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }
  return out;
}

export function checkAclCommandArgs(o: ParsedOptions): AclCommandOptions {
  const actions = (['add', 'remove', 'list'] as const).filter((a) => o.has(a));
  if (actions.length !== 1) throw new UsageError('Command must include exactly one action: --list, --add, --remove. ');
  const action = actions[0]!;
  const hasZk = o.has('authorizer-properties');
  if (hasZk === o.has('bootstrap-server')) {
    throw new UsageError('Exactly one of --bootstrap-server or --authorizer-properties must be specified');
  }
  if (o.has('command-config') && !o.has('bootstrap-server')) {
    throw new UsageError('The --command-config option can only be used with --bootstrap-server option');
  }
  let zkConnect: string | undefined;
  if (hasZk) {
    zkConnect = keyValues(o.valuesOf('authorizer-properties')).get('zookeeper.connect');
    if (zkConnect === undefined) throw new UsageError('--authorizer-properties must set zookeeper.connect');
  }
  if (o.has('principal') && action !== 'list') throw new UsageError('The --principal option is only available if --list is set');
  const producer = o.has('producer');
  const consumer = o.has('consumer');
  if ((producer || consumer) && action === 'list') {
    throw new UsageError('Option "[list]" can\'t be used with option "[producer]" or "[consumer]"');
  }
  if (producer && !o.has('topic')) throw new UsageError('With --producer you must specify a --topic');
  if (consumer && (!o.has('topic') || !o.has('group'))) {
    throw new UsageError('With --consumer you must specify a --topic and a --group and no --cluster or --transactional-id option should be specified.');
  }
  if (o.has('idempotent') && !producer) throw new UsageError('The --idempotent option is only available if --producer is set');

  const patternArg = o.valueOf('resource-pattern-type') ?? 'literal';
  const patternType = parsePatternType(patternArg);
  if (patternType === undefined || patternType === PatternType.UNKNOWN) {
    throw new UsageError(`Unknown resource pattern type: ${patternArg}`);
  }
  if (action === 'add' && patternType !== PatternType.LITERAL && patternType !== PatternType.PREFIXED) {
    throw new UsageError(`A '--resource-pattern-type' value of '${patternArg}' is not valid when adding acls.`);
  }
  const resources: ResourcePatternFilter[] = [];
  const add = (resourceType: ResourceType, name: string): void => {
    resources.push({ resourceType, name, patternType });
  };
  for (const t of o.valuesOf('topic')) add(ResourceType.TOPIC, t);
  for (const g of o.valuesOf('group')) add(ResourceType.GROUP, g);
  for (const t of o.valuesOf('transactional-id')) add(ResourceType.TRANSACTIONAL_ID, t);
  for (const t of o.valuesOf('delegation-token')) add(ResourceType.DELEGATION_TOKEN, t);
  if (o.has('cluster') || (producer && o.has('idempotent'))) add(ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME);
  if (action !== 'list' && resources.length === 0) {
    throw new UsageError('You must provide at least one resource: --topic <topic> or --cluster or --group <group> or --delegation-token <Delegation Token ID>');
  }

  const operations = (o.valuesOf('operation').length > 0 ? o.valuesOf('operation') : ['All']).map((name) => {
    const op = parseOperation(name.trim());
    if (op === undefined || op === AclOperation.UNKNOWN || op === AclOperation.ANY) {
      throw new UsageError(`Unknown operation: ${name}`);
    }
    return op;
  });
  const allowPrincipals = o.valuesOf('allow-principal');
  const denyPrincipals = o.valuesOf('deny-principal');
  for (const p of [...allowPrincipals, ...denyPrincipals]) {
    if (!/^[^:]+:/.test(p)) throw new UsageError(`Could not parse principal from \`${p}\` (no colon is found).`);
  }
  const hostsOr = (name: string, principals: readonly string[]): string[] => {
    const hosts = o.valuesOf(name);
    if (hosts.length > 0) return [...hosts];
    return principals.length > 0 ? ['*'] : [];
  };
  if (action === 'add' && allowPrincipals.length === 0 && denyPrincipals.length === 0) {
    throw new UsageError('You must specify one of: --allow-principal, --deny-principal when trying to add ACLs.');
  }
  return {
    action,
    zkConnect,
    bootstrapServer: o.valueOf('bootstrap-server'),
    commandConfig: o.valueOf('command-config'),
    resources,
    allowPrincipals,
    denyPrincipals,
    allowHosts: hostsOr('allow-host', allowPrincipals),
    denyHosts: hostsOr('deny-host', denyPrincipals),
    operations,
    producer,
    consumer,
    idempotent: o.has('idempotent'),
    force: o.has('force'),
    listPrincipals: o.valuesOf('principal'),
  };
}
