import {
  close,
  connectZk,
  exists,
  getData,
  liveTrackedProcesses,
  sessionIdHex,
  waitFor,
  type ZkClient,
} from '../harness';
import { startBroker, startCluster, type BrokerHandle, type ClusterHandle } from '../harness/broker';
import { controllerInfo, createTopic, kcatConsume, waitForPartitionState } from './support';
import { ProducerLoop } from './producerLoop';

/**
 * A supervisor's immediate restart (issue 13, row 13), on a three-broker cluster with an RF 3 topic
 * (min.insync.replicas 2) under acks=all load:
 *   "kill -9 a broker and start it again at once, on the same port and log dir": ZooKeeper still
 *   holds the killed process's /brokers/ids/<id> for up to zookeeper.session.timeout.ms (6 s here);
 *   the new process recognises its previous incarnation (same host:port), waits for that session
 *   to expire, registers, and is back in every ISR within the session timeout + 10 s, with every
 *   acknowledged record readable;
 *   "start a second broker with a live broker's id on another port": it fails at once, naming the
 *   host:port that holds the id.
 */
jest.setTimeout(90_000);

const TOPIC = 'restart-rejoin';
const PARTITIONS = 3;
/** The harness's zookeeper.session.timeout.ms. */
const SESSION_TIMEOUT_MS = 6_000;

let cluster: ClusterHandle;
let zk: ZkClient;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 3,
    overrides: { 'auto.create.topics.enable': false, 'zookeeper.session.timeout.ms': SESSION_TIMEOUT_MS },
  });
  zk = await connectZk(cluster.zkConnect);
  await createTopic(cluster.zkConnect, TOPIC, PARTITIONS, 3, ['min.insync.replicas=2']);
  for (let p = 0; p < PARTITIONS; p++)
    await waitForPartitionState(zk, TOPIC, p, (s) => s.leader >= 0 && s.isr.length === 3, 'full ISR');
});

afterAll(async () => {
  if (zk) await close(zk);
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

/** A broker that is not the controller (so the scenario is about registration, not a failover). */
async function nonController(): Promise<BrokerHandle> {
  const controller = await waitFor(() => controllerInfo(zk), { what: 'a controller' });
  return cluster.brokers.find((b) => b.brokerId !== controller.brokerId)!;
}

/** The session (hex) holding /brokers/ids/<id>, or null when nobody is registered with it. */
async function registrationOwner(brokerId: number): Promise<string | null> {
  const stat = await exists(zk, `/brokers/ids/${brokerId}`);
  return stat === null ? null : sessionIdHex(stat.ephemeralOwner);
}

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('aBrokerKilledWithSigkillAndRestartedAtOnceRejoinsAndTheIsrIsFullWithinTheSessionTimeoutPlus10s', async () => {
  const victim = await nonController();
  const v = victim.brokerId;
  const producer = await ProducerLoop.start(cluster.bootstrap, {
    topic: TOPIC,
    partitions: PARTITIONS,
    clientId: 'restart-rejoin-producer',
  });
  try {
    await producer.waitForAcked(60);
    const ownerBefore = await registrationOwner(v);
    expect(ownerBefore).not.toBeNull();

    const from = victim.output().length;
    const killedAt = Date.now();
    await victim.kill();
    // At once: the killed process's session still holds the registration.
    expect(await registrationOwner(v)).toBe(ownerBefore);
    await victim.restart(); // resolves once the new process logged "started" (it did not exit)
    const output = victim.output().slice(from);
    expect(output).toMatch(
      new RegExp(
        `/brokers/ids/${v} is held by session 0x[0-9a-f]+ of a previous incarnation of this broker ` +
          `\\(registered at 127\\.0\\.0\\.1:${victim.port}\\); waiting up to \\d+ ms`,
      ),
    );
    expect(output).toContain(`Registered broker ${v} at path /brokers/ids/${v}`);
    expect(output).not.toContain('Fatal error during startup');
    const ownerAfter = await registrationOwner(v);
    expect(ownerAfter).not.toBeNull();
    expect(ownerAfter).not.toBe(ownerBefore);

    // Every partition's ISR holds all three replicas again within the session timeout + 10 s of the kill.
    const deadline = killedAt + SESSION_TIMEOUT_MS + 10_000;
    for (let p = 0; p < PARTITIONS; p++) {
      await waitForPartitionState(
        zk,
        TOPIC,
        p,
        (s) => s.isr.length === 3 && s.isr.includes(v),
        `${v} back in the ISR`,
        Math.max(0, deadline - Date.now()),
      );
    }

    // Load goes on after the rejoin; then every acknowledged record is read back.
    await producer.waitForAcked(producer.acked.size + 60);
  } finally {
    await producer.stop();
  }
  expect(isAlive(victim.pid)).toBe(true);
  expect(await registrationOwner(v)).not.toBeNull();
  const stored = new Set<string>();
  for (let p = 0; p < PARTITIONS; p++)
    for (const value of await kcatConsume(cluster.bootstrap, TOPIC, p)) stored.add(value);
  const acked = [...producer.acked];
  expect(acked.length).toBeGreaterThanOrEqual(120);
  expect(acked.filter((value) => !stored.has(value))).toEqual([]);
});

test('aDifferentBrokerWithALiveBrokersIdFailsFastNamingTheHostAndPortThatHoldsIt', async () => {
  const holder = cluster.brokers[0];
  const ownerBefore = await registrationOwner(holder.brokerId);
  const { data } = await getData(zk, `/brokers/ids/${holder.brokerId}`);
  expect(data!.toString()).toContain(`"PLAINTEXT://127.0.0.1:${holder.port}"`);

  const startedAt = Date.now();
  const failure = await startBroker({ zkConnect: cluster.zkConnect, brokerId: holder.brokerId }).then(
    (impostor) => {
      void impostor.remove();
      return new Error('a second broker with the same id started');
    },
    (e: Error) => e,
  );
  const elapsedMs = Date.now() - startedAt;
  expect(failure.message).toContain(`exited with 1 during startup`);
  expect(failure.message).toContain(
    `broker id ${holder.brokerId} is already registered in ZooKeeper (/brokers/ids/${holder.brokerId}) ` +
      `by another broker at 127.0.0.1:${holder.port}: another broker uses this broker.id`,
  );
  expect(failure.message).not.toContain('previous incarnation');
  // Fast: it does not wait out a session timeout (6 s) the way a previous incarnation is waited for.
  expect(elapsedMs).toBeLessThan(SESSION_TIMEOUT_MS);
  // The holder is untouched.
  expect(await registrationOwner(holder.brokerId)).toBe(ownerBefore);
  expect(isAlive(holder.pid)).toBe(true);
});
