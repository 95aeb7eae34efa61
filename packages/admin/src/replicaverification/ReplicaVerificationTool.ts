import { topicPartitionKey, TopicPartitionMap, type TopicPartition } from '@samsa/common';
import { ApiKey, ErrorCode, lastOffsetOf, LOG_OVERHEAD, readBatchHeader, RECORD_BATCH_OVERHEAD } from '@samsa/protocol';
import { COMMAND_CONFIG_HELP, commandConfigSecurity } from '../cli/CommandConfig';
import { OptionParser, UsageError } from '../cli/OptionParser';
import { RecordFetcher } from '../client/RecordFetcher';
import { adminTimeoutMs, sleep } from '../client/ToolClient';
import type { ToolIo } from '../console/ConsoleProducer';
import { formatDate } from '../perf/ConsumerPerformance';
import { runTool } from '../client/ToolRun';

function parser(): OptionParser {
  return new OptionParser()
    .acceptsArg('broker-list', 'REQUIRED: The list of hostname and port of the server to connect to.', 'hostname:port,...,hostname:port')
    .acceptsArg('fetch-size', 'The fetch size of each request. (default: 52428800)', 'bytes', 'int')
    .acceptsArg('max-wait-ms', 'The max amount of time each fetch request waits. (default: 1000)', 'ms', 'int')
    .acceptsArg('topic-white-list', 'White list of topics to verify replica consistency. Defaults to all topics. (default: .*)', 'Java regex (String)')
    .acceptsArg('time', 'Timestamp for getting the initial offsets. (default: -1)', 'timestamp/-1(latest)/-2(earliest)', 'long')
    .acceptsArg('report-interval-ms', 'The reporting interval. (default: 30000)', 'ms', 'long')
    .acceptsArg('command-config', COMMAND_CONFIG_HELP, 'config file')
    .accepts('help', 'Print usage information.')
    .accepts('version', 'Display Kafka version.');
}

/** Kafka's Request.DebuggingConsumerId: a fetch any replica answers, up to its high watermark. */
const DEBUGGING_CONSUMER_ID = -2;
const DATE_FORMAT = 'yyyy-MM-dd HH:mm:ss,SSS';

/** One batch of one replica: what the verification compares. */
interface BatchInfo {
  readonly lastOffset: number;
  readonly checksum: number;
}

interface ReplicaData {
  readonly highWatermark: number;
  readonly batches: readonly BatchInfo[];
}

/**
 * The comparison of one round (Kafka's ReplicaBuffer.verifyCheckSum): per partition, the replicas'
 * batches side by side up to each one's high watermark. A batch whose last offset differs between
 * replicas is fatal (returned as `mismatch`); a differing checksum is reported and the check goes
 * on. The partition's position moves past every batch all replicas hold; the lag is the highest
 * high watermark's distance from it.
 */
export function verifyRound(
  positions: TopicPartitionMap<number>,
  fetched: TopicPartitionMap<Map<number, ReplicaData>>,
  report: (line: string) => void,
  now: () => string,
): { maxLag: number; maxLagPartition: TopicPartition | null; offsetWithMaxLag: number; mismatch: boolean } {
  let maxLag = -1;
  let maxLagPartition: TopicPartition | null = null;
  let offsetWithMaxLag = -1;
  for (const [tp, replicas] of fetched) {
    const name = topicPartitionKey(tp);
    const maxHw = Math.max(...[...replicas.values()].map((r) => r.highWatermark));
    for (let i = 0; ; i++) {
      let first: (BatchInfo & { replicaId: number }) | undefined;
      let inAll = true;
      for (const [replicaId, data] of replicas) {
        const batch = data.batches[i];
        if (batch === undefined || batch.lastOffset >= data.highWatermark) {
          inAll = false;
          break;
        }
        if (first === undefined) {
          first = { ...batch, replicaId };
        } else {
          if (first.lastOffset !== batch.lastOffset) {
            report(`${now()}: partition ${name}: replica ${first.replicaId}'s offset ${first.lastOffset} doesn't match replica ${replicaId}'s offset ${batch.lastOffset}`);
            return { maxLag, maxLagPartition, offsetWithMaxLag, mismatch: true };
          }
          if (first.checksum !== batch.checksum)
            report(`${now()}: partition ${name} has unmatched checksum at offset ${batch.lastOffset}; replica ${first.replicaId}'s checksum ${first.checksum}; replica ${replicaId}'s checksum ${batch.checksum}`);
        }
      }
      if (!inAll || first === undefined) break;
      positions.set(tp, first.lastOffset + 1);
    }
    const position = positions.get(tp) ?? 0;
    if (maxHw - position > maxLag) {
      offsetWithMaxLag = position;
      maxLag = maxHw - position;
      maxLagPartition = tp;
    }
  }
  return { maxLag, maxLagPartition, offsetWithMaxLag, mismatch: false };
}

/** The v2 batches of a fetched record set (a trailing partial batch left for the next round). */
function batchesOf(set: Buffer | null): BatchInfo[] {
  const out: BatchInfo[] = [];
  if (set === null) return out;
  let pos = 0;
  while (set.length - pos >= RECORD_BATCH_OVERHEAD) {
    const size = LOG_OVERHEAD + set.readInt32BE(pos + 8);
    if (size > set.length - pos) break;
    const h = readBatchHeader(set, pos);
    out.push({ lastOffset: lastOffsetOf(h), checksum: h.crc });
    pos += size;
  }
  return out;
}

