import { type Logger } from '@samsa/common';

/**
 * Kafka's state.change.logger: every partition and replica transition, request batch and failed
 * change, prefixed with the controller and its epoch — `[Controller id=1 epoch=3] Changed partition
 * T-0 from NewPartition to OnlinePartition …`. The broker routes it to state-change.log.
 */
export class StateChangeLogger {
  constructor(
    private readonly controllerId: number,
    private readonly logger: Logger,
  ) {}

  withControllerEpoch(epoch: number): Logger {
    return prefixedLogger(this.logger, `[Controller id=${this.controllerId} epoch=${epoch}] `);
  }
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** `LeaderAndIsr(leader=1, leaderEpoch=2, isr=1,2, zkVersion=3)`, as Kafka prints it. */
export function describeLeaderAndIsr(l: {
  leader: number;
  leaderEpoch: number;
  isr: readonly number[];
  zkVersion: number;
}): string {
  return `LeaderAndIsr(leader=${l.leader}, leaderEpoch=${l.leaderEpoch}, isr=${l.isr.join(',')}, zkVersion=${l.zkVersion})`;
}

/** `logger` with `prefix` before every message (Kafka's logIdent). */
export function prefixedLogger(logger: Logger, prefix: string): Logger {
  return {
    debug: (m) => logger.debug(prefix + m),
    info: (m) => logger.info(prefix + m),
    warn: (m, e) => logger.warn(prefix + m, e),
    error: (m, e) => logger.error(prefix + m, e),
  };
}
