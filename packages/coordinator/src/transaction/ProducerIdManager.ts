import type { Logger } from '@samsa/common';
import { ProducerIdBlockZNode, type ProducerIdBlock } from '@samsa/zk';

/** Producer ids a broker claims at a time (Kafka's ProducerIdManager.PidBlockSize). */
export const PRODUCER_ID_BLOCK_SIZE = 1000;

/**
 * The highest producer id this broker hands out. Kafka's bound is Long.MaxValue; ids travel here as
 * JavaScript numbers (the protocol codec's int64), exact only up to 2^53 - 1, so that is the bound.
 * A block_end above it (written by a Kafka broker) does not even decode: the same fatal error.
 */
export const MAX_PRODUCER_ID = Number.MAX_SAFE_INTEGER;

/**
 * What the manager needs of ZooKeeper: /latest_producer_id_block read with its znode version, and
 * written conditionally on that version. KafkaZkClient fits it structurally (the broker wires the
 * real one in); unit tests give a store in memory.
 */
export interface ProducerIdBlockZkClient {
  /** The znode's data (null when it is empty) and version (ZkVersion.UnknownVersion when absent). */
  getProducerIdBlockDataAndVersion(): Promise<{ data: Buffer | null; version: number }>;
  /**
   * Sets the data if the znode still has `expectedVersion` (creates it when that is
   * ZkVersion.UnknownVersion); `succeeded` is false when another writer came first.
   */
  setOrCreateProducerIdBlock(
    data: Buffer,
    expectedVersion: number,
  ): Promise<{ succeeded: boolean; version: number }>;
}

/** Every producer id has been handed out (Kafka: "Have exhausted all producerIds."). Fatal. */
export class ProducerIdsExhaustedError extends Error {}

/** generateProducerId before startup() began: the broker is still starting. */
export class ProducerIdManagerNotStartedError extends Error {}

export interface ProducerIdManagerOptions {
  readonly brokerId: number;
  readonly zkClient: ProducerIdBlockZkClient;
  /** Named like Kafka's: "[ProducerId Manager <brokerId>]". */
  readonly logger: Logger;
}

/** Kafka's ProducerIdBlock.toString, which its log lines print. */
function describeBlock(block: ProducerIdBlock): string {
  return `(brokerId:${block.brokerId},blockStartProducerId:${block.blockStart},blockEndProducerId:${block.blockEnd})`;
}

/**
 * Hands out producer ids unique across the cluster (Kafka 2.8's ProducerIdManager, the part of the
 * transaction coordinator that InitProducerId uses). Ids come in blocks of 1000 claimed through
 * /latest_producer_id_block, which holds the last block any broker claimed (start and end inclusive):
 * a claim reads it with its znode version, takes the next 1000 ids (0..999 when it is empty or absent)
 * and writes them back conditionally on that version; when another broker wrote first the claim
 * reads again and takes the block after that one. A block is claimed at startup — so every start
 * of a broker claims a fresh one and ids are never reused across restarts — and again whenever the
 * current one runs out.
 *
 * Kafka does this under a lock; here a claim is asynchronous, so callers arriving during a claim
 * wait on that same claim (never a second one), and an id is taken from the block in one
 * synchronous step, so no id is handed out twice.
 */
export class ProducerIdManager {
  private currentBlock: ProducerIdBlock | null = null;
  private nextProducerId = -1;
  /** The claim in progress, which every caller waits on. */
  private claim: Promise<void> | null = null;
  private started = false;

  constructor(private readonly options: ProducerIdManagerOptions) {}

  /** Claims this broker's first block (Kafka does it in the constructor). A failure is fatal to the broker. */
  async startup(): Promise<void> {
    this.started = true;
    while (this.currentBlock === null) await this.claimOrWait();
  }

  /** The next producer id; claims a new block first when the current one is used up. */
  async generateProducerId(): Promise<number> {
    if (!this.started)
      throw new ProducerIdManagerNotStartedError('the producer id manager is not started yet');
    for (;;) {
      const block = this.currentBlock;
      if (this.claim === null && block !== null && this.nextProducerId <= block.blockEnd) {
        return this.nextProducerId++;
      }
      await this.claimOrWait();
    }
  }

  /** The block ids are taken from now (null before the first claim). */
  get currentProducerIdBlock(): ProducerIdBlock | null {
    return this.currentBlock;
  }

  shutdown(): void {
    this.options.logger.info(`Shutdown complete: last producerId assigned ${this.nextProducerId}`);
  }

  /** Starts a claim unless one runs, and waits for it; its failure reaches every waiter. */
  private claimOrWait(): Promise<void> {
    if (this.claim === null) {
      this.claim = this.claimNewBlock().finally(() => {
        this.claim = null;
      });
    }
    return this.claim;
  }

  /** Kafka's getNewProducerIdBlock: read, take the next block, write conditionally; again on a conflict. */
  private async claimNewBlock(): Promise<void> {
    const { brokerId, zkClient, logger } = this.options;
    for (;;) {
      const { data, version } = await zkClient.getProducerIdBlockDataAndVersion();
      let block: ProducerIdBlock;
      if (data !== null) {
        const current = ProducerIdBlockZNode.decode(data);
        logger.debug(`Read current producerId block ${describeBlock(current)}, Zk path version ${version}`);
        if (current.blockEnd > MAX_PRODUCER_ID - PRODUCER_ID_BLOCK_SIZE) {
          logger.error(
            "Exhausted all producerIds as the next block's end producerId is will has exceeded long type limit " +
              `(current block end producerId is ${current.blockEnd})`,
          );
          throw new ProducerIdsExhaustedError('Have exhausted all producerIds.');
        }
        block = {
          brokerId,
          blockStart: current.blockEnd + 1,
          blockEnd: current.blockEnd + PRODUCER_ID_BLOCK_SIZE,
        };
      } else {
        logger.debug(
          `There is no producerId block yet (Zk path version ${version}), creating the first block`,
        );
        block = { brokerId, blockStart: 0, blockEnd: PRODUCER_ID_BLOCK_SIZE - 1 };
      }
      const written = await zkClient.setOrCreateProducerIdBlock(ProducerIdBlockZNode.encode(block), version);
      if (written.succeeded) {
        logger.info(
          `Acquired new producerId block ${describeBlock(block)} by writing to Zk with path version ${written.version}`,
        );
        this.currentBlock = block;
        this.nextProducerId = block.blockStart;
        return;
      }
    }
  }
}
