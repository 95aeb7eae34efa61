import { type Logger } from '@samsa/common';
import type { Socket } from 'node:net';
import { SampledRate, type RateConfig } from '../quota/Rate';
import type { BrokerReconfigurable } from '../server/DynamicBrokerConfig';

const INT_MAX = 2147483647;

/** Kafka's connection limits (DynamicConnectionQuota's configs), as numbers. */
export interface ConnectionQuotaConfig {
  /** max.connections: broker-wide (the inter-broker listener is exempt when there are others). */
  readonly maxConnections: number;
  /** max.connections.per.ip */
  readonly maxConnectionsPerIp: number;
  /** max.connections.per.ip.overrides, by address. */
  readonly maxConnectionsPerIpOverrides: ReadonlyMap<string, number>;
  /** max.connection.creation.rate: new connections per second, broker-wide. */
  readonly maxConnectionCreationRate: number;
  /** listener.name.<l>.max.connections */
  readonly listenerMaxConnections: ReadonlyMap<string, number>;
  /** listener.name.<l>.max.connection.creation.rate */
  readonly listenerMaxConnectionCreationRate: ReadonlyMap<string, number>;
}

export const UNLIMITED_CONNECTIONS: ConnectionQuotaConfig = Object.freeze({
  maxConnections: INT_MAX,
  maxConnectionsPerIp: INT_MAX,
  maxConnectionsPerIpOverrides: new Map<string, number>(),
  maxConnectionCreationRate: INT_MAX,
  listenerMaxConnections: new Map<string, number>(),
  listenerMaxConnectionCreationRate: new Map<string, number>(),
});

/** max.connections.per.ip.overrides: "host:count,host:count". */
export function parseIpOverrides(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const colon = item.lastIndexOf(':');
    const count = Number(item.slice(colon + 1));
    if (colon <= 0 || !Number.isInteger(count) || count < 0) throw new Error(`Invalid value for max.connections.per.ip.overrides: ${text}`);
    out.set(normalizeIp(item.slice(0, colon)), count);
  }
  return out;
}

/** ::ffff:10.0.0.5 is 10.0.0.5 (an IPv4 client on a dual-stack socket); localhost is 127.0.0.1. */
function normalizeIp(ip: string): string {
  if (ip === 'localhost') return '127.0.0.1';
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/** The limits of one config map (effective broker configs, server.properties names). */
export function connectionQuotaConfigOf(configs: ReadonlyMap<string, string>, listeners: readonly string[]): ConnectionQuotaConfig {
  const int = (key: string, def = INT_MAX): number => {
    const v = configs.get(key);
    if (v === undefined || v.trim() === '') return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`Invalid value ${v} for configuration ${key}`);
    return n;
  };
  const perListener = (suffix: string) => {
    const m = new Map<string, number>();
    for (const l of listeners) {
      const key = `listener.name.${l.toLowerCase()}.${suffix}`;
      if (configs.has(key)) m.set(l, int(key));
    }
    return m;
  };
  return {
    maxConnections: int('max.connections'),
    maxConnectionsPerIp: int('max.connections.per.ip'),
    maxConnectionsPerIpOverrides: parseIpOverrides(configs.get('max.connections.per.ip.overrides') ?? ''),
    maxConnectionCreationRate: int('max.connection.creation.rate'),
    listenerMaxConnections: perListener('max.connections'),
    listenerMaxConnectionCreationRate: perListener('max.connection.creation.rate'),
  };
}

interface Waiting {
  readonly socket: Socket;
  readonly ip: string;
  readonly admit: () => void;
  /** Destroys the socket on a reset while it waits (its Connection has no listener yet). */
  readonly onError: () => void;
  readyAtMs?: number;
}

/**
 * Sockets held per listener at most, waiting for a slot or the creation rate (Kafka's acceptor
 * leaves them in the kernel's backlog, socket.listen.backlog.size 50); more are closed at once, so
 * a flood at the limit cannot use up the broker's file descriptors.
 */
export const MAX_WAITING_PER_LISTENER = 50;

/**
 * Kafka's ConnectionQuotas (SocketServer.scala, KIP-402 and KIP-612). A new connection first waits
 * for a slot: while its listener has listener.name.<l>.max.connections, or the broker
 * max.connections (the inter-broker listener exempt when there are others), the acceptor blocks —
 * here the accepted socket is held unread, its turn kept in order, until a connection closes —
 * and while the broker's or the listener's max.connection.creation.rate is exceeded it waits the
 * rate's throttle time (at most one quota window). Then it is counted against its address:
 * beyond max.connections.per.ip (or its override) it is closed at once. All four follow dynamic
 * broker configs (a BrokerReconfigurable).
 */
