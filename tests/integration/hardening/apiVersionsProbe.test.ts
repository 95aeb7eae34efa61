import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { harnessTempRoot, sleep, startZooKeeper, type ZooKeeperHandle } from '../../harness';
import { startBroker, type BrokerHandle } from '../../harness/broker';
import { ApiVersionsProbe } from './apiVersionsProbe';

/**
 * The stall witness itself: a broker whose event loop is held busy for 300 ms of CPU (a
 * `--require` preload that spins on SIGUSR2, so nothing in the broker has a switch for it) shows as
 * a probe answer whose broker's share (its thread's CPU time meanwhile) breaks the 100 ms bound,
 * however loaded the machine is: a stall is work, and the machine's load only stretches it in wall
 * time.
 */
jest.setTimeout(60_000);

const STALL_MS = 300;

let zk: ZooKeeperHandle;
let broker: BrokerHandle;

beforeAll(async () => {
  zk = await startZooKeeper();
  const dir = mkdtempSync(join(harnessTempRoot(), 'probe-preload-'));
  const preload = join(dir, 'spin.cjs');
  writeFileSync(
    preload,
    // CPU time, not wall time: on a loaded machine a wall-clock spin gets only part of a CPU
    `process.on('SIGUSR2', () => { const t0 = process.cpuUsage(); const used = () => { const d = process.cpuUsage(t0); return (d.user + d.system) / 1000; }; while (used() < ${STALL_MS}) {} });\n`,
  );
  broker = await startBroker({ zkConnect: zk.connectString, brokerId: 0, nodeArgs: ['--require', preload] });
});

afterAll(async () => {
  await broker?.remove();
  await zk?.stop();
});

it('aBusyEventLoopIsTheBrokersShareOfTheProbesLatency', async () => {
  const probe = ApiVersionsProbe.start(broker.port, { intervalMs: 20, brokerPid: broker.pid });
  await sleep(300);
  process.kill(broker.pid!, 'SIGUSR2');
  await sleep(STALL_MS + 300);
  // under load the spin takes longer than its CPU time: stop waits for the request in flight
  const report = await probe.stop(100, 20_000);
  console.log(
    `probe: max ${report.maxMs} ms, broker's share max ${report.brokerShareMaxMs} ms; ${JSON.stringify(report.largestBrokerShares[0])}`,
  );
  expect(report.error).toBeNull();
  // a probe request waits through (most of) the spin: the stall breaks the 100 ms bound the
  // stall tests hold the broker's share to (the rest of its 300 ms may fall between requests)
  expect(report.brokerShareMaxMs).toBeGreaterThanOrEqual(100);
});
