import type { Logger } from '@samsa/common';
import { ErrorCode, UNKNOWN_BROKER_EPOCH, type ControlRequestHeader } from '@samsa/protocol';

/**
 * The two epoch checks a controller-to-broker request (LeaderAndIsr, UpdateMetadata, StopReplica)
 * passes before it may change anything, in Kafka's order:
 *
 * 1. Broker epoch (KIP-380, Kafka's KafkaApis.isBrokerEpochStale): the request names the epoch
 *    (czxid of /brokers/ids/<id>) of the broker incarnation it was meant for. Older than this
 *    broker's current epoch: STALE_BROKER_EPOCH. -1 (versions without the field, or a controller
 *    that does not know) is accepted; a newer one too (the controller may learn of a re-registration
 *    before this broker hears its own answer).
 * 2. Controller epoch. Kafka raises its known controller epoch to whatever a request brings, so
 *    any client could send epoch 2³¹−1 and every real controller request would be STALE from then
 *    on. Here an epoch higher than the known one is believed only once ZooKeeper confirms it:
 *    /controller_epoch holds exactly that epoch and /controller names the request's controller id
 *    (the controller's election writes both in one multi, so a real controller always finds them
 *    so). Otherwise: STALE_CONTROLLER_EPOCH, and nothing changes. Requests at or below the known
 *    epoch cost nothing here (the ReplicaManager refuses the older ones as before), so ZooKeeper is
 *    read once per real controller failover, plus once per forged request.
 *
 * Before this broker has registered, a request waits for the registration: it cannot be told from
 * one addressed to the previous incarnation of this broker until the new epoch is known.
 *
 * A ZooKeeper server that lags behind the controller's may not show a brand-new epoch yet: a
 * request whose epoch is above ZooKeeper's is checked once more after `lagRetryMs`.
 */
export interface ControlRequestFenceOptions {
  /** This broker's epoch: the czxid of its registration, -1 before it registered. */
  readonly brokerEpoch: () => number;
  /**
   * Resolves once this broker has registered (its epoch known). A request arriving before then
   * waits for it: it may be addressed to this broker's previous incarnation (the controller has not
   * yet seen that one die, and its connection reached the new process on the same port), and only
   * the new epoch tells (Kafka processes no request before its registration). Absent: no wait.
   */
  readonly registered?: () => Promise<void>;
  /** The controller epoch this broker acts on (the ReplicaManager's). */
  readonly knownControllerEpoch: () => number;
  /** /controller_epoch's epoch and /controller's broker id as ZooKeeper holds them now (null: absent). */
  readonly readController: () => Promise<{ readonly epoch: number | null; readonly controllerId: number | null }>;
  readonly logger: Logger;
  /** Wait before reading ZooKeeper again when it shows an older epoch than the request (default 200 ms). */
  readonly lagRetryMs?: number;
}

/** A request's header and what it is, for the log lines. */
export interface FencedRequest extends ControlRequestHeader {
  readonly apiName: string;
}

/** Kafka's isBrokerEpochStale: only a known epoch older than the broker's own is stale. */
export function isBrokerEpochStale(brokerEpochInRequest: number, currentBrokerEpoch: number): boolean {
  if (brokerEpochInRequest === UNKNOWN_BROKER_EPOCH) return false;
  return brokerEpochInRequest < currentBrokerEpoch;
}

export class ControlRequestFence {
  /** The highest epoch ZooKeeper confirmed, with its controller: believed without another read. */
  private confirmed: { epoch: number; controllerId: number } | null = null;
  /** One ZooKeeper read at a time, shared by the requests that arrive while it runs. */
  private reading: Promise<{ epoch: number | null; controllerId: number | null }> | null = null;

  constructor(private readonly o: ControlRequestFenceOptions) {}

  /** NONE when the request may go on; otherwise the error code its whole answer carries. */
  async check(request: FencedRequest): Promise<number> {
    if (this.o.brokerEpoch() < 0 && this.o.registered !== undefined) await this.o.registered();
    const currentBrokerEpoch = this.o.brokerEpoch();
    if (isBrokerEpochStale(request.brokerEpoch, currentBrokerEpoch)) {
      this.o.logger.info(
        `Received ${request.apiName} request with broker epoch ${request.brokerEpoch} smaller than the current broker epoch ${currentBrokerEpoch}`,
      );
      return ErrorCode.STALE_BROKER_EPOCH;
    }
    if (request.controllerEpoch <= this.o.knownControllerEpoch()) return ErrorCode.NONE;
    if (this.isConfirmed(request)) return ErrorCode.NONE;
    let zk: { epoch: number | null; controllerId: number | null };
    try {
      zk = await this.readController();
      if (zk.epoch !== null && zk.epoch < request.controllerEpoch) {
        await new Promise((resolve) => setTimeout(resolve, this.o.lagRetryMs ?? 200));
        zk = await this.readController();
      }
    } catch (e) {
      this.o.logger.warn(
        `Refusing ${request.apiName} request from controller ${request.controllerId} with new controller epoch ` +
          `${request.controllerEpoch}: ZooKeeper could not confirm it`,
        e,
      );
      return ErrorCode.STALE_CONTROLLER_EPOCH;
    }
    if (zk.epoch === request.controllerEpoch && zk.controllerId === request.controllerId) {
      if (this.confirmed === null || this.confirmed.epoch < zk.epoch) this.confirmed = { epoch: zk.epoch, controllerId: zk.controllerId };
      return ErrorCode.NONE;
    }
    this.o.logger.warn(
      `Refusing ${request.apiName} request from controller ${request.controllerId} with controller epoch ` +
        `${request.controllerEpoch}: ZooKeeper holds controller ${zk.controllerId ?? 'none'} at epoch ${zk.epoch ?? 'none'} ` +
        `(this broker knows epoch ${this.o.knownControllerEpoch()})`,
    );
    return ErrorCode.STALE_CONTROLLER_EPOCH;
  }

  private isConfirmed(request: FencedRequest): boolean {
    const c = this.confirmed;
    return c !== null && c.epoch === request.controllerEpoch && c.controllerId === request.controllerId;
  }

  private readController(): Promise<{ epoch: number | null; controllerId: number | null }> {
    this.reading ??= this.o.readController().finally(() => {
      this.reading = null;
    });
    return this.reading;
  }
}