export class ConnectionQuotas implements BrokerReconfigurable {
  readonly name = 'ConnectionQuotas';
  readonly reconfigurableConfigs: ReadonlySet<string>;
  private readonly perIp = new Map<string, number>();
  private readonly perListener = new Map<string, number>();
  private total = 0;
  private readonly waiting = new Map<string, Waiting[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly brokerRate: SampledRate;
  private readonly listenerRates = new Map<string, SampledRate>();
  private readonly now: () => number;
  /** Told of each connection closed for its address's limit (the SocketServer's stats). */
  onRejected: (() => void) | undefined;

  constructor(
    private config: ConnectionQuotaConfig,
    private readonly o: {
      readonly listeners: readonly string[];
      readonly interBrokerListener?: string;
      readonly rate: RateConfig;
      readonly logger: Logger;
      /** Static values of the listener keys (DynamicBrokerConfig's effective values lack them). */
      readonly staticListenerValues?: ReadonlyMap<string, string>;
      readonly now?: () => number;
    },
  ) {
    this.now = o.now ?? Date.now;
    this.brokerRate = new SampledRate(o.rate);
    for (const l of o.listeners) this.listenerRates.set(l, new SampledRate(o.rate));
    this.reconfigurableConfigs = new Set([
      'max.connections',
      'max.connections.per.ip',
      'max.connections.per.ip.overrides',
      'max.connection.creation.rate',
      ...o.listeners.flatMap((l) => [`listener.name.${l.toLowerCase()}.max.connections`, `listener.name.${l.toLowerCase()}.max.connection.creation.rate`]),
    ]);
  }

  reconfigure(effective: ReadonlyMap<string, string>): void {
    this.config = connectionQuotaConfigOf(new Map([...(this.o.staticListenerValues ?? []), ...effective]), this.o.listeners);
    for (const l of this.waiting.keys()) this.pump(l);
  }

  /** Connections open now from `ip` (tests, metrics). */
  connectionsFrom(ip: string): number {
    return this.perIp.get(normalizeIp(ip)) ?? 0;
  }

  /**
   * Takes a freshly accepted socket: `admit` runs once it has a slot and is within its address's
   * limit (else it is destroyed); the counts are released when the socket closes.
   */
  accept(listener: string, socket: Socket, admit: () => void): void {
    const ip = normalizeIp(socket.remoteAddress ?? 'unknown');
    const onError = (): void => void socket.destroy();
    socket.on('error', onError);
    const queue = this.waiting.get(listener) ?? [];
    this.waiting.set(listener, queue);
    if (queue.length >= MAX_WAITING_PER_LISTENER) {
      const alive = queue.filter((w) => !w.socket.destroyed);
      queue.splice(0, queue.length, ...alive);
      if (queue.length >= MAX_WAITING_PER_LISTENER) {
        this.onRejected?.();
        socket.destroy();
        return;
      }
    }
    queue.push({ socket, ip, admit, onError });
    this.pump(listener);
  }

  /** Stops waiting (shutdown): held sockets are closed. */
  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const q of this.waiting.values()) for (const w of q) w.socket.destroy();
    this.waiting.clear();
  }

  private slotAvailable(listener: string): boolean {
    const max = this.config.listenerMaxConnections.get(listener) ?? INT_MAX;
    if ((this.perListener.get(listener) ?? 0) >= max) return false;
    const protectedListener = listener === this.o.interBrokerListener && this.o.listeners.length > 1;
    return protectedListener || this.total < this.config.maxConnections;
  }

  /** Kafka's recordConnectionAndGetThrottleTimeMs: the broker's and the listener's creation rates. */
  private recordConnectionAndGetThrottleTimeMs(listener: string, now: number): number {
    const throttleOf = (rate: SampledRate, bound: number): number => {
      rate.record(1, now);
      if (bound >= INT_MAX) return 0;
      const measured = rate.measure(now);
      if (measured <= bound) return 0;
      return Math.min(Math.round(((measured - bound) / bound) * rate.windowSize(now)), this.o.rate.timeWindowMs);
    };
    const listenerRate = this.listenerRates.get(listener);
    const listenerThrottle = listenerRate ? throttleOf(listenerRate, this.config.listenerMaxConnectionCreationRate.get(listener) ?? INT_MAX) : 0;
    const protectedListener = listener === this.o.interBrokerListener && this.o.listeners.length > 1;
    const brokerThrottle = protectedListener ? 0 : throttleOf(this.brokerRate, this.config.maxConnectionCreationRate);
    return Math.max(listenerThrottle, brokerThrottle);
  }

  /** Admits the waiting sockets of a listener, in order, while slots and rates allow. */
  private pump(listener: string): void {
    const queue = this.waiting.get(listener);
    if (queue === undefined) return;
    while (queue.length > 0) {
      const w = queue[0];
      if (w.socket.destroyed) {
        queue.shift();
        continue;
      }
      const now = this.now();
      if (w.readyAtMs === undefined) w.readyAtMs = now + this.recordConnectionAndGetThrottleTimeMs(listener, now);
      if (now < w.readyAtMs) {
        this.schedule(listener, w.readyAtMs - now);
        return;
      }
      if (!this.slotAvailable(listener)) {
        return; // a connection closing pumps again
      }
      queue.shift();
      this.admit(listener, w);
    }
  }

  private schedule(listener: string, ms: number): void {
    if (this.timers.has(listener)) return;
    this.timers.set(
      listener,
      setTimeout(() => {
        this.timers.delete(listener);
        this.pump(listener);
      }, ms),
    );
  }

  private admit(listener: string, w: Waiting): void {
    w.socket.off('error', w.onError);
    const count = this.perIp.get(w.ip) ?? 0;
    this.perIp.set(w.ip, count + 1);
    this.perListener.set(listener, (this.perListener.get(listener) ?? 0) + 1);
    this.total++;
    w.socket.once('close', () => {
      const n = (this.perIp.get(w.ip) ?? 1) - 1;
      if (n <= 0) this.perIp.delete(w.ip);
      else this.perIp.set(w.ip, n);
      this.perListener.set(listener, (this.perListener.get(listener) ?? 1) - 1);
      this.total--;
      for (const l of this.waiting.keys()) this.pump(l);
    });
    const max = this.config.maxConnectionsPerIpOverrides.get(w.ip) ?? this.config.maxConnectionsPerIp;
    if (count >= max) {
      this.o.logger.info(`Rejected connection from ${w.ip}, address already has the configured maximum of ${max} connections.`);
      this.onRejected?.();
      w.socket.destroy();
      return;
    }
    w.admit();
  }
}