/**
 * kafka-replica-verification (Kafka 2.8 ReplicaVerificationTool): every replica of the
 * --topic-white-list topics fetched from its broker as the debugging consumer, round after round
 * from --time's offsets; the replicas' batches compared up to their high watermarks; every
 * --report-interval-ms `<time>: max lag is L for partition topic-p at offset O among N partitions`.
 * A batch whose offsets differ between replicas ends it with status 1; it otherwise runs until
 * stopped (SIGINT/SIGTERM), as Kafka's does.
 */
export function runReplicaVerificationTool(args: readonly string[], io: ToolIo & { readonly signal?: AbortSignal }): Promise<number> {
  return runTool(io, async (run) => {
    if (args.length === 0) throw new UsageError('Validate that all replicas for a set of topics have the same data.');
    const options = parser().parse(args);
    if (options.has('help')) {
      io.out('Validate that all replicas for a set of topics have the same data.');
      io.out(parser().helpText());
      return 0;
    }
    const brokerList = options.valueOf('broker-list');
    if (brokerList === undefined) throw new UsageError('Missing required argument "[broker-list]"');
    const regexText = options.valueOf('topic-white-list') ?? '.*';
    let regex: RegExp;
    try {
      regex = new RegExp(`^(?:${regexText.replace(/,/g, '|')})$`);
    } catch {
      throw new UsageError(`${regexText} is an invalid regex.`);
    }
    const fetchSize = options.intValueOf('fetch-size') ?? 52_428_800;
    const maxWaitMs = options.intValueOf('max-wait-ms') ?? 1000;
    const time = Number(options.longValueOf('time') ?? -1n);
    const reportInterval = Number(options.longValueOf('report-interval-ms') ?? 30_000n);
    const security = commandConfigSecurity(options.valueOf('command-config'));
    const timeoutMs = Math.max(adminTimeoutMs(), maxWaitMs + 5000);
    const client = run.open({ bootstrapServers: brokerList, clientId: 'replicaVerificationTool', requestTimeoutMs: timeoutMs, security });
    const md = await client.metadata(null);
    const topics = md.topics.filter((t) => t.errorCode === ErrorCode.NONE && regex.test(t.name));
    if (topics.length === 0) {
      io.err(`No topics found. [topic-white-list], if specified, is either filtering out all topics or there is no topic.`);
      return 1;
    }
    // replicas per broker, and each partition's expected replica count
    const perBroker = new Map<number, TopicPartition[]>();
    const expected = new TopicPartitionMap<number>();
    for (const t of topics)
      for (const p of t.partitions) {
        const tp = { topic: t.name, partition: p.partitionIndex };
        expected.set(tp, p.replicaNodes.length);
        for (const b of p.replicaNodes) perBroker.set(b, [...(perBroker.get(b) ?? []), tp]);
      }
    const initial = await RecordFetcher.forOffsets(client, timeoutMs).listOffsets([...expected.keys()], time);
    const positions = new TopicPartitionMap<number>([...initial].map(([tp, o]) => [tp, o ?? 0] as const));
    const now = (): string => formatDate(DATE_FORMAT, Date.now());
    io.out(`${now()}: verification process is started.`);
    let lastReport = Date.now();
    while (!io.signal?.aborted) {
      const fetched = new TopicPartitionMap<Map<number, ReplicaData>>();
      for (const tp of expected.keys()) fetched.set(tp, new Map());
      await Promise.all(
        [...perBroker].map(async ([broker, tps]) => {
          let response;
          try {
            response = await client.sendToNode(broker, ApiKey.Fetch, 4, {
              replicaId: DEBUGGING_CONSUMER_ID,
              maxWaitMs,
              minBytes: 1,
              maxBytes: fetchSize,
              isolationLevel: 0,
              topics: groupByTopic(tps).map(([topic, partitions]) => ({
                topic,
                partitions: partitions.map((partition) => ({ partition, fetchOffset: positions.get({ topic, partition }) ?? 0, partitionMaxBytes: fetchSize })),
              })),
            });
          } catch {
            // a broker down: its replicas answer nothing this round and the partitions wait for it
            for (const tp of tps) fetched.get(tp)!.set(broker, { highWatermark: 0, batches: [] });
            return;
          }
          for (const t of response.responses)
            for (const p of t.partitionResponses) {
              const data = p.errorCode === ErrorCode.NONE ? { highWatermark: p.highWatermark, batches: batchesOf(p.recordSet) } : { highWatermark: 0, batches: [] };
              fetched.get({ topic: t.topic, partition: p.partition })?.set(broker, data);
            }
        }),
      );
      for (const [tp, replicas] of fetched)
        if (replicas.size !== expected.get(tp))
          throw new Error(`fetched ${replicas.size} replicas for ${topicPartitionKey(tp)}, but expected ${expected.get(tp)} replicas`);
      const round = verifyRound(positions, fetched, io.out, now);
      if (round.mismatch) return 1;
      if (Date.now() - lastReport > reportInterval) {
        io.out(
          `${now()}: max lag is ${round.maxLag} for partition ${round.maxLagPartition === null ? 'null' : topicPartitionKey(round.maxLagPartition)} at offset ${round.offsetWithMaxLag} among ${expected.size} partitions`,
        );
        lastReport = Date.now();
      }
      // every replica answered at once (nothing new): wait a moment, as the fetches' max wait would
      if ([...fetched.values()].every((m) => [...m.values()].every((d) => d.batches.length === 0))) await sleep(Math.min(maxWaitMs, 200));
    }
    return 0;
  });
}

function groupByTopic(tps: readonly TopicPartition[]): Array<[string, number[]]> {
  const out = new Map<string, number[]>();
  for (const tp of tps) out.set(tp.topic, [...(out.get(tp.topic) ?? []), tp.partition]);
  return [...out];
}
