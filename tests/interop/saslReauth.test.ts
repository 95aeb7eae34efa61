import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { freePort, startZooKeeper, type ZooKeeperHandle } from '../harness';
import { startBroker, type BrokerHandle } from '../harness/broker';
import { createTopic } from '../fault/support';
import { addScramUser, PLAIN_USERS, saslListenerOverrides } from './saslSupport';

/**
 * KIP-368 re-authentication end to end: a broker whose SASL sessions last
 * connections.max.reauth.ms = 3000 (SaslAuthenticate v1 tells the client), and kafkajs 2.2.4,
 * which re-authenticates on the same connection once the session is within its
 * reauthenticationThreshold of the end. A producer and a consumer group keep working across
 * several sessions; the broker counts the re-authentications (successful-reauthentication-total)
 * and no new connection (successful-authentication-total stays), and no failure.
 */
jest.setTimeout(120_000);

const REAUTH_MS = 3_000;
const SCRAM_USER = 'reauth-user';
const SCRAM_PASSWORD = 'reauth-secret';
const TOPIC = 'sasl-reauth';

let zk: ZooKeeperHandle;
let broker: BrokerHandle;
let sasl: string;

beforeAll(async () => {
  zk = await startZooKeeper();
  await addScramUser(zk.connectString, SCRAM_USER, SCRAM_PASSWORD);
  const port = await freePort();
  const saslPort = await freePort();
  broker = await startBroker({
    zkConnect: zk.connectString,
    brokerId: 0,
    port,
    overrides: {
      listeners: `PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://127.0.0.1:${saslPort}`,
      'inter.broker.listener.name': 'PLAINTEXT',
      'offsets.topic.replication.factor': 1,
      'connections.max.reauth.ms': REAUTH_MS,
      ...saslListenerOverrides(),
    },
  });
  sasl = `127.0.0.1:${saslPort}`;
  await createTopic(zk.connectString, TOPIC, 1, 1);
});

afterAll(async () => {
  await broker?.stop().catch(() => broker.kill());
  await broker?.remove();
  await zk?.stop();
});

type Counter = 'successful-authentication-total' | 'successful-reauthentication-total' | 'failed-authentication-total';

async function counter(name: Counter): Promise<number> {
  const mbean = `kafka.server:type=socket-server-metrics,name=${name}`;
  const r = await fetch(`${broker.metricsUrl}/jolokia/read/${mbean}/Value`);
  const body = (await r.json()) as { status: number; value?: unknown };
  if (body.status !== 200) throw new Error(`read ${mbean}: ${JSON.stringify(body)}`);
  return Number(body.value);
}

async function counters(): Promise<Record<Counter, number>> {
  return {
    'successful-authentication-total': await counter('successful-authentication-total'),
    'successful-reauthentication-total': await counter('successful-reauthentication-total'),
    'failed-authentication-total': await counter('failed-authentication-total'),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it.each([
  ['SCRAM-SHA-256', SCRAM_USER, SCRAM_PASSWORD],
  ['PLAIN', 'alice', PLAIN_USERS.alice],
] as const)('kafkajs (%s) produces and consumes in a group across four sessions, re-authenticating on its connections', async (mechanism, username, password) => {
  const client = (retries: number) =>
    new Kafka({
      clientId: `reauth-${mechanism}`,
      brokers: [sasl],
      sasl: { mechanism: mechanism.toLowerCase(), username, password } as SASLOptions,
      // re-authenticate once a session has less than 1 s left (kafkajs's default, 10 s, is longer than the session)
      reauthenticationThreshold: 1_000,
      logLevel: logLevel.NOTHING,
      retry: { retries },
    });
  // the producer without retries: a connection the broker dropped would fail a send
  const producer = client(0).producer();
  // the consumer retries (its first FindCoordinator may find __consumer_offsets being created) and must not crash
  const consumer = client(8).consumer({ groupId: `reauth-${mechanism}`, heartbeatInterval: 500 });
  const tag = mechanism.toLowerCase();
  const seen: string[] = [];
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const crashes: string[] = [];
  consumer.on(consumer.events.CRASH, (e) => void crashes.push(String((e.payload as { error: Error }).error)));
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  try {
    await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: `${tag}-first` }] });
    // once the consumer reads, every connection of both clients is open and authenticated
    const deadline = Date.now() + 60_000;
    while (!seen.includes(`${tag}-first`) && crashes.length === 0 && Date.now() < deadline) await sleep(200);
    expect({ crashes, first: seen.includes(`${tag}-first`) }).toEqual({ crashes: [], first: true });
    const before = await counters();
    // four session lifetimes, a record every 250 ms; retries: 0, so a broken connection fails a send
    const sent: string[] = [];
    const until = Date.now() + 4 * REAUTH_MS;
    for (let i = 0; Date.now() < until; i++) {
      const value = `${tag}-${i}`;
      await producer.send({ topic: TOPIC, acks: -1, messages: [{ value }] });
      sent.push(value);
      await sleep(250);
    }
    const after = await counters();
    // every connection of the producer and the consumer re-authenticated in each session: at least 3 each
    expect(after['successful-reauthentication-total'] - before['successful-reauthentication-total']).toBeGreaterThanOrEqual(3);
    // the same connections all along: no new login, and nothing refused
    expect(after['successful-authentication-total']).toBe(before['successful-authentication-total']);
    expect(after['failed-authentication-total']).toBe(before['failed-authentication-total']);
    const readBy = Date.now() + 30_000;
    while (!sent.every((v) => seen.includes(v)) && Date.now() < readBy) await sleep(200);
    expect(sent.filter((v) => !seen.includes(v))).toEqual([]);
    expect(crashes).toEqual([]);
    expect(broker.output()).not.toMatch(/Failed authentication|the SASL session expired/);
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
});
