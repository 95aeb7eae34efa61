import * as net from 'net';
import { firstFreePort, freePort, isPortFree, LOOPBACK, pickPort } from './ports';

/** A listener on a kernel-chosen port, to make a port "taken". */
async function occupy(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('port choice', () => {
  test('aTakenPortIsNotFree', async () => {
    const taken = await occupy();
    try {
      expect(await isPortFree(taken.port)).toBe(false);
    } finally {
      await taken.close();
    }
    expect(await isPortFree(taken.port)).toBe(true);
  });

  test('pickPortTakesThePreferredPortWhenFree', async () => {
    const port = await freePort();
    expect(await pickPort([port])).toBe(port);
  });

  test('pickPortFallsBackToTheRememberedPortWhenThePreferredIsTaken', async () => {
    const taken = await occupy();
    const remembered = await freePort();
    try {
      expect(await pickPort([taken.port, remembered])).toBe(remembered);
    } finally {
      await taken.close();
    }
  });

  test('pickPortSkipsNonPortsAndTakenPortsThenAsksTheKernel', async () => {
    const taken = await occupy();
    try {
      const port = await pickPort([taken.port, NaN, 0, 70_000]);
      expect(port).not.toBe(taken.port);
      expect(port).toBeGreaterThan(0);
    } finally {
      await taken.close();
    }
  });

  test('firstFreePortIsUndefinedWhenEveryPortInTheRangeIsTaken', async () => {
    const taken = await occupy();
    try {
      const found = await firstFreePort(taken.port, taken.port + 1);
      expect(found).toBeUndefined();
    } finally {
      await taken.close();
    }
  });
});
