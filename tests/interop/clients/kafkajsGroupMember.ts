/**
 * One kafkajs 2.2.4 consumer-group member as a process of its own, so a test can SIGKILL it.
 *
 *   node --import tsx kafkajsGroupMember.ts BOOTSTRAP GROUP TOPIC eachMessage|eachBatch [SESSION_MS [METADATA_MAX_AGE_MS]]
 *
 * METADATA_MAX_AGE_MS is kafkajs's metadataMaxAge (default 300000): a kafkajs member notices new
 * partitions of its topic only when its metadata expires (ConsumerGroup.checkForStaleAssignment).
 *
 * Prints one JSON object per line: {"event":"assigned","memberId","leader","partitions":[…]}
 * on every GROUP_JOIN, {"event":"record","p","o","k"} per record handled, {"event":"closed"} after a
 * clean disconnect (SIGTERM: kafkajs commits what was handled and leaves the group).
 */
import { Kafka, logLevel } from 'kafkajs';

const [bootstrap, groupId, topic, mode, sessionMs, metadataMaxAgeMs] = process.argv.slice(2);
if (!bootstrap || !groupId || !topic || (mode !== 'eachMessage' && mode !== 'eachBatch')) {
  process.stderr.write('usage: kafkajsGroupMember BOOTSTRAP GROUP TOPIC eachMessage|eachBatch [SESSION_MS]\n');
  process.exit(2);
}

const print = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
const kafka = new Kafka({ clientId: `member-${process.pid}`, brokers: bootstrap.split(','), logLevel: logLevel.WARN });
const sessionTimeout = Number(sessionMs ?? 6000);
const consumer = kafka.consumer({
  groupId,
  sessionTimeout,
  heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 6)),
  rebalanceTimeout: 20_000,
  retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1_000 },
  ...(metadataMaxAgeMs ? { metadataMaxAge: Number(metadataMaxAgeMs) } : {}),
});

consumer.on(consumer.events.GROUP_JOIN, (e) => {
  const partitions = (e.payload.memberAssignment[topic] ?? []).slice().sort((a, b) => a - b);
  print({ event: 'assigned', memberId: e.payload.memberId, leader: e.payload.isLeader, partitions });
});
consumer.on(consumer.events.CRASH, (e) => print({ event: 'crash', error: String(e.payload.error) }));

async function main(): Promise<void> {
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  if (mode === 'eachMessage') {
    await consumer.run({
      autoCommitInterval: 500,
      eachMessage: async ({ partition, message }) => {
        print({ event: 'record', p: partition, o: Number(message.offset), k: message.key?.toString('utf8') ?? null });
      },
    });
  } else {
    await consumer.run({
      autoCommitInterval: 500,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch, heartbeat }) => {
        for (const m of batch.messages) {
          print({ event: 'record', p: batch.partition, o: Number(m.offset), k: m.key?.toString('utf8') ?? null });
        }
        await heartbeat();
      },
    });
  }
}

let closing = false;
process.on('SIGTERM', () => {
  if (closing) return;
  closing = true;
  consumer
    .disconnect()
    .then(() => {
      print({ event: 'closed' });
      process.exit(0);
    })
    .catch((e: unknown) => {
      print({ event: 'crash', error: String(e) });
      process.exit(1);
    });
});

main().catch((e: unknown) => {
  print({ event: 'crash', error: String(e) });
  process.exit(1);
});
