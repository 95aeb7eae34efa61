import * as fs from 'fs';
import { close, connectZk, exists, getChildren, waitFor, type ZkClient } from '../harness';
import { startCluster, type ClusterHandle } from '../harness/broker';
import {
  createTopic,
  kafkaTopics,
  kcatConsume,
  kcatProduce,
  messages,
  waitForPartitionState,
} from './support';

/**
 * Topic deletion as the replication issue states it: `kafka-topics --zookeeper … --delete` while one
 * replica's broker is down waits for it ("marked for deletion"), finishes when it returns, and
 * leaves no files in any log dir and no znodes; a topic re-created under the same name starts empty
 * at offset 0 everywhere.
 */
jest.setTimeout(120_000);

let cluster: ClusterHandle;
let zk: ZkClient;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 3,
    // deleted partitions are renamed …-delete and removed after this delay
    overrides: { 'auto.create.topics.enable': false, 'log.segment.delete.delay.ms': 500 },
  });
  zk = await connectZk(cluster.zkConnect);
});

afterAll(async () => {
  if (zk) await close(zk);
  await cluster?.stop();
});

/** Every entry of every broker's log dir that belongs to `topic` (live, or renamed for deletion). */
function filesOf(topic: string): string[] {
  return cluster.brokers.flatMap((b) =>
    fs.existsSync(b.logDir) ? fs.readdirSync(b.logDir).filter((f) => f.startsWith(`${topic}-`)) : [],
  );
}

test('deletionWaitsForADownReplicaAndLeavesNothingBehind', async () => {
  const topic = 'doomed';
  await createTopic(cluster.zkConnect, topic, 2, 3);
  await waitForPartitionState(zk, topic, 0, (s) => s.isr.length === 3, 'a full ISR');
  await waitForPartitionState(zk, topic, 1, (s) => s.isr.length === 3, 'a full ISR');
  await kcatProduce(cluster.bootstrap, topic, messages('d', 20));
  await waitFor(() => filesOf(topic).length === 6, { timeoutMs: 20_000, what: 'six replicas on disk' });

  const down = cluster.broker(2);
  await down.kill();
  await waitFor(async () => !(await exists(zk, '/brokers/ids/2')), { timeoutMs: 20_000, what: 'broker 2 to leave' });

  const out = await kafkaTopics(cluster.zkConnect, ['--delete', '--topic', topic]);
  expect(out).toContain(`Topic ${topic} is marked for deletion.`);

  // The live replicas go; broker 2's cannot, so the marker and the topic znode stay.
  await waitFor(() => filesOf(topic).length === 2, { timeoutMs: 20_000, what: 'the live replicas to be deleted' });
  expect(fs.readdirSync(down.logDir).filter((f) => f.startsWith(`${topic}-`)).length).toBe(2);
  expect(await exists(zk, `/admin/delete_topics/${topic}`)).toBeTruthy();
  expect(await exists(zk, `/brokers/topics/${topic}`)).toBeTruthy();
  expect((await kafkaTopics(cluster.zkConnect, ['--list'])).split('\n')).toContain(`${topic} - marked for deletion`);

  // Broker 2 returns: deletion resumes and completes.
  await down.restart();
  await waitFor(async () => !(await exists(zk, `/admin/delete_topics/${topic}`)), {
    timeoutMs: 45_000,
    what: 'the deletion marker to go',
  });
  expect(await exists(zk, `/brokers/topics/${topic}`)).toBeFalsy();
  expect(await exists(zk, `/config/topics/${topic}`)).toBeFalsy();
  expect(await getChildren(zk, '/admin/delete_topics')).toEqual([]);
  await waitFor(() => filesOf(topic).length === 0, { timeoutMs: 20_000, what: 'no files of the topic in any log dir' });
  expect((await kafkaTopics(cluster.zkConnect, ['--list'])).split('\n')).not.toContain(topic);

  // Re-created under the same name: empty, offsets from 0 on every replica.
  await createTopic(cluster.zkConnect, topic, 1, 3);
  await waitForPartitionState(zk, topic, 0, (s) => s.isr.length === 3, 'a full ISR');
  // the state znode is written before the brokers' UpdateMetadata names the topic: until then a
  // broker answers UNKNOWN_TOPIC_OR_PARTITION and kcat gives up, so it asks again
  const fresh = await waitFor(() => kcatConsume(cluster.bootstrap, topic, 0), { timeoutMs: 20_000, what: `the re-created ${topic} to be readable` });
  expect(fresh).toEqual([]);
  await kcatProduce(cluster.bootstrap, topic, ['fresh'], { partition: 0 });
  expect(await kcatConsume(cluster.bootstrap, topic, 0)).toEqual(['fresh']);
  await waitFor(
    () =>
      cluster.brokers.every((b) => {
        const seg = `${b.logDir}/${topic}-0/00000000000000000000.log`;
        return fs.existsSync(seg) && fs.statSync(seg).size > 0;
      }),
    { timeoutMs: 20_000, what: 'every replica to hold the new record from offset 0' },
  );
});
