import { MemoryLogger } from '@samsa/common';
import { ProducerIdManagerNotStartedError } from '@samsa/coordinator';
import { ApiKey, ErrorCode, KafkaError } from '@samsa/protocol';
import { initProducerIdHandler } from './initProducerId';
import { answerOf } from './testing/untypedEntry';
import { ctx } from './testing/fakeDeps';

function handler(opts: { notStarted?: boolean } = {}) {
  let next = 7000;
  const logger = new MemoryLogger();
  const h = initProducerIdHandler({
    producerIdManager: {
      generateProducerId: () =>
        opts.notStarted === true
          ? Promise.reject(new ProducerIdManagerNotStartedError('not yet'))
          : Promise.resolve(next++),
    },
    logger,
  });
  return { h, logger };
}

const body = (transactionalId: string | null, producerId = -1, producerEpoch = -1) => ({
  transactionalId,
  transactionTimeoutMs: 60_000,
  producerId,
  producerEpoch,
});

async function errorOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof KafkaError) return e.code;
    throw e;
  }
  throw new Error('expected a KafkaError');
}

describe('initProducerIdHandler', () => {
  test('servesVersions0To4', () => {
    expect(handler().h.maxVersion).toBe(4);
  });

  test.each([0, 1, 2, 3, 4])('v%i: noProducerIdAndEpochGetsANewIdWithEpoch0', async (version) => {
    const { h } = handler();
    expect(await answerOf(h, ctx(ApiKey.InitProducerId, version), body(null))).toEqual({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      producerId: 7000,
      producerEpoch: 0,
    });
    expect((await answerOf(h, ctx(ApiKey.InitProducerId, version), body(null))).producerId).toBe(7001);
  });

  test('anExistingIdAndEpochKeepTheIdWithTheEpochBumped', async () => {
    const { h } = handler();
    expect(await answerOf(h, ctx(ApiKey.InitProducerId, 4), body(null, 42, 5))).toEqual({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      producerId: 42,
      producerEpoch: 6,
    });
    expect(await answerOf(h, ctx(ApiKey.InitProducerId, 3), body(null, 42, 0))).toMatchObject({
      producerId: 42,
      producerEpoch: 1,
    });
    expect(await answerOf(h, ctx(ApiKey.InitProducerId, 3), body(null, 42, 32765))).toMatchObject({
      producerId: 42,
      producerEpoch: 32766,
    });
  });

  test('anEpochThatWouldReachShortMaxValueGetsANewIdWithEpoch0', async () => {
    const { h } = handler();
    for (const epoch of [32766, 32767]) {
      const r = await answerOf(h, ctx(ApiKey.InitProducerId, 4), body(null, 42, epoch));
      expect(r).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: 0 });
      expect(r.producerId).not.toBe(42);
    }
  });

  test('exactlyOneOfIdAndEpochMissingOrNegativeIsInvalidRequest', async () => {
    const { h } = handler();
    for (const [id, epoch] of [
      [42, -1],
      [-1, 3],
      [-5, 3],
      [42, -7],
      [2 ** 60, 3],
    ]) {
      expect(await errorOf(answerOf(h, ctx(ApiKey.InitProducerId, 4), body(null, id, epoch)))).toBe(
        ErrorCode.INVALID_REQUEST,
      );
    }
  });

  test('aTransactionalIdIsInvalidRequestUntilIssue15AndIsLogged', async () => {
    const { h, logger } = handler();
    expect(await errorOf(answerOf(h, ctx(ApiKey.InitProducerId, 1), body('tx-1')))).toBe(
      ErrorCode.INVALID_REQUEST,
    );
    expect(logger.matching(/^INFO .*tx-1.*transactions are not supported yet \(issue 15\)/)).toHaveLength(1);
    expect(await errorOf(answerOf(h, ctx(ApiKey.InitProducerId, 4), body('', 42, 1)))).toBe(
      ErrorCode.INVALID_REQUEST,
    );
  });

  test('beforeTheFirstBlockIsClaimedTheAnswerIsCoordinatorNotAvailable', async () => {
    const { h } = handler({ notStarted: true });
    expect(await errorOf(answerOf(h, ctx(ApiKey.InitProducerId, 0), body(null)))).toBe(
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
    );
  });
});
