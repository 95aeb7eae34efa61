import { readFileSync } from 'node:fs';
import { OptionParser, UsageError } from '../cli/OptionParser';
import { ClientProperties } from '../client/ClientProperties';
import { compressionCodecId, RecordProducer } from '../client/RecordProducer';
import { sleep } from '../client/ToolClient';
import type { ToolIo } from '../console/ConsoleProducer';
import { runTool } from '../client/ToolRun';

function parser(): OptionParser {
  return new OptionParser()
    .acceptsArg('topic', 'produce messages to this topic', 'TOPIC')
    .acceptsArg('num-records', 'number of messages to produce', 'NUM-RECORDS', 'long')
    .acceptsArg('payload-delimiter', 'provides delimiter to be used when --payload-file is provided. Defaults to new line. Note that this parameter will be ignored if --payload-file is not provided. (default: \\n)', 'PAYLOAD-DELIMITER')
    .acceptsArg('throughput', 'throttle maximum message throughput to *approximately* THROUGHPUT messages/sec. Set this to -1 to disable throttling.', 'THROUGHPUT', 'long')
    .acceptsArg('producer-props', 'kafka producer related configuration properties like bootstrap.servers,client.id etc. These configs take precedence over those passed via --producer.config.', 'PROP-NAME=PROP-VALUE')
    .acceptsArg('producer.config', 'producer config properties file.', 'CONFIG-FILE')
    .acceptsArg('command-config', 'producer config properties file (as --producer.config).', 'CONFIG-FILE')
    .accepts('print-metrics', 'print out metrics at the end of the test. (default: false)')
    .acceptsArg('transactional-id', 'The transactionalId to use if transaction-duration-ms is > 0. Useful when testing the performance of concurrent transactions. (default: performance-producer-default-transactional-id)', 'TRANSACTIONAL-ID')
    .acceptsArg('transaction-duration-ms', 'The max age of each transaction. The commitTransaction will be called after this time has elapsed. Transactions are only enabled if this value is positive. (default: 0)', 'TRANSACTION-DURATION', 'long')
    .acceptsArg('record-size', 'message size in bytes. Note that you must provide exactly one of --record-size or --payload-file.', 'RECORD-SIZE', 'int')
    .acceptsArg('payload-file', 'file to read the message payloads from. This works only for UTF-8 encoded text files. Payloads will be read from this file and a payload will be randomly selected when sending messages. Note that you must provide exactly one of --record-size or --payload-file.', 'PAYLOAD-FILE')
    .accepts('help', 'show this help message and exit');
}

/** argparse4j's `nargs('+')`: `--producer-props a=1 b=2` → one option per word. */
export function expandProducerProps(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    out.push(args[i]!);
    if (args[i] === '--producer-props') {
      out.push(args[++i] ?? '');
      while (i + 1 < args.length && !args[i + 1]!.startsWith('--')) out.push('--producer-props', args[++i]!);
    }
  }
  return out;
}

/**
 * Kafka's ProducerPerformance.Stats: latencies of every send, a window line every 5 s and the
 * summary with the 50th/95th/99th/99.9th percentiles of a sample of the latencies.
 */
export class ProducerStats {
  private readonly start: number;
  private windowStart: number;
  private readonly latencies: number[] = [];
  private readonly sampling: number;
  private iteration = 0;
  private count = 0;
  private bytes = 0;
  private maxLatency = 0;
  private totalLatency = 0;
  private windowCount = 0;
  private windowMaxLatency = 0;
  private windowTotalLatency = 0;
  private windowBytes = 0;

  constructor(numRecords: number, private readonly reportingInterval: number, private readonly print: (line: string) => void, now = Date.now()) {
    this.start = now;
    this.windowStart = now;
    this.sampling = Math.max(1, Math.floor(numRecords / Math.min(numRecords, 500_000)));
  }

