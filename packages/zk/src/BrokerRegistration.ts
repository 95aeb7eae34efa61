import { BrokerIdZNode, type EndPoint } from './BrokerInfo';
import { ZkError } from './ZkErrors';

/**
 * What a broker does when its `/brokers/ids/<id>` already exists at registration.
 *
 * Kafka 2.8 (KafkaZkClient.registerBroker → checkedEphemeralCreate → CheckedEphemeral) accepts the
 * znode only when its ephemeralOwner is the current session (a create resent after a lost answer)
 * and otherwise fails with NODEEXISTS. So a broker restarted by a supervisor after kill -9 or an OOM,
 * while ZooKeeper still holds its previous process's session, exits — and stays down. Samsa tells
 * the two cases apart by what the znode says: a registration naming one of this broker's own
 * advertised host:port pairs can only be a previous incarnation of this broker (two live processes
 * cannot both serve one host:port), whose session ZooKeeper will expire within the session
 * timeout, so the broker waits for that; a registration naming anything else is another broker
 * configured with the same broker.id, and startup fails at once naming where it runs.
 */
export type BrokerRegistrationDecision =
  /** The znode is this session's own: registration already happened (a resent create). */
  | { readonly kind: 'own' }
  /** Left by this client's own previous, expired session (KAFKA-7165): delete it and create again. */
  | { readonly kind: 'replace' }
  /** Held by a previous incarnation of this broker: wait for ZooKeeper to expire its session. */
  | { readonly kind: 'wait'; readonly holder: string }
  /** Held by a different broker with the same id: fail fast, naming its host:port. */
  | { readonly kind: 'fail'; readonly holder: string };

export interface ExistingBrokerRegistration {
  /** The znode's ephemeralOwner: the session holding it, 0 for a persistent znode. */
  readonly ownerSessionId: bigint;
  /** The znode's data (registration JSON), as read. */
  readonly data: Buffer | null;
}

export interface BrokerRegistrationContext {
  readonly brokerId: number;
  /** The endpoints this broker is about to register (its advertised listeners). */
  readonly endPoints: readonly EndPoint[];
  /** This client's current session. */
  readonly sessionId: bigint;
  /** The session that last registered through this client, -1 when none has. */
  readonly previousSessionId: bigint;
}

/** The decision for an existing registration; pure, so every branch is unit-tested. */
export function decideBrokerRegistration(
  existing: ExistingBrokerRegistration,
  context: BrokerRegistrationContext,
): BrokerRegistrationDecision {
  if (existing.ownerSessionId === context.sessionId) return { kind: 'own' };
  if (existing.ownerSessionId === context.previousSessionId && context.previousSessionId > 0n) {
    return { kind: 'replace' };
  }
  const registered = registeredEndPoints(context.brokerId, existing.data);
  if (registered === null) return { kind: 'fail', holder: 'an unreadable registration' };
  const holder = registered.length === 0 ? 'no endpoint' : registered.map(hostPort).join(', ');
  // A persistent znode (owner 0) never expires: nothing to wait for.
  if (existing.ownerSessionId === 0n) return { kind: 'fail', holder };
  const ours = new Set(context.endPoints.map(hostPort));
  return registered.some((e) => ours.has(hostPort(e))) ? { kind: 'wait', holder } : { kind: 'fail', holder };
}

function registeredEndPoints(brokerId: number, data: Buffer | null): readonly EndPoint[] | null {
  try {
    return BrokerIdZNode.decode(brokerId, data).broker.endPoints;
  } catch {
    return null;
  }
}

/** `host:port`, IPv6 hosts in brackets. */
function hostPort(endPoint: EndPoint): string {
  return endPoint.host.includes(':')
    ? `[${endPoint.host}]:${endPoint.port}`
    : `${endPoint.host}:${endPoint.port}`;
}

/**
 * `/brokers/ids/<id>` is held by another broker (NODEEXISTS), or by a previous incarnation of this
 * one whose session did not expire within the wait. `holder` is the host:port it registered.
 */
export class BrokerIdInUseError extends ZkError {
  constructor(
    readonly brokerId: number,
    readonly holder: string,
    readonly ownerSessionId: bigint,
    readonly previousIncarnation: boolean,
    waitedMs = 0,
  ) {
    super(
      'NODEEXISTS',
      BrokerIdZNode.path(brokerId),
      previousIncarnation
        ? `still held after ${waitedMs} ms by session 0x${ownerSessionId.toString(16)} of a previous ` +
            `incarnation of this broker at ${holder}`
        : `held by another broker at ${holder} (session 0x${ownerSessionId.toString(16)}) ` +
            `that uses broker.id ${brokerId}`,
    );
  }
}
