import type { ChildProcess } from 'child_process';
import * as os from 'os';
import * as path from 'path';

/**
 * What a caller may add to every process this package starts. The launcher needs none of it; the
 * test harness uses all three, to find and kill what a test leaves behind and to keep temporary
 * directories inside its run directory.
 */
export interface ProcessHooks {
  /** Put on the command line (`-D<marker>` for the JVM, a trailing argument for node programs). */
  readonly marker?: string;
  /** Told of each child right after it is spawned; `label` names it. */
  readonly onSpawn?: (child: ChildProcess, label: string) => void;
  /** Where temporary directories go when the caller does not choose one; default os.tmpdir(). */
  readonly tempRoot?: string;
}

/**
 * The checkout (or install) this package runs from: it holds bin/ and packages/<name>/dist. The
 * module sits two levels below packages/cluster both as source (src/) and built (dist/).
 */
export const SAMSA_HOME = path.resolve(__dirname, '..', '..', '..');

export function tempRootOf(hooks: ProcessHooks): string {
  return hooks.tempRoot ?? os.tmpdir();
}
