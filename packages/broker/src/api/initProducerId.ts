import type { Logger } from '@samsa/common';
import { ProducerIdManagerNotStartedError, type TransactionCoordinator } from '@samsa/coordinator';
import {
  ApiKey,
  ErrorCode,
  KafkaError,
  MAX_PRODUCER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  type InitProducerIdResponseInput,
} from '@samsa/protocol';
import type { ApiHandlerEntry } from './types';

/** InitProducerId versions served: Kafka 2.8's (v3 adds producer id and epoch, KIP-360; v4 PRODUCER_FENCED). */
export const INIT_PRODUCER_ID_MAX_VERSION = 4;


/** What the handler needs: the ProducerIdManager's one operation, and a log for refused requests. */
export interface InitProducerIdHandlerDeps {
  readonly producerIdManager: { generateProducerId(): Promise<number> };
  /**
   * Producers with a transactional id (issue 15). The broker always wires it; without it (handler
   * tests of the idempotent path) a transactional id is refused with INVALID_REQUEST as before.
   */
  readonly transactionCoordinator?: Pick<TransactionCoordinator, 'handleInitProducerId'>;
  readonly logger: Logger;
}

/**
 * InitProducerId v0–4 for idempotent producers (Kafka 2.8's KafkaApis.handleInitProducerIdRequest
 * and TransactionCoordinator.handleInitProducerId with a null transactional id):
 * - producer id and epoch both -1 (v0–2 carry neither): a new producer id from the
 *   ProducerIdManager, epoch 0;
 * - exactly one of them -1: INVALID_REQUEST, as Kafka;
 * - an existing producer id and epoch (v3+, KIP-360: a producer recovering from
 *   UNKNOWN_PRODUCER_ID or OUT_OF_ORDER_SEQUENCE_NUMBER): the same id with the epoch bumped, or a
 *   new id with epoch 0 once the epoch would reach Short.MaxValue. Kafka 2.8 hands a new producer
 *   id here whenever the transactional id is null; issue 14 asks for the bump so the producer keeps
 *   its id, and the broker needs no state for it (the partitions' producer state fences the old
 *   epoch when the bumped one writes). Other negative ids or epochs, and ids past 2^53 - 1 (never
 *   handed out: see MAX_PRODUCER_ID), are INVALID_REQUEST.
 * Errors answer producer id -1 and epoch -1 (errorResponse), throttle time 0 throughout.
 */
export function initProducerIdHandler(
  deps: InitProducerIdHandlerDeps,
): ApiHandlerEntry<typeof ApiKey.InitProducerId> {
  const newProducerId = async (): Promise<InitProducerIdResponseInput> => {
    try {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        producerId: await deps.producerIdManager.generateProducerId(),
        producerEpoch: 0,
      };
    } catch (e) {
      // the socket server listens before start-up has claimed the first block; clients retry this
      if (e instanceof ProducerIdManagerNotStartedError)
        throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, e.message);
      throw e;
    }
  };

  return {
    apiKey: ApiKey.InitProducerId,
    maxVersion: INIT_PRODUCER_ID_MAX_VERSION,
    async handle(ctx, body) {
      const { transactionalId, producerId, producerEpoch } = body;
      if (transactionalId !== null && deps.transactionCoordinator !== undefined) {
        return transactionalInitProducerId(deps.transactionCoordinator, ctx.header.apiVersion, body);
      }
      if (transactionalId !== null) {
        // No transaction coordinator wired (the broker always wires one; only handler tests of the
        // idempotent path leave it out): the refusal of before issue 15, INVALID_REQUEST.
        if (transactionalId !== '') {
          deps.logger.info(
            `InitProducerId for transactional id ${transactionalId} from ${ctx.header.clientId ?? ''} ` +
              `(${ctx.clientAddress}) refused: transactions are not supported yet (issue 15)`,
          );
        }
        throw new KafkaError(ErrorCode.INVALID_REQUEST, 'transactional producers are not supported');
      }
      const noId = producerId === NO_PRODUCER_ID;
      const noEpoch = producerEpoch === NO_PRODUCER_EPOCH;
      if (noId && noEpoch) return newProducerId();
      // an id past 2^53 cannot be echoed exactly (ids are numbers here) and was never handed out
      if (noId || noEpoch || producerId < 0 || producerEpoch < 0 || !Number.isSafeInteger(producerId))
        throw new KafkaError(
          ErrorCode.INVALID_REQUEST,
          `producer id ${producerId} and epoch ${producerEpoch} are not a producer's`,
        );
      if (producerEpoch + 1 >= MAX_PRODUCER_EPOCH) return newProducerId();
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: producerEpoch + 1 };
    },
  };
}

/**
 * InitProducerId with a transactional id (Kafka 2.8's handleInitProducerIdRequest): producer id and
 * epoch both -1 or both given (KIP-360), else INVALID_REQUEST; the TransactionCoordinator answers.
 * PRODUCER_FENCED is INVALID_PRODUCER_EPOCH below v4 (KIP-588: older clients do not know it).
 */
async function transactionalInitProducerId(
  coordinator: Pick<TransactionCoordinator, 'handleInitProducerId'>,
  version: number,
  body: { transactionalId: string | null; transactionTimeoutMs: number; producerId: number; producerEpoch: number },
): Promise<InitProducerIdResponseInput> {
  const { producerId, producerEpoch } = body;
  const noId = producerId === NO_PRODUCER_ID;
  const noEpoch = producerEpoch === NO_PRODUCER_EPOCH;
  if (noId !== noEpoch)
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `producer id ${producerId} and epoch ${producerEpoch} are not a producer's`);
  let r: { errorCode: number; producerId: number; producerEpoch: number };
  try {
    r = await coordinator.handleInitProducerId(
      body.transactionalId ?? '',
      body.transactionTimeoutMs,
      noId ? null : { producerId, epoch: producerEpoch },
    );
  } catch (e) {
    // a new id needs a producer id, and start-up has not claimed the first block yet: clients retry
    if (e instanceof ProducerIdManagerNotStartedError) throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, e.message);
    throw e;
  }
  const errorCode = version < 4 && r.errorCode === ErrorCode.PRODUCER_FENCED ? ErrorCode.INVALID_PRODUCER_EPOCH : r.errorCode;
  return { throttleTimeMs: 0, errorCode, producerId: r.producerId, producerEpoch: r.producerEpoch };
}
