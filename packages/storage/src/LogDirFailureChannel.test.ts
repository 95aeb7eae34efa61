import { ErrorCode, KafkaError } from '@samsa/protocol';
import { MemoryLogger } from '@samsa/common';
import { ioError } from './disk';
import { isIOError, LogDirFailureChannel } from './LogDirFailureChannel';

describe('LogDirFailureChannel', () => {
  const dir = '/data/a';
  const other = '/data/b';

  function channel(): { ch: LogDirFailureChannel; logger: MemoryLogger; heard: [string, string][] } {
    const logger = new MemoryLogger();
    const ch = new LogDirFailureChannel(logger);
    const heard: [string, string][] = [];
    ch.onLogDirFailure((d, reason) => heard.push([d, reason]));
    return { ch, logger, heard };
  }

  test('anIOErrorTakesTheDirectoryOfflineAndReachesTheCallerAsKafkaStorageError', () => {
    const { ch, heard } = channel();
    let thrown: unknown;
    try {
      ch.maybeHandleIOException(dir, () => 'Error while appending', () => {
        throw ioError('EIO', 'write', `${dir}/t-0/00000000000000000000.log`);
      });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(KafkaError);
    expect((thrown as KafkaError).code).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(ch.isOffline(dir)).toBe(true);
    expect(ch.isOffline(other)).toBe(false);
    expect(ch.offlineLogDirs()).toEqual([dir]);
    expect(heard).toHaveLength(1);
    expect(heard[0][0]).toBe(dir);
    expect(heard[0][1]).toMatch(/Error while appending: EIO/);
  });

  test('aFullDiskIsAnIOErrorToo', async () => {
    const { ch } = channel();
    await expect(
      ch.maybeHandleIOExceptionAsync(dir, () => 'Error while flushing', () =>
        Promise.reject(ioError('ENOSPC', 'write', `${dir}/x`)),
      ),
    ).rejects.toMatchObject({ code: ErrorCode.KAFKA_STORAGE_ERROR });
    expect(ch.isOffline(dir)).toBe(true);
  });

  test('operationsOnAnOfflineDirectoryFailFastWithoutRunning', () => {
    const { ch } = channel();
    ch.maybeAddOfflineLogDir(dir, 'test', new Error('boom'));
    const fn = jest.fn(() => 1);
    expect(() => ch.maybeHandleIOException(dir, () => 'read', fn)).toThrow(
      expect.objectContaining({ code: ErrorCode.KAFKA_STORAGE_ERROR }),
    );
    expect(fn).not.toHaveBeenCalled();
    expect(ch.maybeHandleIOException(other, () => 'read', fn)).toBe(1);
  });

  test('aDirectoryIsAnnouncedAndLoggedOnlyOnce', () => {
    const { ch, logger, heard } = channel();
    for (let i = 0; i < 3; i++) ch.maybeAddOfflineLogDir(dir, `failure ${i}`, ioError('EIO', 'write', dir));
    expect(heard).toEqual([[dir, 'failure 0: EIO: injected failure, write \'/data/a\'']]);
    expect(logger.matching(/is now OFFLINE/)).toHaveLength(1);
  });

  test('errorsThatAreNotIOErrorsPassThroughAndLeaveTheDirectoryOnline', () => {
    const { ch, heard } = channel();
    const bad = new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'bad batch');
    expect(() =>
      ch.maybeHandleIOException(dir, () => 'append', () => {
        throw bad;
      }),
    ).toThrow(bad);
    expect(() =>
      ch.maybeHandleIOException(dir, () => 'append', () => {
        throw new RangeError('assertion');
      }),
    ).toThrow(RangeError);
    expect(ch.isOffline(dir)).toBe(false);
    expect(heard).toEqual([]);
  });

  test('aListenerThatThrowsDoesNotStopTheOthers', () => {
    const logger = new MemoryLogger();
    const ch = new LogDirFailureChannel(logger);
    const heard: string[] = [];
    ch.onLogDirFailure(() => {
      throw new Error('listener bug');
    });
    ch.onLogDirFailure((d) => heard.push(d));
    ch.maybeAddOfflineLogDir(dir, 'test', ioError('EIO', 'write', dir));
    expect(heard).toEqual([dir]);
    expect(logger.matching(/listener threw/)).toHaveLength(1);
  });

  test('nodeSystemErrorsAreIOErrorsAndPlainErrorsAreNot', () => {
    expect(isIOError(ioError('EIO', 'write', '/x'))).toBe(true);
    expect(isIOError(new Error('plain'))).toBe(false);
    expect(isIOError('EIO')).toBe(false);
  });
});
