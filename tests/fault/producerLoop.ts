import { Kafka, logLevel, type Producer } from 'kafkajs';
import { waitFor, withTimeout } from '../harness';

/** A send that failed, and whether kafkajs called its error retriable. */
export interface SendFailure {
  readonly message: string;
  readonly retriable: boolean;
}

export interface ProducerLoopOptions {
  readonly topic: string;
  readonly partitions: number;
  readonly clientId: string;
  /**
   * kafkajs's idempotent producer (InitProducerId, then sequence numbers per partition). It retries
   * for about a minute: kafkajs asks for endless retries, since a send that gave up hands its
   * sequence number to the next record, but endless ones would keep stop() waiting on a broker that
   * never answers; a scenario should treat any failed send as a failure.
   */
  readonly idempotent?: boolean;
  readonly maxInFlightRequests?: number;
  /** kafkajs's requestTimeout (30 s by default): shorter, a paused leader makes it resend a batch. */
  readonly requestTimeout?: number;
}

/**
 * Producer load for fault scenarios: kafkajs, acks=all, one loop per partition sending one record
 * at a time ("m-<n>-<partition>"); remembers what was acknowledged, so a scenario can check that
 * every acknowledged record is read back. One partition per send(): kafkajs 2.2.4's sendMessages
 * skips, on retry, every broker that already answered within the same send(), so a partition whose
 * leadership moved to such a broker is reported sent without ever being resent (a client bug, seen
 * as "lost" acknowledged records before this was split).
 */
export class ProducerLoop {
  /** Every value send() was called with, in call order. */
  readonly sent: string[] = [];
  readonly acked = new Set<string>();
  /** The offset the leader gave each acknowledged record (for diagnosing a record not read back). */
  readonly ackedOffsets = new Map<string, number>();
  readonly failures: SendFailure[] = [];
  /** Requests kafkajs gave up waiting for (requestTimeout) and sent again. */
  requestTimeouts = 0;
  private running = true;
  private loops: Array<Promise<void>> = [];

  private constructor(
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}

  static async start(bootstrap: string, options: ProducerLoopOptions): Promise<ProducerLoop> {
    const kafka = new Kafka({
      clientId: options.clientId,
      brokers: bootstrap.split(','),
      logLevel: logLevel.NOTHING,
      requestTimeout: options.requestTimeout,
      retry: {
        retries: options.idempotent === true ? 60 : 10,
        initialRetryTime: 100,
        maxRetryTime: 1_000,
      },
    });
    const producer = kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: options.idempotent,
      maxInFlightRequests: options.maxInFlightRequests,
    });
    try {
      // bounded: a broker that never answers would keep connect() retrying
      await withTimeout(producer.connect(), 30_000, `kafkajs producer ${options.clientId} to connect`);
    } catch (e) {
      await producer.disconnect();
      throw e;
    }
    const loop = new ProducerLoop(producer, options.topic);
    producer.on(producer.events.REQUEST_TIMEOUT, () => loop.requestTimeouts++);
    loop.loops = Array.from({ length: options.partitions }, (_, p) => loop.run(p));
    return loop;
  }

  private async run(partition: number): Promise<void> {
    for (let n = 0; this.running; n++) {
      const value = `m-${n}-${partition}`;
      this.sent.push(value);
      try {
        const metadata = await this.producer.send({
          topic: this.topic,
          acks: -1,
          timeout: 10_000,
          messages: [{ value, partition }],
        });
        this.acked.add(value);
        const baseOffset = metadata.find((m) => m.partition === partition)?.baseOffset;
        this.ackedOffsets.set(value, baseOffset === undefined ? -1 : Number(baseOffset));
      } catch (e) {
        const error = e as Error & { retriable?: boolean };
        this.failures.push({
          message: `${error.name}: ${error.message}`,
          retriable: error.retriable === true,
        });
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  waitForAcked(count: number): Promise<unknown> {
    return waitFor(() => this.acked.size >= count, {
      timeoutMs: 30_000,
      what: `${count} acknowledged records (failures: ${this.failures.map((f) => f.message).join('; ')})`,
    });
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await Promise.all(this.loops);
    await this.producer.disconnect();
  }
}
