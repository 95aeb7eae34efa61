import { EventEmitter } from 'node:events';
import { exitOnFatalErrors, FATAL_EXIT_CODE } from './fatalErrors';

function wired(flush: () => Promise<void> = () => Promise.resolve()) {
  const proc = new EventEmitter();
  const lines: Array<{ msg: string; err: unknown }> = [];
  const exits: number[] = [];
  let flushed = 0;
  exitOnFatalErrors({
    process: proc,
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: (msg, err) => lines.push({ msg, err }) },
    flush: () => {
      flushed++;
      return flush();
    },
    exit: (code) => exits.push(code),
    flushTimeoutMs: 50,
  });
  return { proc, lines, exits, flushed: () => flushed };
}

const settle = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('exitOnFatalErrors', () => {
  it('uncaughtExceptionIsLoggedThenTheProcessExitsNonZeroAfterTheLogsFlush', async () => {
    const w = wired();
    const boom = new Error('boom');
    w.proc.emit('uncaughtException', boom);
    expect(w.lines).toEqual([{ msg: "Uncaught exception: the broker's state is unknown, exiting with 1", err: boom }]);
    await settle();
    expect(w.flushed()).toBe(1);
    expect(w.exits).toEqual([FATAL_EXIT_CODE]);
    expect(FATAL_EXIT_CODE).not.toBe(0);
  });

  it('unhandledRejectionIsLoggedThenTheProcessExitsNonZero', async () => {
    const w = wired();
    w.proc.emit('unhandledRejection', 'reason', Promise.resolve());
    expect(w.lines[0].msg).toBe("Unhandled promise rejection: the broker's state is unknown, exiting with 1");
    expect(w.lines[0].err).toBe('reason');
    await settle();
    expect(w.exits).toEqual([1]);
  });

  it('aFlushThatHangsDoesNotKeepTheBrokerAlive', async () => {
    const w = wired(() => new Promise<void>(() => {}));
    w.proc.emit('uncaughtException', new Error('boom'));
    await settle(10);
    expect(w.exits).toEqual([]);
    await settle(100);
    expect(w.exits).toEqual([1]);
  });

  it('aFlushThatFailsStillExits', async () => {
    const w = wired(() => Promise.reject(new Error('disk gone')));
    w.proc.emit('uncaughtException', new Error('boom'));
    await settle();
    expect(w.exits).toEqual([1]);
  });

  it('aSecondErrorWhileExitingIsLoggedAndExitsOnce', async () => {
    const w = wired();
    w.proc.emit('uncaughtException', new Error('first'));
    w.proc.emit('unhandledRejection', new Error('second'));
    await settle();
    expect(w.lines).toHaveLength(2);
    expect(w.flushed()).toBe(1);
    expect(w.exits).toEqual([1]);
  });
});