  record(latency: number, bytes: number, time: number): void {
    this.count++;
    this.bytes += bytes;
    this.totalLatency += latency;
    this.maxLatency = Math.max(this.maxLatency, latency);
    this.windowCount++;
    this.windowBytes += bytes;
    this.windowTotalLatency += latency;
    this.windowMaxLatency = Math.max(this.windowMaxLatency, latency);
    if (this.iteration % this.sampling === 0) this.latencies.push(latency);
    this.iteration++;
    if (time - this.windowStart >= this.reportingInterval) {
      this.printWindow(time);
      this.windowStart = time;
      this.windowCount = 0;
      this.windowMaxLatency = 0;
      this.windowTotalLatency = 0;
      this.windowBytes = 0;
    }
  }

  private printWindow(now: number): void {
    const elapsed = now - this.windowStart;
    const recsPerSec = (1000 * this.windowCount) / elapsed;
    const mbPerSec = (1000 * this.windowBytes) / elapsed / (1024 * 1024);
    this.print(
      `${this.windowCount} records sent, ${recsPerSec.toFixed(1)} records/sec (${mbPerSec.toFixed(2)} MB/sec), ${(this.windowTotalLatency / this.windowCount).toFixed(1)} ms avg latency, ${this.windowMaxLatency.toFixed(1)} ms max latency.`,
    );
  }

  printTotal(now = Date.now()): void {
    const elapsed = Math.max(now - this.start, 1);
    const recsPerSec = (1000 * this.count) / elapsed;
    const mbPerSec = (1000 * this.bytes) / elapsed / (1024 * 1024);
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const pct = (p: number): number => sorted[Math.floor(p * sorted.length)] ?? 0;
    this.print(
      `${this.count} records sent, ${recsPerSec.toFixed(6)} records/sec (${mbPerSec.toFixed(2)} MB/sec), ${(this.totalLatency / Math.max(this.count, 1)).toFixed(2)} ms avg latency, ${this.maxLatency.toFixed(2)} ms max latency, ${pct(0.5)} ms 50th, ${pct(0.95)} ms 95th, ${pct(0.99)} ms 99th, ${pct(0.999)} ms 99.9th.`,
    );
  }
}

/** Kafka's ThroughputThrottler: how long to wait before the next send to keep to `target` per second. */
export function throttleDelayMs(target: number, sent: number, elapsedMs: number): number {
  if (target < 0) return 0;
  if (target === 0) return Number.POSITIVE_INFINITY;
  const dueAt = (sent * 1000) / target;
  return Math.max(0, dueAt - elapsedMs);
}

/** Records outstanding (sent, not yet acknowledged) before the test waits: buffer.memory's role. */
const MAX_OUTSTANDING_BYTES = 32 * 1024 * 1024;

/**
 * kafka-producer-perf-test (Kafka 2.8 ProducerPerformance): --num-records random-letter payloads
 * of --record-size bytes (or lines of --payload-file), paced to --throughput records/s, a window
 * line every 5 s and Kafka's summary line. Transactions (--transaction-duration-ms) are refused:
 * Samsa's tool client has no transactional producer.
 */
