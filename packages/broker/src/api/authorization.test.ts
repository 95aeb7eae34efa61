import { ApiKey, buildBatch, ErrorCode, KafkaError, type Struct } from '@samsa/protocol';
import { AclAuthorizer, type AclBinding, AclOperation, AclPermissionType, InMemoryAclStore, PatternType, ResourceType } from '@samsa/security';
import { createAclsHandler, deleteAclsHandler, describeAclsHandler } from './acls';
import { authorizedOperations, clusterAuthorizedOperations, withAuthorization } from './authorization';
import { GROUP_OPERATIONS } from './describeGroups';
import { metadataHandler } from './metadata';
import { ctx, fakeDeps, updateMetadataBody } from './testing/fakeDeps';
import { answerOf } from './testing/untypedEntry';
import type { AnyApiHandlerEntry } from './types';
import { updateMetadataContent } from '../testing/controlRequests';

/** A Produce body with one batch, transactional or not, under `transactionalId`. */
function produceOf(transactionalId: string | null, transactional: boolean): Struct {
  const records = buildBatch([{ key: null, value: Buffer.from('v'), timestamp: 0, offsetDelta: 0 }], {
    producerId: 3,
    producerEpoch: 0,
    baseSequence: 0,
    isTransactional: transactional,
  });
  return { transactionalId, acks: -1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }] };
}

function allow(resourceType: ResourceType, name: string, operation: AclOperation, patternType: PatternType = PatternType.LITERAL): AclBinding {
  return {
    pattern: { resourceType, name, patternType },
    entry: { principal: 'User:ANONYMOUS', host: '*', operation, permissionType: AclPermissionType.ALLOW },
  };
}

async function authorizerWith(...bindings: AclBinding[]): Promise<AclAuthorizer> {
  const a = new AclAuthorizer({ store: new InMemoryAclStore() });
  await a.start();
  await a.createAcls(bindings);
  return a;
}

/** A handler that records that it ran. */
function reached(apiKey: number): { entry: AnyApiHandlerEntry; ran: () => boolean } {
  let ran = false;
  const entry = {
    apiKey,
    maxVersion: 10,
    handle: () => {
      ran = true;
      return {};
    },
  } as unknown as AnyApiHandlerEntry;
  return { entry, ran: () => ran };
}

async function codeOf(entry: AnyApiHandlerEntry, apiKey: number, body: Struct): Promise<number> {
  try {
    await (entry.handle as (c: unknown, b: Struct) => unknown)(ctx(apiKey, 2), body);
    return ErrorCode.NONE;
  } catch (e) {
    if (e instanceof KafkaError) return e.code;
    throw e;
  }
}

describe('request-wide authorization (withAuthorization)', () => {
  test('no authorizer: the handler itself', () => {
    const { entry } = reached(ApiKey.LeaderAndIsr);
    expect(withAuthorization(entry, {})).toBe(entry);
  });

  test.each<[string, number, Struct, number, AclBinding]>([
    ['LeaderAndIsr needs ClusterAction', ApiKey.LeaderAndIsr, {}, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, allow(ResourceType.CLUSTER, 'kafka-cluster', AclOperation.CLUSTER_ACTION)],
    ['UpdateMetadata needs ClusterAction', ApiKey.UpdateMetadata, {}, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, allow(ResourceType.CLUSTER, 'kafka-cluster', AclOperation.CLUSTER_ACTION)],
    ['WriteTxnMarkers needs ClusterAction', ApiKey.WriteTxnMarkers, {}, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, allow(ResourceType.CLUSTER, 'kafka-cluster', AclOperation.CLUSTER_ACTION)],
    ['JoinGroup needs Read on the group', ApiKey.JoinGroup, { groupId: 'g' }, ErrorCode.GROUP_AUTHORIZATION_FAILED, allow(ResourceType.GROUP, 'g', AclOperation.READ)],
    ['OffsetFetch needs Describe on the group (Read implies it)', ApiKey.OffsetFetch, { groupId: 'g' }, ErrorCode.GROUP_AUTHORIZATION_FAILED, allow(ResourceType.GROUP, 'g', AclOperation.READ)],
    ['FindCoordinator(txn) needs Describe on the transactional id', ApiKey.FindCoordinator, { key: 'tx', keyType: 1 }, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, allow(ResourceType.TRANSACTIONAL_ID, 'tx', AclOperation.DESCRIBE)],
    ['EndTxn needs Write on the transactional id', ApiKey.EndTxn, { transactionalId: 'tx' }, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, allow(ResourceType.TRANSACTIONAL_ID, 'tx', AclOperation.WRITE)],
    ['InitProducerId without a transactional id needs IdempotentWrite (or Write on some topic)', ApiKey.InitProducerId, { transactionalId: null }, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, allow(ResourceType.TOPIC, 'pre-', AclOperation.WRITE, PatternType.PREFIXED)],
    ['a transactional Produce needs Write on the transactional id', ApiKey.Produce, produceOf('tx', true), ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, allow(ResourceType.TRANSACTIONAL_ID, 'tx', AclOperation.WRITE)],
    ['ElectLeaders needs Alter on the cluster', ApiKey.ElectLeaders, {}, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, allow(ResourceType.CLUSTER, 'kafka-cluster', AclOperation.ALTER)],
  ])('%s', async (_name, apiKey, body, refusal, grant) => {
    const denied = reached(apiKey);
    expect(await codeOf(withAuthorization(denied.entry, { authorizer: await authorizerWith() }), apiKey, body)).toBe(refusal);
    expect(denied.ran()).toBe(false);
    const allowed = reached(apiKey);
    expect(await codeOf(withAuthorization(allowed.entry, { authorizer: await authorizerWith(grant) }), apiKey, body)).toBe(ErrorCode.NONE);
    expect(allowed.ran()).toBe(true);
  });
});

