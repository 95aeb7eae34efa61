import { updateMetadataContent } from '../testing/controlRequests';
import type { ControlledShutdownResult } from '@samsa/controller';
import { ApiKey, ErrorCode } from '@samsa/protocol';
import { MetadataCache } from '../metadata/MetadataCache';
import {
  controlledShutdown,
  controlledShutdownHandler,
  type ControlledShutdownController,
  type ControlledShutdownAnswer,
  type ControlledShutdownOptions,
} from './controlledShutdown';
import { ctx, updateMetadataBody } from './testing/fakeDeps';
import { dispatchable } from './registry';

function controller(
  isActive: boolean,
  result: ControlledShutdownResult,
): ControlledShutdownController & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    isActive,
    calls,
    controlledShutdown: async (...args: unknown[]) => {
      calls.push(args);
      return result;
    },
  };
}

describe('controlledShutdownHandler', () => {
  test('activeControllerAnswersWithRemainingPartitions', async () => {
    const c = controller(true, { errorCode: 0, remainingPartitions: [{ topic: 'T', partition: 2 }] });
    const h = controlledShutdownHandler({ controller: () => c, requestTimeoutMs: 30_000 });
    const r = await h.handle(ctx(ApiKey.ControlledShutdown, 3), { brokerId: 1, brokerEpoch: 77 });
    expect(r).toEqual({ errorCode: 0, remainingPartitions: [{ topicName: 'T', partitionIndex: 2 }] });
    expect(c.calls).toEqual([[1, 77, { deadlineMs: 30_000 }]]);
  });

  test('v1WithoutBrokerEpochIsUnknownEpoch', async () => {
    const c = controller(true, { errorCode: 0, remainingPartitions: [] });
    const h = controlledShutdownHandler({ controller: () => c, requestTimeoutMs: 30_000 });
    await dispatchable(h).handle(ctx(ApiKey.ControlledShutdown, 1), { brokerId: 1 });
    expect(c.calls[0][1]).toBe(-1);
  });

  test.each([
    ['inactive', controller(false, { errorCode: 0, remainingPartitions: [] })],
    ['not started', null],
  ])('%sControllerIsNotController', async (_, c) => {
    const h = controlledShutdownHandler({ controller: () => c, requestTimeoutMs: 30_000 });
    const r = await h.handle(ctx(ApiKey.ControlledShutdown, 3), { brokerId: 1, brokerEpoch: 77 });
    expect(r).toEqual({ errorCode: ErrorCode.NOT_CONTROLLER, remainingPartitions: [] });
  });
});

describe('controlledShutdown (the sending broker)', () => {
  function options(
    answers: Array<ControlledShutdownAnswer | Error>,
    cache: MetadataCache,
  ): ControlledShutdownOptions & { sent: string[]; lines: string[]; sleeps: number[] } {
    const sent: string[] = [];
    const lines: string[] = [];
    const sleeps: number[] = [];
    const log = (m: string) => void lines.push(m);
    return {
      sent,
      lines,
      sleeps,
      brokerId: 1,
      brokerEpoch: () => 42,
      metadataCache: cache,
      controllerIdFromZk: async () => null,
      interBrokerListenerName: 'PLAINTEXT',
      maxRetries: 3,
      retryBackoffMs: 250,
      requestTimeoutMs: 1_000,
      logger: { debug: log, info: log, warn: log, error: log },
      send: async (host, port, body) => {
        sent.push(`${host}:${port} ${JSON.stringify(body)}`);
        const answer = answers.shift()!;
        if (answer instanceof Error) throw answer;
        return answer;
      },
      sleep: async (ms) => void sleeps.push(ms),
    };
  }

  function cacheWithController(controllerId: number): MetadataCache {
    const cache = new MetadataCache(1);
    cache.updateMetadata(updateMetadataContent(updateMetadataBody([0, 1, 2], {}, controllerId)));
    return cache;
  }

  test('succeedsOnNoErrorAndNoRemainingPartitions', async () => {
    const o = options([{ errorCode: 0, remainingPartitions: [] }], cacheWithController(2));
    expect(await controlledShutdown(o)).toBe(true);
    expect(o.sent).toEqual(['h2:9094 {"brokerId":1,"brokerEpoch":42}']);
    expect(o.lines).toContain('Controlled shutdown succeeded');
  });

  test('retriesAfterRemainingPartitionsErrorsAndIoFailures', async () => {
    const o = options(
      [
        { errorCode: 0, remainingPartitions: [{ topicName: 'T', partitionIndex: 0 }] },
        new Error('connection refused'),
        { errorCode: 0, remainingPartitions: [] },
      ],
      cacheWithController(2),
    );
    expect(await controlledShutdown(o)).toBe(true);
    expect(o.sent).toHaveLength(3);
    expect(o.sleeps).toEqual([250, 250]);
    expect(o.lines).toContain('Remaining partitions to move: T-0');
  });

  test('looksTheControllerUpAgainBeforeEachAttempt', async () => {
    const cache = cacheWithController(2);
    const o = options(
      [
        { errorCode: ErrorCode.NOT_CONTROLLER, remainingPartitions: [] },
        { errorCode: 0, remainingPartitions: [] },
      ],
      cache,
    );
    const moving: ControlledShutdownOptions = {
      ...o,
      send: async (host, port, body) => {
        const answer = await o.send!(host, port, body);
        cache.updateMetadata(updateMetadataContent(updateMetadataBody([0, 1, 2], {}, 0))); // meanwhile the controller moved to 0
        return answer;
      },
    };
    expect(await controlledShutdown(moving)).toBe(true);
    expect(o.sent.map((s) => s.split(' ')[0])).toEqual(['h2:9094', 'h0:9092']);
    expect(o.lines).toContain('Error from controller: NOT_CONTROLLER');
  });

  test('givesUpAfterMaxRetries', async () => {
    const stuck = { errorCode: 0, remainingPartitions: [{ topicName: 'T', partitionIndex: 0 }] };
    const o = options([stuck, stuck, stuck], cacheWithController(2));
    expect(await controlledShutdown(o)).toBe(false);
    expect(o.sent).toHaveLength(3);
    expect(o.sleeps).toEqual([250, 250]);
  });

  test('unknownControllerFallsBackToZooKeeperElseRetries', async () => {
    const cache = new MetadataCache(1);
    cache.updateMetadata(updateMetadataContent(updateMetadataBody([0, 1, 2], {}, -1)));
    const o = options([{ errorCode: 0, remainingPartitions: [] }], cache);
    expect(await controlledShutdown({ ...o, controllerIdFromZk: async () => 0 })).toBe(true);
    expect(o.sent[0]).toMatch(/^h0:9092 /);
    const none = options([], cache);
    expect(await controlledShutdown(none)).toBe(false);
    expect(none.sent).toEqual([]);
    expect(none.lines).toContain('No controller registered in ZooKeeper');
  });
});
