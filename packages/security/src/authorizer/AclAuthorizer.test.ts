import { MemoryLogger } from '@samsa/common';
import { ANONYMOUS, userPrincipal } from '../auth/KafkaPrincipal';
import type { AclBinding } from './AclBinding';
import { ANY_ACL_FILTER } from './AclBinding';
import { AclAuthorizer, type AuthorizableRequestContext } from './AclAuthorizer';
import { InMemoryAclStore } from './AclStore';
import { aclsFromJson, aclsToJson, extendedChangeData, literalChangeData, patternFromChangeData } from './aclJson';
import { AclOperation as Op, AclPermissionType as Perm, PatternType, ResourceType } from './aclTypes';

const alice: AuthorizableRequestContext = { principal: userPrincipal('alice'), clientHost: '10.0.0.2', requestName: 'PRODUCE' };
const bob: AuthorizableRequestContext = { principal: userPrincipal('bob'), clientHost: '10.0.0.3', requestName: 'FETCH' };

function binding(
  name: string,
  principal: string,
  operation: Op,
  permissionType: Perm = Perm.ALLOW,
  opts: { host?: string; patternType?: PatternType; resourceType?: ResourceType } = {},
): AclBinding {
  return {
    pattern: { resourceType: opts.resourceType ?? ResourceType.TOPIC, name, patternType: opts.patternType ?? PatternType.LITERAL },
    entry: { principal, host: opts.host ?? '*', operation, permissionType },
  };
}

async function authorizerWith(bindings: AclBinding[], opts: { superUsers?: string[]; allowEveryone?: boolean } = {}): Promise<{
  authorizer: AclAuthorizer;
  logger: MemoryLogger;
}> {
  const logger = new MemoryLogger();
  const authorizer = new AclAuthorizer({
    store: new InMemoryAclStore(),
    superUsers: opts.superUsers,
    allowEveryoneIfNoAclFound: opts.allowEveryone,
    logger,
  });
  await authorizer.start();
  const results = await authorizer.createAcls(bindings);
  expect(results.every((r) => r.error === undefined)).toBe(true);
  return { authorizer, logger };
}

function may(a: AclAuthorizer, ctx: AuthorizableRequestContext, operation: Op, resourceName: string, resourceType: ResourceType = ResourceType.TOPIC): boolean {
  return a.authorize(ctx, [{ operation, resourceType, resourceName }])[0] === true;
}

