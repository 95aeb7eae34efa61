import { spawnSync } from 'child_process';
import * as path from 'path';
import { Kafka, logLevel } from 'kafkajs';
import type { StartedDockerComposeEnvironment } from 'testcontainers';
import { waitFor } from '../../harness';
import { COMPOSE_FILE, composeCommand } from './support';

/**
 * deploy/docker-compose.yml for real, through testcontainers: builds the image, starts ZooKeeper
 * and the three brokers, and makes a kafkajs produce/consume round trip through the published
 * EXTERNAL listeners (localhost:9091-9093), replication factor 3, acks=all, in a consumer group.
 * Needs a Docker engine and a compose binary; without them it is skipped, saying why, at once.
 */
const BOOTSTRAP = ['localhost:9091', 'localhost:9092', 'localhost:9093'];

/**
 * Why the compose cluster cannot run here, or undefined when it can. Asks the engine's /_ping
 * (DOCKER_HOST or the default socket) from a child process with a 3 s limit, so a missing engine
 * costs no time and nothing waits on a socket that never answers.
 */
function dockerProblem(): string | undefined {
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  const ping = `
    const http = require('http');
    const host = process.argv[1];
    const target = host.startsWith('unix://') ? { socketPath: host.slice(7) }
      : host.startsWith('tcp://') ? { host: new URL('http://' + host.slice(6)).hostname, port: Number(new URL('http://' + host.slice(6)).port || 2375) }
      : null;
    if (target === null) { console.error('unsupported DOCKER_HOST ' + host); process.exit(1); }
    const req = http.get({ ...target, path: '/_ping', timeout: 3000 }, (res) => process.exit(res.statusCode === 200 ? 0 : 2));
    req.on('timeout', () => { console.error('no answer within 3 s'); process.exit(1); });
    req.on('error', (e) => { console.error(e.message); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', ping, host], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) return `no Docker engine answers at ${host} (${(r.stderr || 'no answer').trim()})`;
  if (composeCommand() === undefined)
    return 'the Docker engine has no compose (`docker compose` or `docker-compose`)';
  return undefined;
}

const problem = dockerProblem();
// Written straight to stderr: jest does not show the console of a file whose tests are all skipped.
if (problem !== undefined) process.stderr.write(`compose.test.ts skipped: ${problem}\n`);

(problem === undefined ? describe : describe.skip)('the docker compose cluster', () => {
  jest.setTimeout(20 * 60_000);
  let environment: StartedDockerComposeEnvironment | undefined;

  beforeAll(async () => {
    const { DockerComposeEnvironment, Wait } = await import('testcontainers');
    let compose = new DockerComposeEnvironment(path.dirname(COMPOSE_FILE), path.basename(COMPOSE_FILE))
      .withBuild()
      .withStartupTimeout(10 * 60_000);
    for (const id of [1, 2, 3])
      compose = compose.withWaitStrategy(
        `broker-${id}-1`,
        Wait.forLogMessage(`[KafkaServer id=${id}] started`),
      );
    environment = await compose.up();
  });

  afterAll(async () => {
    await environment?.down({ removeVolumes: true });
  });

  test('aRecordProducedWithAcksAllIsConsumedInAGroup', async () => {
    const kafka = new Kafka({
      clientId: 'compose-test',
      brokers: BOOTSTRAP,
      logLevel: logLevel.NOTHING,
      retry: { retries: 8, initialRetryTime: 300 },
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitFor(async () => (await admin.describeCluster()).brokers.length === 3, {
        timeoutMs: 120_000,
        what: 'three brokers in the metadata',
      });
      await admin.createTopics({
        topics: [{ topic: 'compose-roundtrip', numPartitions: 3, replicationFactor: 3 }],
        waitForLeaders: true,
      });
    } finally {
      await admin.disconnect();
    }
    const values = Array.from({ length: 30 }, (_, i) => `record-${i}`);
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: 'compose-roundtrip',
        acks: -1,
        messages: values.map((value) => ({ value })),
      });
    } finally {
      await producer.disconnect();
    }
    const consumer = kafka.consumer({ groupId: 'compose-roundtrip-group' });
    const received: string[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: ['compose-roundtrip'], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => void received.push(message.value!.toString()),
      });
      await waitFor(() => received.length >= values.length, { timeoutMs: 120_000, what: 'all records back' });
    } finally {
      await consumer.disconnect();
    }
    expect([...received].sort()).toEqual([...values].sort());
  });
});
