import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MemoryLogger } from '@samsa/common';
import { disk } from '@samsa/storage';
import { faultInjectorFor, installTestFaultSwitch, parseFaultFile, TEST_FAULTS_ENV } from './testFaultSwitch';

describe('testFaultSwitch', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'samsa-faults-'));
  });
  afterEach(() => {
    disk.faultInjector = null;
    rmSync(root, { recursive: true, force: true });
  });

  test('withoutTheEnvironmentVariableNothingIsInstalled', () => {
    const logger = new MemoryLogger();
    expect(installTestFaultSwitch({ env: {}, logger })).toBeNull();
    expect(installTestFaultSwitch({ env: { [TEST_FAULTS_ENV]: '' }, logger })).toBeNull();
    expect(disk.faultInjector).toBeNull();
    expect(logger.matching(/TEST-ONLY/)).toEqual([]);
  });

  test('aRelativePathIsRefused', () => {
    expect(() => installTestFaultSwitch({ env: { [TEST_FAULTS_ENV]: 'faults' }, logger: new MemoryLogger() })).toThrow(
      /SAMSA_TEST_FAULTS must be the absolute path of a fault file/,
    );
  });

  test('theFaultFileIsParsedLineByLine', () => {
    const { faults, errors } = parseFaultFile('# comment\n\nEIO /data/a\nENOSPC   /data/b/\nEIO relative\nnonsense\n');
    expect(faults).toEqual([
      { code: 'EIO', dir: '/data/a' },
      { code: 'ENOSPC', dir: '/data/b' },
    ]);
    expect(errors).toHaveLength(2);
  });

  test('writesUnderTheDirectoryFailWithItsCodeAndReadsAndOtherDirectoriesDoNot', () => {
    const inject = faultInjectorFor([{ code: 'EIO', dir: '/data/a' }]);
    for (const op of ['write', 'fsync', 'truncate', 'mkdir', 'rename', 'unlink', 'rmdir', 'utimes'])
      expect(() => inject(op, '/data/a/t-0/00000000000000000000.log')).toThrow(
        expect.objectContaining({ code: 'EIO', syscall: op }),
      );
    expect(() => inject('fsync', '/data/a')).toThrow(expect.objectContaining({ code: 'EIO' }));
    expect(() => inject('read', '/data/a/t-0/00000000000000000000.log')).not.toThrow();
    expect(() => inject('write', '/data/ab/t-0/00000000000000000000.log')).not.toThrow();
    expect(() => inject('write', '/data/b/t-0/00000000000000000000.log')).not.toThrow();
  });

  test('theSwitchAnnouncesItselfAndAppliesTheFileAsItChanges', () => {
    const logger = new MemoryLogger();
    const file = path.join(root, 'faults');
    const dir = path.join(root, 'data-a');
    const sw = installTestFaultSwitch({ env: { [TEST_FAULTS_ENV]: file }, logger, pollMs: 60_000 })!;
    try {
      expect(logger.matching(/TEST-ONLY fault switch is ON/)).toHaveLength(1);
      expect(disk.faultInjector).toBeNull();
      writeFileSync(file, `EIO ${dir}\n`);
      sw.poll();
      expect(() => disk.mkdirs(path.join(dir, 't-0'))).toThrow(expect.objectContaining({ code: 'EIO' }));
      disk.mkdirs(path.join(root, 'data-b', 't-0'));
      writeFileSync(file, '');
      sw.poll();
      expect(disk.faultInjector).toBeNull();
    } finally {
      sw.stop();
    }
    expect(disk.faultInjector).toBeNull();
  });
});
