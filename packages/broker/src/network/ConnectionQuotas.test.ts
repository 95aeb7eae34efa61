import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Logger } from '@samsa/common';
import { ConnectionQuotas, MAX_WAITING_PER_LISTENER, UNLIMITED_CONNECTIONS, connectionQuotaConfigOf, parseIpOverrides } from './ConnectionQuotas';

class FakeSocket extends EventEmitter {
  destroyed = false;
  constructor(readonly remoteAddress: string) {
    super();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }
}

const logger = { info: jest.fn(), warn: jest.fn(), debug: jest.fn(), error: jest.fn() } as unknown as Logger;

function quotas(config: Partial<typeof UNLIMITED_CONNECTIONS>, now: () => number = Date.now, listeners = ['PLAINTEXT']) {
  return new ConnectionQuotas({ ...UNLIMITED_CONNECTIONS, ...config }, { listeners, interBrokerListener: listeners[listeners.length - 1], rate: { samples: 11, timeWindowMs: 1000 }, logger, now });
}

function accept(q: ConnectionQuotas, ip: string, listener = 'PLAINTEXT'): { socket: FakeSocket; admitted: () => boolean } {
  const socket = new FakeSocket(ip);
  let admitted = false;
  q.accept(listener, socket as unknown as Socket, () => (admitted = true));
  return { socket, admitted: () => admitted };
}

describe('ConnectionQuotas', () => {
  it('closes connections beyond max.connections.per.ip, with per-address overrides (::ffff: prefix ignored)', () => {
    const q = quotas({ maxConnectionsPerIp: 2, maxConnectionsPerIpOverrides: parseIpOverrides('10.0.0.9:3') });
    const rejected = jest.fn();
    q.onRejected = rejected;
    const a = [accept(q, '10.0.0.1'), accept(q, '::ffff:10.0.0.1'), accept(q, '10.0.0.1')];
    expect(a.map((x) => [x.admitted(), x.socket.destroyed])).toEqual([
      [true, false],
      [true, false],
      [false, true],
    ]);
    expect(rejected).toHaveBeenCalledTimes(1);
    expect([1, 2, 3, 4].map(() => accept(q, '10.0.0.9').admitted())).toEqual([true, true, true, false]);
    a[0].socket.destroy();
    expect(q.connectionsFrom('10.0.0.1')).toBe(1);
    expect(accept(q, '10.0.0.1').admitted()).toBe(true);
  });

  it('holds connections beyond max.connections in order until slots free; the inter-broker listener is exempt', () => {
    const q = quotas({ maxConnections: 2 }, Date.now, ['PLAINTEXT', 'INTERNAL']);
    const first = [accept(q, '1.1.1.1'), accept(q, '1.1.1.2')];
    const waiting = [accept(q, '1.1.1.3'), accept(q, '1.1.1.4')];
    expect(waiting.map((w) => w.admitted())).toEqual([false, false]);
    expect(accept(q, '1.1.1.5', 'INTERNAL').admitted()).toBe(true);
    first[0].socket.destroy();
    // the inter-broker connection is counted in the total: one closed still leaves two open
    expect(waiting.map((w) => w.admitted())).toEqual([false, false]);
    first[1].socket.destroy();
    expect(waiting.map((w) => w.admitted())).toEqual([true, false]);
  });

  it('a held connection reset by its client is closed without an unhandled error, and no more than the backlog is held', () => {
    const q = quotas({ maxConnections: 1 });
    const rejected = jest.fn();
    q.onRejected = rejected;
    accept(q, '3.3.3.1');
    const held = accept(q, '3.3.3.2');
    // an 'error' with no listener would throw here (and kill the broker)
    expect(() => held.socket.emit('error', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).not.toThrow();
    expect(held.socket.destroyed).toBe(true);
    const more = Array.from({ length: MAX_WAITING_PER_LISTENER + 5 }, (_, i) => accept(q, `3.3.4.${i}`));
    expect(more.filter((c) => c.socket.destroyed)).toHaveLength(5);
    expect(rejected).toHaveBeenCalledTimes(5);
    expect(more.some((c) => c.admitted())).toBe(false);
  });

  it('delays new connections beyond max.connection.creation.rate by the rate throttle (at most one window)', () => {
    let now = 0;
    const q = quotas({ maxConnectionCreationRate: 2 }, () => now);
    jest.useFakeTimers();
    try {
      // a young rate counts over 10 s: 20 connections are within 2/s, the 21st waits
      const first = Array.from({ length: 20 }, () => accept(q, '2.2.2.2'));
      expect(first.every((c) => c.admitted())).toBe(true);
      const late = accept(q, '2.2.2.2');
      expect(late.admitted()).toBe(false);
      now += 1000;
      jest.advanceTimersByTime(1000);
      expect(late.admitted()).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('reads its limits from broker configs, listener keys included, and refuses bad values', () => {
    const c = connectionQuotaConfigOf(
      new Map([
        ['max.connections', '10'],
        ['listener.name.internal.max.connections', '3'],
        ['listener.name.internal.max.connection.creation.rate', '7'],
        ['max.connections.per.ip.overrides', 'localhost:5, 10.0.0.1:0'],
      ]),
      ['PLAINTEXT', 'INTERNAL'],
    );
    expect([c.maxConnections, c.maxConnectionsPerIp, c.listenerMaxConnections.get('INTERNAL'), c.listenerMaxConnectionCreationRate.get('INTERNAL')]).toEqual([10, 2147483647, 3, 7]);
    expect([...c.maxConnectionsPerIpOverrides]).toEqual([
      ['127.0.0.1', 5],
      ['10.0.0.1', 0],
    ]);
    expect(() => connectionQuotaConfigOf(new Map([['max.connections', '-1']]), [])).toThrow(/Invalid value -1/);
    expect(() => parseIpOverrides('nohost')).toThrow(/max.connections.per.ip.overrides/);
  });
});
