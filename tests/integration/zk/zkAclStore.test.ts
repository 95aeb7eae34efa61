import { AclOperation, AclPermissionType, type AccessControlEntry, PatternType, type ResourcePattern, ResourceType } from '@samsa/security';
import { ZkAclStore } from '@samsa/zk';
import { exists, getChildren, type ZooKeeperHandle } from '../../harness';
import { freshChroot, kafkaZk, quietLogger, rootClient, text, zooKeeperSuite } from './support';

/**
 * ZkAclStore against a real ZooKeeper: Kafka's updateResourceAcls loop (writers racing on one
 * resource all land, each conditional on the version it read), the change notifications every
 * store watching sees, and the purge of notifications older than the expiration.
 */
jest.setTimeout(30_000);

let zk: ZooKeeperHandle;
const cleanups = zooKeeperSuite('zookeeper zk/zkAclStore.test', (handle) => (zk = handle));

const TOPIC_T: ResourcePattern = { resourceType: ResourceType.TOPIC, name: 't', patternType: PatternType.LITERAL };

function entry(principal: string): AccessControlEntry {
  return { principal, host: '*', operation: AclOperation.READ, permissionType: AclPermissionType.ALLOW };
}

test('writers racing on one resource all land (conditional updates retried on a stale version)', async () => {
  const chroot = freshChroot();
  const stores = await Promise.all(
    [0, 1, 2].map(async () => new ZkAclStore(await kafkaZk(zk, cleanups, chroot), { logger: quietLogger, maxUpdateRetries: 50 })),
  );
  await stores[0]!.createPaths();
  await Promise.all(
    stores.flatMap((store, s) =>
      [0, 1, 2, 3].map((i) => store.updateAcls(TOPIC_T, (current) => [...current, entry(`User:u${s}-${i}`)])),
    ),
  );
  const stored = await stores[0]!.getAcls(TOPIC_T);
  expect(stored.map((e) => e.principal).sort()).toEqual(
    [0, 1, 2].flatMap((s) => [0, 1, 2, 3].map((i) => `User:u${s}-${i}`)).sort(),
  );
  // one notification per write
  const root = await rootClient(zk, cleanups);
  expect(await getChildren(root, `${chroot}/kafka-acl-changes`)).toHaveLength(12);
  // the last entry removed: the znode goes
  await stores[1]!.updateAcls(TOPIC_T, () => []);
  expect(await stores[2]!.getAcls(TOPIC_T)).toEqual([]);
  expect(await exists(root, `${chroot}/kafka-acl/Topic/t`)).toBeNull();
});

test('a watching store hears every change, literal and prefixed, and purges expired notifications', async () => {
  const chroot = freshChroot();
  let now = Date.now();
  const EXPIRATION_MS = 60_000;
  const watcher = new ZkAclStore(await kafkaZk(zk, cleanups, chroot), { logger: quietLogger, changeExpirationMs: EXPIRATION_MS, now: () => now });
  const writer = new ZkAclStore(await kafkaZk(zk, cleanups, chroot), { logger: quietLogger });
  const heard: string[] = [];
  await watcher.watchChanges((p) => void heard.push(`${p.resourceType}:${p.patternType}:${p.name}`));
  await writer.updateAcls(TOPIC_T, () => [entry('User:a')]);
  const prefixed: ResourcePattern = { resourceType: ResourceType.GROUP, name: 'g-', patternType: PatternType.PREFIXED };
  await writer.updateAcls(prefixed, () => [entry('User:a')]);
  const root = await rootClient(zk, cleanups);
  expect(await text(root, `${chroot}/kafka-acl-extended-changes/acl_changes_0000000000`)).toBe(
    '{"version":1,"resourceType":"Group","name":"g-","patternType":"PREFIXED"}',
  );
  const deadline = Date.now() + 10_000;
  while (heard.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(heard.sort()).toEqual([`${ResourceType.TOPIC}:${PatternType.LITERAL}:t`, `${ResourceType.GROUP}:${PatternType.PREFIXED}:g-`].sort());

  // the watcher's clock set just past the expiration of the first notification, not of a later one:
  // the next change purges the old notification and keeps the new
  const ctime = async (p: string): Promise<number> => Number((await exists(root, p))!.ctime.readBigInt64BE(0));
  const first = await ctime(`${chroot}/kafka-acl-changes/acl_changes_0000000000`);
  await new Promise((r) => setTimeout(r, 300));
  await writer.updateAcls(TOPIC_T, () => [entry('User:b')]);
  expect((await ctime(`${chroot}/kafka-acl-changes/acl_changes_0000000001`)) - first).toBeGreaterThanOrEqual(200);
  now = first + EXPIRATION_MS + 100;
  await writer.updateAcls(TOPIC_T, () => [entry('User:c')]);
  const purgeDeadline = Date.now() + 10_000;
  let left = await getChildren(root, `${chroot}/kafka-acl-changes`);
  while (left.length > 2 && Date.now() < purgeDeadline) {
    await new Promise((r) => setTimeout(r, 50));
    left = await getChildren(root, `${chroot}/kafka-acl-changes`);
  }
  expect(left.sort()).toEqual(['acl_changes_0000000001', 'acl_changes_0000000002']);
  await watcher.close();
});