export function runProducerPerformance(args: readonly string[], io: ToolIo): Promise<number> {
  return runTool(io, async (run) => {
    const options = parser().parse(expandProducerProps(args));
    if (options.has('help')) {
      io.out('This tool is used to verify the producer performance.');
      io.out(parser().helpText());
      return 0;
    }
    const missing = ['topic', 'num-records', 'throughput'].filter((o) => !options.has(o));
    if (missing.length > 0) throw new UsageError(`argument --${missing[0]} is required`);
    if (options.has('record-size') === options.has('payload-file'))
      throw new UsageError('Either --record-size or --payload-file must be specified but not both.');
    if (Number(options.longValueOf('transaction-duration-ms') ?? 0n) > 0)
      throw new UsageError('--transaction-duration-ms: Samsa\'s producer perf test has no transactional producer');
    if (!options.has('producer-props') && !options.has('producer.config') && !options.has('command-config'))
      throw new UsageError('Either --producer-props or --producer.config must be specified.');
    const topic = options.valueOf('topic')!;
    const numRecords = Number(options.longValueOf('num-records'));
    const throughput = Number(options.longValueOf('throughput'));
    const props = ClientProperties.from([options.valueOf('command-config'), options.valueOf('producer.config')], options.valuesOf('producer-props'));
    const bootstrap = props.get('bootstrap.servers');
    if (bootstrap === undefined) throw new UsageError('Missing required configuration "bootstrap.servers" which has no default value.');
    let payloads: Buffer[];
    const recordSize = options.intValueOf('record-size');
    if (recordSize !== undefined) {
      const payload = Buffer.alloc(recordSize);
      for (let i = 0; i < recordSize; i++) payload[i] = 65 + Math.floor(Math.random() * 26);
      payloads = [payload];
    } else {
      const file = options.valueOf('payload-file')!;
      const delimiter = (options.valueOf('payload-delimiter') ?? '\\n').replace(/\\n/g, '\n');
      io.out(`Reading payloads from: ${file}`);
      payloads = readFileSync(file, 'utf8').split(delimiter).filter((p) => p !== '').map((p) => Buffer.from(p, 'utf8'));
      if (payloads.length === 0) throw new UsageError('File does not contain any payloads');
      io.out(`Number of messages read: ${payloads.length}`);
    }
    const security = props.security();
    const requestTimeoutMs = props.int('request.timeout.ms', 30_000);
    const client = run.open({ bootstrapServers: bootstrap, clientId: props.get('client.id') ?? 'perf-producer-client', requestTimeoutMs, security });
    const acksText = props.get('acks') ?? '1';
    const compression = compressionCodecId(props.get('compression.type') ?? 'none');
    if (compression === undefined) throw new UsageError(`Invalid value ${props.get('compression.type')} for configuration compression.type`);
    const producer = new RecordProducer({
      client,
      acks: acksText === 'all' ? -1 : Number(acksText),
      requestTimeoutMs,
      compression,
      lingerMs: props.int('linger.ms', 0),
      batchSize: props.int('batch.size', 16384),
      retries: props.int('retries', 2147483647),
      retryBackoffMs: props.int('retry.backoff.ms', 100),
      maxInFlight: props.int('max.in.flight.requests.per.connection', 5),
      maxBlockMs: props.int('max.block.ms', 60_000),
    });
    const stats = new ProducerStats(numRecords, 5000, io.out);
    const start = Date.now();
    let outstandingBytes = 0;
    let outstandingRecords = 0;
    let failure: Error | undefined;
    let drained: (() => void) | null = null;
    for (let i = 0; i < numRecords && failure === undefined; i++) {
      const payload = payloads.length === 1 ? payloads[0]! : payloads[Math.floor(Math.random() * payloads.length)]!;
      const sendStart = Date.now();
      outstandingBytes += payload.length;
      outstandingRecords += 1;
      producer.send({ topic, key: null, value: payload }).then(
        () => {
          const now = Date.now();
          stats.record(now - sendStart, payload.length, now);
        },
        (error: unknown) => {
          failure ??= error instanceof Error ? error : new Error(String(error));
        },
      ).finally(() => {
        outstandingBytes -= payload.length;
        outstandingRecords -= 1;
        if (drained !== null && outstandingBytes < MAX_OUTSTANDING_BYTES / 2) {
          drained();
          drained = null;
        }
      });
      const wait = throttleDelayMs(throughput, i + 1, Date.now() - start);
      if (wait > 0) await sleep(wait);
      else if (outstandingBytes >= MAX_OUTSTANDING_BYTES) await new Promise<void>((resolve) => (drained = resolve));
      else if (i % 500 === 499) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    // records still waiting for their topic's metadata join a batch after a first flush
    while (outstandingRecords > 0) {
      await producer.flush();
      await sleep(1);
    }
    if (failure !== undefined) throw failure;
    stats.printTotal();
    return 0;
  });
}
