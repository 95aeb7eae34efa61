import { ErrorCode } from '@samsa/protocol';
import { ControllerEventManager, type EventTiming, type QueueableEvent } from './ControllerEventManager';
import { quietLogger } from './testing/fakes';

interface TestEvent extends QueueableEvent {
  readonly name: string;
  readonly run?: () => Promise<void>;
  readonly preempted?: number[];
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const tick = () => new Promise((r) => setImmediate(r));

function manager(options: { now?: () => number; timings?: EventTiming[] } = {}) {
  const log: string[] = [];
  const m = new ControllerEventManager<TestEvent>(
    {
      async process(event) {
        log.push(`start ${event.name}`);
        await event.run?.();
        log.push(`end ${event.name}`);
      },
    },
    { logger: quietLogger, now: options.now, onEventProcessed: (t) => options.timings?.push(t) },
  );
  return { m, log };
}

function withPreempt(name: string, preempted: number[]): TestEvent {
  return { name, preempt: (code) => void preempted.push(code) };
}

test('eventsAreProcessedInOrderEachToCompletion', async () => {
  const { m, log } = manager();
  const slow = deferred();
  m.put({ name: 'A', run: () => slow.promise });
  m.put({ name: 'B' });
  const c = m.put({ name: 'C', run: async () => void (await tick()) });
  await tick();
  await tick();
  // A is awaiting: B must not have started.
  expect(log).toEqual(['start A']);
  expect(m.state).toBe('A');
  expect(m.queueSize).toBe(2);
  slow.resolve();
  await c.processed;
  expect(log).toEqual(['start A', 'end A', 'start B', 'end B', 'start C', 'end C']);
  expect(m.state).toBe('Idle');
});

test('putNeverRunsControllerCodeOnTheCallersStack', async () => {
  const { m, log } = manager();
  const queued = m.put({ name: 'A' });
  expect(log).toEqual([]);
  await queued.processed;
  expect(log).toEqual(['start A', 'end A']);
});

test('eachEventReportsItsQueueTimeAndProcessingTime', async () => {
  let now = 1000;
  const timings: EventTiming[] = [];
  const { m } = manager({ now: () => now, timings });
  m.put({ name: 'BrokerChange', run: async () => void (now += 30) });
  now += 5; // time spent queued before the loop picks it up
  await m.put({ name: 'TopicChange' }).processed;
  expect(timings).toEqual([
    { name: 'BrokerChange', queueTimeMs: 5, processingTimeMs: 30, queueSize: 1 },
    { name: 'TopicChange', queueTimeMs: 30, processingTimeMs: 0, queueSize: 0 },
  ]);
});

test('clearAndPutPreemptsQueuedCallersWithNotControllerAfterTheCurrentEvent', async () => {
  const { m, log } = manager();
  const slow = deferred();
  const preempted: number[] = [];
  m.put({ name: 'Current', run: () => slow.promise });
  await tick();
  const waiting = m.put(withPreempt('ControlledShutdown', preempted));
  m.put({ name: 'BrokerChange' });
  const expire = m.clearAndPut({ name: 'Expire' });
  expect(preempted).toEqual([ErrorCode.NOT_CONTROLLER]);
  await waiting.processed; // a preempted event counts as finished for its waiter
  let started = false;
  void expire.processingStarted.then(() => (started = true));
  await tick();
  expect(started).toBe(false); // the event in progress finishes first
  slow.resolve();
  await expire.processed;
  expect(log).toEqual(['start Current', 'end Current', 'start Expire', 'end Expire']);
});

test('closePreemptsQueuedEventsWaitsForTheCurrentOneAndRefusesNewOnes', async () => {
  const { m, log } = manager();
  const slow = deferred();
  const preempted: number[] = [];
  m.put({ name: 'Current', run: () => slow.promise });
  await tick();
  m.put(withPreempt('Queued', preempted));
  const closed = m.close();
  expect(preempted).toEqual([ErrorCode.NOT_CONTROLLER]);
  slow.resolve();
  await closed;
  m.put(withPreempt('Late', preempted));
  await tick();
  expect(preempted).toEqual([ErrorCode.NOT_CONTROLLER, ErrorCode.NOT_CONTROLLER]);
  expect(log).toEqual(['start Current', 'end Current']);
});

test('anEventPastItsDeadlineIsPreemptedWithRequestTimedOut', async () => {
  let now = 0;
  const { m, log } = manager({ now: () => now });
  const preempted: number[] = [];
  m.put({ name: 'Slow', run: async () => void (now = 500) });
  const late = m.put({ ...withPreempt('ControlledShutdown', preempted), deadlineMs: 100 });
  await late.processed;
  expect(preempted).toEqual([ErrorCode.REQUEST_TIMED_OUT]);
  expect(log).toEqual(['start Slow', 'end Slow']);
});

test('aFailingEventDoesNotStopTheLoop', async () => {
  const { m, log } = manager();
  m.put({
    name: 'Broken',
    run: async () => {
      throw new Error('boom');
    },
  });
  await m.put({ name: 'Next' }).processed;
  expect(log).toEqual(['start Broken', 'start Next', 'end Next']);
});