test('a Produce whose records are not transactional needs no transactional-id ACL, even with an id (Kafka 2.8)', async () => {
  const entry = reached(ApiKey.Produce);
  expect(await codeOf(withAuthorization(entry.entry, { authorizer: await authorizerWith() }), ApiKey.Produce, produceOf('tx', false))).toBe(
    ErrorCode.NONE,
  );
  expect(entry.ran()).toBe(true);
});

describe('Metadata', () => {
  test('named topics without Describe answer TOPIC_AUTHORIZATION_FAILED; all topics leaves them out', async () => {
    const authorizer = await authorizerWith(allow(ResourceType.TOPIC, 'seen', AclOperation.WRITE));
    const deps = fakeDeps({ authorizer }, { 'auto.create.topics.enable': false });
    deps.metadataCache.updateMetadata(updateMetadataContent(updateMetadataBody([0], { seen: [0], hidden: [0] })));
    const handler = metadataHandler(deps);
    const named = await answerOf(handler, ctx(ApiKey.Metadata, 1), { topics: [{ name: 'seen' }, { name: 'hidden' }, { name: 'absent' }] });
    expect((named.topics as Struct[]).map((t) => [t.name, t.errorCode])).toEqual([
      ['seen', ErrorCode.NONE],
      ['hidden', ErrorCode.TOPIC_AUTHORIZATION_FAILED],
      ['absent', ErrorCode.TOPIC_AUTHORIZATION_FAILED],
    ]);
    const all = await answerOf(handler, ctx(ApiKey.Metadata, 1), { topics: null });
    expect((all.topics as Struct[]).map((t) => t.name)).toEqual(['seen']);
  });
});

describe('CreateAcls, DescribeAcls, DeleteAcls', () => {
  test('SECURITY_DISABLED without an authorizer', async () => {
    await expect(answerOf(describeAclsHandler(fakeDeps()), ctx(ApiKey.DescribeAcls, 1), {})).rejects.toMatchObject({
      code: ErrorCode.SECURITY_DISABLED,
    });
  });

  test('need Alter / Describe on the cluster; create, describe by filter, delete', async () => {
    const refused = fakeDeps({ authorizer: await authorizerWith() });
    await expect(answerOf(createAclsHandler(refused), ctx(ApiKey.CreateAcls, 1), { creations: [] })).rejects.toMatchObject({
      code: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
    });
    const authorizer = await authorizerWith(allow(ResourceType.CLUSTER, 'kafka-cluster', AclOperation.ALL));
    const deps = fakeDeps({ authorizer });
    const created = await answerOf(createAclsHandler(deps), ctx(ApiKey.CreateAcls, 1), {
      creations: [
        { resourceType: 2, resourceName: 'pre-', resourcePatternType: 4, principal: 'User:bob', host: '*', operation: 4, permissionType: 3 },
        { resourceType: 4, resourceName: 'other', resourcePatternType: 3, principal: 'User:bob', host: '*', operation: 9, permissionType: 3 },
        { resourceType: 2, resourceName: 't', resourcePatternType: 3, principal: 'User:bob', host: '*', operation: 1, permissionType: 3 },
      ],
    });
    expect((created.results as Struct[]).map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
    const described = await answerOf(describeAclsHandler(deps), ctx(ApiKey.DescribeAcls, 1), {
      resourceTypeFilter: 2,
      resourceNameFilter: 'pre-x',
      patternTypeFilter: PatternType.MATCH,
      principalFilter: null,
      hostFilter: null,
      operation: AclOperation.ANY,
      permissionType: AclPermissionType.ANY,
    });
    expect(described.resources).toEqual([
      { resourceType: 2, resourceName: 'pre-', patternType: 4, acls: [{ principal: 'User:bob', host: '*', operation: 4, permissionType: 3 }] },
    ]);
    const deleted = await answerOf(deleteAclsHandler(deps), ctx(ApiKey.DeleteAcls, 1), {
      filters: [
        { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: 'User:bob', hostFilter: null, operation: 1, permissionType: 1 },
      ],
    });
    expect(((deleted.filterResults as Struct[])[0]!.matchingAcls as Struct[]).map((a) => a.resourceName)).toEqual(['pre-']);
  });
});

describe('authorized operations (KIP-430)', () => {
  test('the bits the authorizer allows: Read on a group grants Read and, implied, Describe', async () => {
    const authorizer = await authorizerWith(allow(ResourceType.GROUP, 'g', AclOperation.READ));
    const c = ctx(ApiKey.DescribeGroups, 3);
    expect(authorizedOperations({ authorizer }, c, ResourceType.GROUP, 'g')).toBe((1 << AclOperation.READ) | (1 << AclOperation.DESCRIBE));
    expect(authorizedOperations({}, c, ResourceType.GROUP, 'g')).toBe(GROUP_OPERATIONS);
    // without Describe on the cluster, Kafka reports 0
    expect(clusterAuthorizedOperations({ authorizer }, c)).toBe(0);
  });
});