describe('AclAuthorizer semantics (Kafka 2.8)', () => {
  it('denies without ACLs, unless allow.everyone.if.no.acl.found', async () => {
    expect(may((await authorizerWith([])).authorizer, alice, Op.READ, 't')).toBe(false);
    expect(may((await authorizerWith([], { allowEveryone: true })).authorizer, alice, Op.READ, 't')).toBe(true);
  });

  it('allow.everyone.if.no.acl.found does not apply once the resource has any ACL', async () => {
    const { authorizer } = await authorizerWith([binding('t', 'User:bob', Op.READ)], { allowEveryone: true });
    expect(may(authorizer, alice, Op.READ, 't')).toBe(false);
    expect(may(authorizer, alice, Op.READ, 'other')).toBe(true);
  });

  it('super users bypass everything, deny included', async () => {
    const { authorizer } = await authorizerWith([binding('t', 'User:alice', Op.ALL, Perm.DENY)], { superUsers: ['User:alice'] });
    expect(may(authorizer, alice, Op.WRITE, 't')).toBe(true);
    expect(may(authorizer, alice, Op.CLUSTER_ACTION, 'kafka-cluster', ResourceType.CLUSTER)).toBe(true);
  });

  it.each<[string, Op, Op, boolean]>([
    ['Read allows Read', Op.READ, Op.READ, true],
    ['Read does not allow Write', Op.READ, Op.WRITE, false],
    ['Read implies Describe', Op.READ, Op.DESCRIBE, true],
    ['Write implies Describe', Op.WRITE, Op.DESCRIBE, true],
    ['Delete implies Describe', Op.DELETE, Op.DESCRIBE, true],
    ['Alter implies Describe', Op.ALTER, Op.DESCRIBE, true],
    ['Create does not imply Describe', Op.CREATE, Op.DESCRIBE, false],
    ['AlterConfigs implies DescribeConfigs', Op.ALTER_CONFIGS, Op.DESCRIBE_CONFIGS, true],
    ['DescribeConfigs does not imply AlterConfigs', Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS, false],
    ['Describe does not imply Read', Op.DESCRIBE, Op.READ, false],
    ['All allows everything', Op.ALL, Op.CLUSTER_ACTION, true],
  ])('%s', async (_name, granted, asked, expected) => {
    const { authorizer } = await authorizerWith([binding('t', 'User:alice', granted)]);
    expect(may(authorizer, alice, asked, 't')).toBe(expected);
  });

  it('deny beats allow, also through All and the wildcard principal', async () => {
    const { authorizer } = await authorizerWith([
      binding('t', 'User:alice', Op.READ),
      binding('t', 'User:*', Op.ALL, Perm.DENY, { host: '10.0.0.2' }),
    ]);
    expect(may(authorizer, alice, Op.READ, 't')).toBe(false);
  });

  it('a deny of Read does not deny the Describe a Write grants', async () => {
    const { authorizer } = await authorizerWith([
      binding('t', 'User:alice', Op.WRITE),
      binding('t', 'User:alice', Op.READ, Perm.DENY),
    ]);
    expect(may(authorizer, alice, Op.DESCRIBE, 't')).toBe(true);
    expect(may(authorizer, alice, Op.READ, 't')).toBe(false);
  });

  it('matches hosts exactly or by *', async () => {
    const { authorizer } = await authorizerWith([binding('t', 'User:alice', Op.READ, Perm.ALLOW, { host: '10.0.0.9' })]);
    expect(may(authorizer, alice, Op.READ, 't')).toBe(false);
    expect(may(authorizer, { ...alice, clientHost: '10.0.0.9' }, Op.READ, 't')).toBe(true);
  });

  it('wildcard resource and wildcard principal', async () => {
    const { authorizer } = await authorizerWith([binding('*', 'User:*', Op.WRITE)]);
    expect(may(authorizer, alice, Op.WRITE, 'anything')).toBe(true);
    expect(may(authorizer, bob, Op.WRITE, 'x')).toBe(true);
    expect(may(authorizer, bob, Op.WRITE, 'g', ResourceType.GROUP)).toBe(false);
  });

  it('prefixed patterns match names that start with them', async () => {
    const { authorizer } = await authorizerWith([
      binding('pre-', 'User:alice', Op.WRITE, Perm.ALLOW, { patternType: PatternType.PREFIXED }),
      binding('pre-secret', 'User:alice', Op.WRITE, Perm.DENY, { patternType: PatternType.PREFIXED }),
    ]);
    expect(may(authorizer, alice, Op.WRITE, 'pre-x')).toBe(true);
    expect(may(authorizer, alice, Op.WRITE, 'pre-secret-1')).toBe(false);
    expect(may(authorizer, alice, Op.WRITE, 'pre')).toBe(false);
    expect(may(authorizer, bob, Op.WRITE, 'pre-x')).toBe(false);
  });

  it('a prefix equal to the whole name applies; deleted ACLs stop applying', async () => {
    const { authorizer } = await authorizerWith([
      binding('abc', 'User:alice', Op.READ, Perm.ALLOW, { patternType: PatternType.PREFIXED }),
      binding('x', 'User:alice', Op.READ),
    ]);
    expect(may(authorizer, alice, Op.READ, 'abc')).toBe(true);
    expect(may(authorizer, alice, Op.READ, 'x')).toBe(true);
    await authorizer.deleteAcls([ANY_ACL_FILTER]);
    expect(may(authorizer, alice, Op.READ, 'abc')).toBe(false);
    expect(may(authorizer, alice, Op.READ, 'x')).toBe(false);
    expect(authorizer.matchingAcls(ResourceType.TOPIC, 'abc')).toEqual([]);
  });

  it('logs each denial as kafka.authorizer.logger does', async () => {
    const { authorizer, logger } = await authorizerWith([]);
    authorizer.authorize(alice, [{ operation: Op.WRITE, resourceType: ResourceType.TOPIC, resourceName: 't1' }]);
    expect(logger.lines).toContain(
      'INFO Principal = User:alice is Denied Operation = Write from host = 10.0.0.2 on resource = Topic:LITERAL:t1 for request = PRODUCE with resourceRefCount = 1',
    );
    authorizer.authorize(alice, [{ operation: Op.WRITE, resourceType: ResourceType.TOPIC, resourceName: 't2', logIfDenied: false }]);
    expect(logger.matching(/t2/)).toEqual([]);
  });

  it('authorizeByResourceType: any allowed topic not denied', async () => {
    const { authorizer } = await authorizerWith([binding('t', 'User:alice', Op.WRITE)]);
    expect(authorizer.authorizeByResourceType(alice, Op.WRITE, ResourceType.TOPIC)).toBe(true);
    expect(authorizer.authorizeByResourceType(bob, Op.WRITE, ResourceType.TOPIC)).toBe(false);
    const denied = await authorizerWith([binding('t', 'User:alice', Op.WRITE), binding('*', 'User:alice', Op.WRITE, Perm.DENY)]);
    expect(denied.authorizer.authorizeByResourceType(alice, Op.WRITE, ResourceType.TOPIC)).toBe(false);
  });

  it('createAcls does not repeat entries, refuses invalid ones; deleteAcls and acls filter as Kafka', async () => {
    const { authorizer } = await authorizerWith([binding('t', 'User:alice', Op.READ)]);
    const [dup, bad] = await authorizer.createAcls([
      binding('t', 'User:alice', Op.READ),
      binding('t', 'User:alice', Op.ANY),
    ]);
    expect(dup?.error).toBeUndefined();
    expect(bad?.error?.code).toBe('INVALID_REQUEST');
    await authorizer.createAcls([
      binding('pre-', 'User:bob', Op.WRITE, Perm.ALLOW, { patternType: PatternType.PREFIXED }),
      binding('g', 'User:bob', Op.READ, Perm.ALLOW, { resourceType: ResourceType.GROUP }),
    ]);
    expect(authorizer.acls(ANY_ACL_FILTER)).toHaveLength(3);
    const matchFilter = {
      patternFilter: { resourceType: ResourceType.TOPIC, name: 'pre-1', patternType: PatternType.MATCH },
      entryFilter: { principal: null, host: null, operation: Op.ANY, permissionType: Perm.ANY },
    };
    expect(authorizer.acls(matchFilter).map((b) => b.pattern.name)).toEqual(['pre-']);
    const [res] = await authorizer.deleteAcls([
      { ...matchFilter, entryFilter: { ...matchFilter.entryFilter, principal: 'User:bob' } },
    ]);
    expect(res?.deleted.map((d) => d.binding.pattern.name)).toEqual(['pre-']);
    expect(authorizer.acls(ANY_ACL_FILTER)).toHaveLength(2);
  });
});

