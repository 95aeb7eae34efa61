import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '@samsa/common';
import { disk, ioError, type FaultInjector } from '@samsa/storage';

/**
 * TEST-ONLY fault switch: lets a fault test make one log directory of a running broker fail as a
 * broken disk does, where chmod cannot (tests run as root, and root writes through any mode).
 *
 * It is off unless the environment variable SAMSA_TEST_FAULTS holds the absolute path of a fault
 * file, and then the broker says so at startup in a WARN line. No server.properties key, command
 * line option or request can turn it on. The file need not exist yet: the broker reads it every
 * FAULT_FILE_POLL_MS. Each line is `<errno code> <absolute log dir>`, for instance
 *   EIO /var/lib/samsa/data-b
 * and from then on every write-class file-system operation (write, fsync, truncate, mkdir, rename,
 * unlink, rmdir, utimes) under that directory throws that code, as Node's own errors do; reads still
 * work. Blank lines and lines starting with # are ignored; a malformed line is logged and ignored.
 * Several brokers may share one file: each only fails directories under the paths named.
 */
export const TEST_FAULTS_ENV = 'SAMSA_TEST_FAULTS';

/** How often the fault file is read. */
export const FAULT_FILE_POLL_MS = 100;

/** The operations (as `disk` names them) that a fault makes fail. */
const WRITE_OPS: ReadonlySet<string> = new Set(['write', 'fsync', 'truncate', 'mkdir', 'rename', 'unlink', 'rmdir', 'utimes']);

/** One failing directory: operations under `dir` throw `code`. */
export interface DirFault {
  readonly code: string;
  readonly dir: string;
}

/** The faults of a fault file's text, and a sentence per line that is not one. */
export function parseFaultFile(text: string): { faults: DirFault[]; errors: string[] } {
  const faults: DirFault[] = [];
  const errors: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(E[A-Z]+)\s+(\S.*)$/.exec(line);
    if (!m || !path.isAbsolute(m[2])) {
      errors.push(`ignoring "${line}": expected "<errno code> <absolute log dir>", e.g. "EIO /data/kafka-logs"`);
      continue;
    }
    faults.push({ code: m[1], dir: path.resolve(m[2]) });
  }
  return { faults, errors };
}

/** A `disk` fault injector failing write-class operations under each fault's directory. */
export function faultInjectorFor(faults: readonly DirFault[]): FaultInjector {
  return (op, filePath) => {
    if (!WRITE_OPS.has(op)) return;
    const p = path.resolve(filePath);
    for (const f of faults) {
      if (p === f.dir || p.startsWith(f.dir + path.sep)) throw ioError(f.code, op, filePath);
    }
  };
}

export interface TestFaultSwitch {
  /** Reads the fault file now and applies it (the poll does this every FAULT_FILE_POLL_MS). */
  poll(): void;
  stop(): void;
}

/**
 * Turns the switch on when SAMSA_TEST_FAULTS is set (see the module comment); null when it is not.
 * Throws when it is set to something other than an absolute path (the launcher exits 1 with it).
 */
export function installTestFaultSwitch(options: {
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly pollMs?: number;
}): TestFaultSwitch | null {
  const file = options.env[TEST_FAULTS_ENV];
  if (file === undefined || file === '') return null;
  if (!path.isAbsolute(file)) throw new Error(`${TEST_FAULTS_ENV} must be the absolute path of a fault file, not "${file}"`);
  const { logger } = options;
  logger.warn(
    `TEST-ONLY fault switch is ON (${TEST_FAULTS_ENV}=${file}): file-system writes to log directories named in that ` +
      `file fail as a broken disk would. Never set ${TEST_FAULTS_ENV} outside tests.`,
  );
  let applied = '';
  const poll = (): void => {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn(`TEST-ONLY fault switch: cannot read ${file}`, e);
    }
    if (text === applied) return;
    applied = text;
    const { faults, errors } = parseFaultFile(text);
    for (const e of errors) logger.warn(`TEST-ONLY fault switch: ${e}`);
    disk.faultInjector = faults.length > 0 ? faultInjectorFor(faults) : null;
    logger.warn(
      `TEST-ONLY fault switch: ${faults.length > 0 ? faults.map((f) => `${f.code} on writes under ${f.dir}`).join('; ') : 'no faults'}`,
    );
  };
  poll();
  const timer = setInterval(poll, options.pollMs ?? FAULT_FILE_POLL_MS);
  timer.unref();
  return {
    poll,
    stop: () => {
      clearInterval(timer);
      disk.faultInjector = null;
    },
  };
}
