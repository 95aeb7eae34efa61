import { type Logger } from '@samsa/common';
import { ErrorCode } from '@samsa/protocol';

/**
 * An event on the controller's queue. `name` says what happened and is also the name of its timing
 * metric. An event that carries a waiting caller implements `preempt`, to fail that caller when the
 * event will never be processed (the controller resigned, or `deadlineMs` passed while it queued).
 */
export interface QueueableEvent {
  readonly name: string;
  /** Epoch ms after which the event is preempted with REQUEST_TIMED_OUT instead of processed. */
  readonly deadlineMs?: number;
  /** Fails the waiting caller with a Kafka error code (NOT_CONTROLLER, REQUEST_TIMED_OUT). */
  preempt?(errorCode: number): void;
}

export interface ControllerEventProcessor<E extends QueueableEvent> {
  process(event: E): Promise<void>;
}

/** Timings of one processed event, for metrics (Kafka EventQueueTimeMs and the per-state timers). */
export interface EventTiming {
  readonly name: string;
  readonly queueTimeMs: number;
  readonly processingTimeMs: number;
  readonly queueSize: number;
}

export interface ControllerEventManagerOptions {
  readonly logger: Logger;
  /** Called after each event is processed. */
  readonly onEventProcessed?: (timing: EventTiming) => void;
  readonly now?: () => number;
}

/** A handle on a queued event: when its processing started and when it finished (or was preempted). */
export class QueuedEvent<E extends QueueableEvent> {
  spent = false;
  readonly processingStarted: Promise<void>;
  readonly processed: Promise<void>;
  private markStarted!: () => void;
  private markProcessed!: () => void;

  constructor(
    readonly event: E,
    readonly enqueueTimeMs: number,
  ) {
    this.processingStarted = new Promise((resolve) => (this.markStarted = resolve));
    this.processed = new Promise((resolve) => (this.markProcessed = resolve));
  }

  /** @internal */
  start(): void {
    this.markStarted();
  }

  /** @internal */
  finish(): void {
    this.markStarted();
    this.markProcessed();
  }
}

/**
 * The controller's single event queue (Kafka ControllerEventManager, KAFKA-5028). All controller
 * state changes happen inside `process`, one event at a time: an event is processed to completion,
 * every `await` included, before the next is taken. Watches, timers, broker responses and API calls
 * only `put` events.
 */
export class ControllerEventManager<E extends QueueableEvent> {
  private readonly queue: Array<QueuedEvent<E>> = [];
  private draining = false;
  private closed = false;
  private current: QueuedEvent<E> | null = null;
  private readonly now: () => number;

  constructor(
    private readonly processor: ControllerEventProcessor<E>,
    private readonly options: ControllerEventManagerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The name of the event being processed, or 'Idle' (Kafka's ControllerState). */
  get state(): string {
    return this.current?.event.name ?? 'Idle';
  }

  get queueSize(): number {
    return this.queue.length;
  }

  get isEmpty(): boolean {
    return this.queue.length === 0;
  }

  /** Appends an event; once closed, the event is preempted at once with NOT_CONTROLLER. */
  put(event: E): QueuedEvent<E> {
    const queued = new QueuedEvent(event, this.now());
    if (this.closed) {
      this.preempt(queued, ErrorCode.NOT_CONTROLLER);
      return queued;
    }
    this.queue.push(queued);
    if (!this.draining) {
      this.draining = true;
      // Start on a fresh microtask: whoever put the event never runs controller code on its own stack.
      queueMicrotask(() => void this.drain());
    }
    return queued;
  }

  /**
   * Preempts every queued event (their callers get NOT_CONTROLLER), then appends `event`. The
   * event being processed, if any, finishes first.
   */
  clearAndPut(event: E): QueuedEvent<E> {
    for (const queued of this.queue.splice(0)) this.preempt(queued, ErrorCode.NOT_CONTROLLER);
    return this.put(event);
  }

  /** Takes no more events, preempts the queued ones and waits for the one in progress. */
  async close(): Promise<void> {
    this.closed = true;
    for (const queued of this.queue.splice(0)) this.preempt(queued, ErrorCode.NOT_CONTROLLER);
    await this.current?.processed;
  }

  private preempt(queued: QueuedEvent<E>, errorCode: number): void {
    if (queued.spent) return;
    queued.spent = true;
    try {
      queued.event.preempt?.(errorCode);
    } catch (error) {
      this.options.logger.error(`Preempting event ${queued.event.name} failed`, error);
    } finally {
      queued.finish();
    }
  }

  private async drain(): Promise<void> {
    try {
      for (let queued = this.queue.shift(); queued !== undefined; queued = this.queue.shift()) {
        if (queued.spent) continue;
        const { event } = queued;
        if (event.deadlineMs !== undefined && this.now() > event.deadlineMs) {
          this.preempt(queued, ErrorCode.REQUEST_TIMED_OUT);
          continue;
        }
        queued.spent = true;
        this.current = queued;
        const startMs = this.now();
        queued.start();
        try {
          await this.processor.process(event);
        } catch (error) {
          this.options.logger.error(`Uncaught error processing event ${event.name}`, error);
        } finally {
          this.current = null;
          queued.finish();
          this.report({
            name: event.name,
            queueTimeMs: startMs - queued.enqueueTimeMs,
            processingTimeMs: this.now() - startMs,
            queueSize: this.queue.length,
          });
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private report(timing: EventTiming): void {
    try {
      this.options.onEventProcessed?.(timing);
    } catch (error) {
      this.options.logger.warn(`Event timing listener failed`, error);
    }
  }
}
