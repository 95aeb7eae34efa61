import * as net from 'node:net';
import { DisconnectedError } from './errors';
import { KafkaChannel } from './KafkaChannel';

/** A server that writes `reply` to each connection and records what it receives. */
async function rawServer(
  reply: Buffer,
): Promise<{ port: number; received: Buffer[]; close: () => Promise<void> }> {
  const received: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => undefined);
    socket.write(reply);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    received,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function frame(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

test('framesArriveWholeAndInOrderWhateverTheChunking', async () => {
  const server = await rawServer(Buffer.concat([frame(Buffer.from('one')), frame(Buffer.from('two'))]));
  const channel = await KafkaChannel.connect({ host: '127.0.0.1', port: server.port });
  const frames: string[] = [];
  await new Promise<void>((resolve) =>
    channel.listen({
      onFrame: (f) => {
        frames.push(f.toString());
        if (frames.length === 2) resolve();
      },
      onClose: () => resolve(),
    }),
  );
  channel.writeFrame(Buffer.from('abc'));
  while (server.received.length === 0) await new Promise((r) => setTimeout(r, 5));
  expect(frames).toEqual(['one', 'two']);
  expect(Buffer.concat(server.received)).toEqual(frame(Buffer.from('abc')));
  channel.close();
  await server.close();
});

test('aSizePrefixOverTheLimitClosesTheChannelBeforeBuffering', async () => {
  const huge = Buffer.alloc(4);
  huge.writeInt32BE(0x7fffffff);
  const server = await rawServer(huge);
  const channel = await KafkaChannel.connect({
    host: '127.0.0.1',
    port: server.port,
    maxResponseBytes: 1024,
  });
  const closed = new Promise<DisconnectedError>((resolve) =>
    channel.listen({ onFrame: () => undefined, onClose: resolve }),
  );
  const error = await closed;
  expect(error).toBeInstanceOf(DisconnectedError);
  expect(error.message).toMatch(/bad response frame/);
  expect(channel.isClosed).toBe(true);
  await server.close();
});

test('aFailedConnectRejectsWithDisconnectedError', async () => {
  const server = await rawServer(Buffer.alloc(0));
  const port = server.port;
  await server.close();
  await expect(
    KafkaChannel.connect({ host: '127.0.0.1', port, connectTimeoutMs: 1000 }),
  ).rejects.toBeInstanceOf(DisconnectedError);
});
