import { createServer, type Server, type Socket } from 'node:net';
import { ApiKey } from '@samsa/protocol';
import { ClusterClient } from './ClusterClient';
import { NetworkClientClosedError } from './errors';

/** A listener that counts the connections made to it and answers nothing. */
async function listener(): Promise<{
  server: Server;
  port: number;
  connections: () => number;
  stop: () => Promise<void>;
}> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    server,
    port,
    connections: () => sockets.length,
    stop: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

test('afterCloseNoRequestOpensAConnection', async () => {
  const broker = await listener();
  try {
    const client = new ClusterClient({
      bootstrap: [{ host: '127.0.0.1', port: broker.port }],
      clientId: 'test',
      requestTimeoutMs: 200,
    });
    client.close();
    await expect(client.metadata([])).rejects.toBeInstanceOf(NetworkClientClosedError);
    await expect(
      client.send({ host: '127.0.0.1', port: broker.port }, ApiKey.ApiVersions, 0, {}),
    ).rejects.toBeInstanceOf(NetworkClientClosedError);
    expect(client.isClosed).toBe(true);
    // Give a connection, had one been started, the time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(broker.connections()).toBe(0);
  } finally {
    await broker.stop();
  }
});

test('aRequestInFlightAtCloseFailsWithTheClosedError', async () => {
  const broker = await listener();
  try {
    const client = new ClusterClient({
      bootstrap: [{ host: '127.0.0.1', port: broker.port }],
      clientId: 'test',
      requestTimeoutMs: 5000,
    });
    const pending = client.send({ host: '127.0.0.1', port: broker.port }, ApiKey.ApiVersions, 0, {});
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.close();
    await expect(pending).rejects.toBeInstanceOf(NetworkClientClosedError);
    expect(broker.connections()).toBe(1);
  } finally {
    await broker.stop();
  }
});
