import { MemoryLogger } from '@samsa/common';
import { LogDirFailureChannel, ioError } from '@samsa/storage';
import { ALL_LOG_DIRS_FAILED_EXIT_CODE, LogDirFailureHandler } from './LogDirFailureHandler';

function setup(dirs: string[]) {
  const logger = new MemoryLogger();
  const channel = new LogDirFailureChannel(logger);
  const calls: string[] = [];
  const halted: number[] = [];
  let propagate: () => Promise<unknown> = async () => undefined;
  const handler = new LogDirFailureHandler({
    brokerId: 3,
    failureChannel: channel,
    logDirs: () => ({ all: dirs, live: dirs.filter((d) => !channel.isOffline(d)) }),
    stopReplicasIn: (dir) => calls.push(`stop ${dir}`),
    propagateLogDirEvent: () => {
      calls.push('notify');
      return propagate();
    },
    halt: (code) => {
      calls.push('halt');
      halted.push(code);
    },
    logger,
  });
  const fail = (dir: string) => channel.maybeAddOfflineLogDir(dir, 'Error while appending', ioError('EIO', 'write', dir));
  return {
    handler,
    logger,
    calls,
    halted,
    fail,
    setPropagate: (p: () => Promise<unknown>) => (propagate = p),
  };
}

describe('LogDirFailureHandler', () => {
  test('aFailedDirStopsItsReplicasThenNotifiesTheControllerOffTheFailingCallsStack', async () => {
    const s = setup(['/a', '/b']);
    s.fail('/a');
    expect(s.calls).toEqual([]); // not on the stack of the I/O call that failed
    await s.handler.idle();
    expect(s.calls).toEqual(['stop /a', 'notify']);
    expect(s.halted).toEqual([]);
    expect(s.logger.matching(/Stopped serving replicas in dir \/a/)).toHaveLength(1);
  });

  test('whenNoLogDirIsLeftTheBrokerHaltsWithKafkasLineAndWritesNoNotification', async () => {
    const s = setup(['/a', '/b']);
    s.fail('/a');
    await s.handler.idle();
    s.fail('/b');
    await s.handler.idle();
    expect(s.calls).toEqual(['stop /a', 'notify', 'stop /b', 'halt']);
    expect(s.halted).toEqual([ALL_LOG_DIRS_FAILED_EXIT_CODE]);
    expect(ALL_LOG_DIRS_FAILED_EXIT_CODE).not.toBe(0);
    expect(s.logger.matching(/Shutdown broker because all log dirs in \/a, \/b have failed/)).toHaveLength(1);
  });

  test('aSingleLogDirThatFailsHaltsAtOnce', async () => {
    const s = setup(['/only']);
    s.fail('/only');
    await s.handler.idle();
    expect(s.calls).toEqual(['stop /only', 'halt']);
  });

  test('directoriesAreHandledOneAtATimeInTheOrderTheyFailed', async () => {
    const s = setup(['/a', '/b', '/c']);
    let release!: () => void;
    s.setPropagate(() => new Promise<void>((r) => (release = r)));
    s.fail('/a');
    s.fail('/b');
    await new Promise((r) => setTimeout(r, 10));
    expect(s.calls).toEqual(['stop /a', 'notify']);
    s.setPropagate(async () => undefined);
    release();
    await s.handler.idle();
    expect(s.calls).toEqual(['stop /a', 'notify', 'stop /b', 'notify']);
  });

  test('aFailedNotificationIsLoggedAndTheNextFailureIsStillHandled', async () => {
    const s = setup(['/a', '/b', '/c']);
    s.setPropagate(() => Promise.reject(new Error('session expired')));
    s.fail('/a');
    await s.handler.idle();
    expect(s.logger.matching(/Could not write the log dir event notification for broker 3/)).toHaveLength(1);
    s.setPropagate(async () => undefined);
    s.fail('/b');
    await s.handler.idle();
    expect(s.calls).toEqual(['stop /a', 'notify', 'stop /b', 'notify']);
  });

  test('afterShutdownFailuresAreNotHandled', async () => {
    const s = setup(['/a', '/b']);
    s.handler.shutdown();
    s.fail('/a');
    await s.handler.idle();
    expect(s.calls).toEqual([]);
  });
});
