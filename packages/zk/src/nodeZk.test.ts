import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { RawConnectionState, startReadTimeoutWatchdog, type RawClient } from './nodeZk';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A connected socket pair on loopback: `client` stands for the library's socket to ZooKeeper. */
async function socketPair(): Promise<{ client: net.Socket; server: net.Socket; close(): void }> {
  const listener = net.createServer();
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const port = (listener.address() as net.AddressInfo).port;
  const accepted = new Promise<net.Socket>((r) => listener.once('connection', r));
  const client = net.connect(port, '127.0.0.1');
  await new Promise((r) => client.once('connect', r));
  const server = await accepted;
  return {
    client,
    server,
    close: () => {
      client.destroy();
      server.destroy();
      listener.close();
    },
  };
}

/** A node-zookeeper-client stand-in: connected, with a 750 ms session (read timeout 500 ms). */
function rawClient(socket: net.Socket): RawClient {
  const raw = new EventEmitter() as unknown as RawClient;
  Object.assign(raw, {
    getSessionTimeout: () => 750,
    connectionManager: { state: RawConnectionState.CONNECTED, socket },
  });
  return raw;
}

describe('startReadTimeoutWatchdog', () => {
  test('aServerThatSaysNothingForTwoThirdsOfTheSessionTimeoutIsDisconnected', async () => {
    const pair = await socketPair();
    const stop = startReadTimeoutWatchdog(rawClient(pair.client), quiet);
    try {
      await sleep(1000);
      expect(pair.client.destroyed).toBe(true);
    } finally {
      stop();
      pair.close();
    }
  });

  test('aBlockedEventLoopDoesNotDropAConnectionWhoseServerKeptTalking', async () => {
    const pair = await socketPair();
    const stop = startReadTimeoutWatchdog(rawClient(pair.client), quiet);
    try {
      await sleep(250); // the watchdog has seen this socket
      pair.server.write('ping answer');
      const until = Date.now() + 800; // longer than the read timeout, bytes waiting unread
      while (Date.now() < until) {
        // a long synchronous task
      }
      await sleep(150);
      expect(pair.client.destroyed).toBe(false);
    } finally {
      stop();
      pair.close();
    }
  });
});
