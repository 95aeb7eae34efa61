import { runAclCommand } from '@samsa/admin';
import { getChildren, liveTrackedProcesses, startZooKeeper, type ZooKeeperHandle } from '../../harness';
import { Chroot, Cleanups } from './support';

/**
 * kafka-acls --authorizer-properties against a real ZooKeeper: the znodes, their bytes and the
 * change notifications Kafka 2.1's kafka-acls.sh wrote for the same commands
 * (reference/kafka-2.1-samples/wave2/acls.txt), and the text it printed.
 */
jest.setTimeout(60_000);

let zk: ZooKeeperHandle;
const cleanups = new Cleanups();

beforeAll(async () => {
  zk = await startZooKeeper({ label: 'zookeeper admin/kafka-acls.test' });
});
afterEach(() => cleanups.run());
afterAll(async () => {
  await zk?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

async function acls(connect: string, ...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAclCommand(
    ['--authorizer-properties', `zookeeper.connect=${connect}`, ...args],
    { out: (l) => out.push(...l.split('\n')), err: (l) => err.push(l) },
    { timeoutMs: 15_000 },
  );
  return { code, out, err };
}

test('the acls.txt commands write Kafka’s znodes, bytes and change notifications, and print Kafka’s text', async () => {
  const c = await Chroot.create(zk, cleanups);
  const connect = c.connectString;
  const add1 = await acls(connect, '--add', '--allow-principal', 'User:alice', '--operation', 'Read', '--topic', 't1');
  expect(add1).toEqual({
    code: 0,
    out: [
      'Adding ACLs for resource `Topic:LITERAL:t1`: ',
      ' \tUser:alice has Allow permission for operations: Read from hosts: * ',
      '',
      'Current ACLs for resource `Topic:LITERAL:t1`: ',
      ' \tUser:alice has Allow permission for operations: Read from hosts: * ',
      '',
    ],
    err: [],
  });
  expect((await acls(connect, '--add', '--allow-principal', 'User:bob', '--operation', 'Write', '--topic', 'pre-', '--resource-pattern-type', 'prefixed')).code).toBe(0);
  const deny = await acls(connect, '--add', '--deny-principal', 'User:mallory', '--deny-host', '10.0.0.1', '--operation', 'All', '--topic', 't1');
  expect(deny.out.slice(3)).toEqual([
    'Current ACLs for resource `Topic:LITERAL:t1`: ',
    ' \tUser:alice has Allow permission for operations: Read from hosts: *',
    '\tUser:mallory has Deny permission for operations: All from hosts: 10.0.0.1 ',
    '',
  ]);
  expect((await acls(connect, '--add', '--allow-principal', 'User:alice', '--operation', 'Read', '--group', 'g1')).code).toBe(0);
  expect((await acls(connect, '--add', '--allow-principal', 'User:admin', '--operation', 'ClusterAction', '--cluster')).code).toBe(0);
  expect((await acls(connect, '--add', '--allow-principal', 'User:alice', '--operation', 'Describe', '--transactional-id', 'tx-1')).code).toBe(0);
  const producer = await acls(connect, '--add', '--allow-principal', 'User:carol', '--producer', '--topic', 't2');
  expect(producer.out.slice(0, 5)).toEqual([
    'Adding ACLs for resource `Topic:LITERAL:t2`: ',
    ' \tUser:carol has Allow permission for operations: Describe from hosts: *',
    '\tUser:carol has Allow permission for operations: Write from hosts: *',
    '\tUser:carol has Allow permission for operations: Create from hosts: * ',
    '',
  ]);
  const consumer = await acls(connect, '--add', '--allow-principal', 'User:carol', '--consumer', '--topic', 't2', '--group', 'g2');
  expect(consumer.out).toEqual([
    'Adding ACLs for resource `Topic:LITERAL:t2`: ',
    ' \tUser:carol has Allow permission for operations: Describe from hosts: *',
    '\tUser:carol has Allow permission for operations: Read from hosts: * ',
    '',
    'Adding ACLs for resource `Group:LITERAL:g2`: ',
    ' \tUser:carol has Allow permission for operations: Read from hosts: * ',
    '',
    'Current ACLs for resource `Group:LITERAL:g2`: ',
    ' \tUser:carol has Allow permission for operations: Read from hosts: * ',
    '',
    'Current ACLs for resource `Topic:LITERAL:t2`: ',
    ' \tUser:carol has Allow permission for operations: Describe from hosts: *',
    '\tUser:carol has Allow permission for operations: Write from hosts: *',
    '\tUser:carol has Allow permission for operations: Create from hosts: *',
    '\tUser:carol has Allow permission for operations: Read from hosts: * ',
    '',
  ]);

  // the znodes, byte for byte as acls.txt shows them
  expect(await c.read('/kafka-acl/Topic/t1')).toBe(
    '{"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"},{"principal":"User:mallory","permissionType":"Deny","operation":"All","host":"10.0.0.1"}]}',
  );
  expect(await c.read('/kafka-acl/Cluster/kafka-cluster')).toBe(
    '{"version":1,"acls":[{"principal":"User:admin","permissionType":"Allow","operation":"ClusterAction","host":"*"}]}',
  );
  expect(await c.read('/kafka-acl/Topic/t2')).toBe(
    '{"version":1,"acls":[{"principal":"User:carol","permissionType":"Allow","operation":"Describe","host":"*"},{"principal":"User:carol","permissionType":"Allow","operation":"Write","host":"*"},{"principal":"User:carol","permissionType":"Allow","operation":"Create","host":"*"},{"principal":"User:carol","permissionType":"Allow","operation":"Read","host":"*"}]}',
  );
  expect(await c.read('/kafka-acl-extended/prefixed/Topic/pre-')).toBe(
    '{"version":1,"acls":[{"principal":"User:bob","permissionType":"Allow","operation":"Write","host":"*"}]}',
  );
  for (const t of ['Cluster', 'DelegationToken', 'Group', 'Topic', 'TransactionalId']) {
    expect(await c.read(`/kafka-acl/${t}`)).toBe('');
    expect(await c.read(`/kafka-acl-extended/prefixed/${t}`)).toBe('');
  }
  const literalChanges = (await getChildren(c.root, `${c.chroot}/kafka-acl-changes`)).sort();
  expect(literalChanges).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((n) => `acl_changes_${String(n).padStart(10, '0')}`));
  const changeData = await Promise.all(literalChanges.map((n) => c.read(`/kafka-acl-changes/${n}`)));
  expect(changeData).toEqual(['Topic:t1', 'Topic:t1', 'Group:g1', 'Cluster:kafka-cluster', 'TransactionalId:tx-1', 'Topic:t2', 'Topic:t2', 'Group:g2']);
  expect(await c.read('/kafka-acl-extended-changes/acl_changes_0000000000')).toBe(
    '{"version":1,"resourceType":"Topic","name":"pre-","patternType":"PREFIXED"}',
  );

  // --list --principal: only that principal's entries, under Kafka's heading
  expect((await acls(connect, '--list', '--principal', 'User:carol')).out).toEqual([
    '',
    'ACLs for principal `User:carol`',
    'Current ACLs for resource `Group:LITERAL:g2`: ',
    ' \tUser:carol has Allow permission for operations: Read from hosts: * ',
    '',
    'Current ACLs for resource `Topic:LITERAL:t2`: ',
    ' \tUser:carol has Allow permission for operations: Describe from hosts: *',
    '\tUser:carol has Allow permission for operations: Write from hosts: *',
    '\tUser:carol has Allow permission for operations: Create from hosts: *',
    '\tUser:carol has Allow permission for operations: Read from hosts: * ',
    '',
  ]);
  // --list names every resource; --remove --force takes entries away and the znode goes with the last
  const list = await acls(connect, '--list');
  expect(list.out.filter((l) => l.startsWith('Current ACLs'))).toHaveLength(7);
  const remove = await acls(connect, '--remove', '--force', '--allow-principal', 'User:alice', '--operation', 'Read', '--topic', 't1');
  expect(remove.out).toEqual([
    'Current ACLs for resource `Topic:LITERAL:t1`: ',
    ' \tUser:mallory has Deny permission for operations: All from hosts: 10.0.0.1 ',
    '',
  ]);
  expect((await acls(connect, '--remove', '--force', '--topic', 't1')).code).toBe(0);
  expect(await c.read('/kafka-acl/Topic/t1')).toBeNull();
});

test('refusals are one stderr line and exit 1', async () => {
  const c = await Chroot.create(zk, cleanups);
  expect(await acls(c.connectString, '--add', '--operation', 'Read', '--topic', 't')).toEqual({
    code: 1,
    out: [],
    err: ['You must specify one of: --allow-principal, --deny-principal when trying to add ACLs.'],
  });
  expect((await acls(c.connectString, '--add', '--allow-principal', 'alice', '--topic', 't')).err[0]).toMatch(/Could not parse principal/);
  expect((await acls(c.connectString, '--add', '--allow-principal', 'User:a', '--topic', 't', '--resource-pattern-type', 'match')).code).toBe(1);
  expect((await acls(c.connectString, '--add', '--allow-principal', 'User:a', '--operation', 'Fly', '--topic', 't')).err).toEqual(['Unknown operation: Fly']);
});