describe('ACL znode JSON', () => {
  it('writes the acls.txt bytes and reads them back', () => {
    const json = aclsToJson([
      { principal: 'User:alice', permissionType: Perm.ALLOW, operation: Op.READ, host: '*' },
      { principal: 'User:mallory', permissionType: Perm.DENY, operation: Op.ALL, host: '10.0.0.1' },
    ]);
    expect(json).toBe(
      '{"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"},{"principal":"User:mallory","permissionType":"Deny","operation":"All","host":"10.0.0.1"}]}',
    );
    expect(aclsFromJson(json)).toHaveLength(2);
    expect(aclsFromJson(null)).toEqual([]);
    expect(
      aclsToJson([{ principal: 'User:admin', permissionType: Perm.ALLOW, operation: Op.CLUSTER_ACTION, host: '*' }]),
    ).toContain('"operation":"ClusterAction"');
  });

  it('writes change notifications as acls.txt shows', () => {
    expect(literalChangeData({ resourceType: ResourceType.TRANSACTIONAL_ID, name: 'tx-1', patternType: PatternType.LITERAL })).toBe(
      'TransactionalId:tx-1',
    );
    const ext = extendedChangeData({ resourceType: ResourceType.TOPIC, name: 'pre-', patternType: PatternType.PREFIXED });
    expect(ext).toBe('{"version":1,"resourceType":"Topic","name":"pre-","patternType":"PREFIXED"}');
    expect(patternFromChangeData(ext)).toEqual({ resourceType: ResourceType.TOPIC, name: 'pre-', patternType: PatternType.PREFIXED });
    expect(patternFromChangeData('Topic:a:b')).toEqual({ resourceType: ResourceType.TOPIC, name: 'a:b', patternType: PatternType.LITERAL });
  });
});

it('ANONYMOUS is User:ANONYMOUS for super.users', async () => {
  const { authorizer } = await authorizerWith([], { superUsers: ['User:ANONYMOUS'] });
  expect(may(authorizer, { principal: ANONYMOUS, clientHost: '127.0.0.1', requestName: 'LEADER_AND_ISR' }, Op.CLUSTER_ACTION, 'kafka-cluster', ResourceType.CLUSTER)).toBe(true);
});

it('a change announced while every ACL is being loaded wins over the load’s older copy', async () => {
  const store = new InMemoryAclStore();
  const t = binding('t', 'User:alice', Op.READ);
  await store.updateAcls(t.pattern, () => [t.entry]);
  const stale = await store.loadAll();
  // The load returns what it read before a writer revoked alice's READ and announced it.
  store.loadAll = async () => {
    await store.updateAcls(t.pattern, () => []);
    return stale;
  };
  const authorizer = new AclAuthorizer({ store, logger: new MemoryLogger() });
  await authorizer.start();
  expect(may(authorizer, alice, Op.READ, 't')).toBe(false);
});
