import { MemoryLogger } from '@samsa/common';
import { Scheduler } from './Scheduler';
import { MockTime } from '@samsa/common';

describe('Scheduler', () => {
  test('runsTasksInDueOrderAndRepeatsPeriodicOnes', async () => {
    const time = new MockTime();
    const s = new Scheduler({ time, useTimers: false });
    const ran: string[] = [];
    s.schedule('b', () => void ran.push('b'), 200);
    s.schedule('a', () => void ran.push('a'), 100, 100);
    const c = s.schedule('c', () => void ran.push('c'), 50);
    c.cancel();
    time.sleep(250);
    await s.runDue();
    expect(ran).toEqual(['a', 'b']);
    time.sleep(100);
    await s.runDue();
    expect(ran).toEqual(['a', 'b', 'a']);
    await s.shutdown();
    expect(() => s.schedule('x', () => undefined, 0)).toThrow(/shut down/);
  });

  test('aFailingTaskIsLoggedAndOthersRun', async () => {
    const time = new MockTime();
    const logger = new MemoryLogger();
    const s = new Scheduler({ time, logger, useTimers: false });
    let ran = false;
    s.schedule('boom', () => Promise.reject(new Error('nope')), 0);
    s.schedule('ok', () => void (ran = true), 0);
    await s.runDue();
    expect(ran).toBe(true);
    expect(logger.matching(/boom failed: nope/)).toHaveLength(1);
  });

  test('realTimersFireWithoutKeepingTheProcessAlive', async () => {
    const s = new Scheduler();
    const fired = await new Promise<boolean>((resolve) => s.schedule('t', () => resolve(true), 5));
    expect(fired).toBe(true);
    await s.shutdown();
  });
});
