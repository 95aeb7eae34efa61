import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findProcesses, HARNESS_PROCESS_PATTERN, PREEXISTING_FILE, RUN_DIR_ENV, RUN_ID_ENV } from './run';

/**
 * Runs once in jest's parent process before any worker starts. Gives the run an id and a scratch
 * directory (workers inherit both through the environment), and writes down the ZooKeeper and
 * broker processes that already exist, so globalTeardown blames this run only for new ones.
 */
export default async function globalSetup(): Promise<void> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-test-run-'));
  process.env[RUN_ID_ENV] = `${Date.now().toString(36)}-${process.pid}`;
  process.env[RUN_DIR_ENV] = runDir;
  const preexisting = await findProcesses(HARNESS_PROCESS_PATTERN);
  fs.writeFileSync(path.join(runDir, PREEXISTING_FILE), JSON.stringify(preexisting));
}
