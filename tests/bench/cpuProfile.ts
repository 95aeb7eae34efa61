import * as fs from 'node:fs';

/** A V8 .cpuprofile (node --cpu-prof), as much of it as the benchmarks read. */
interface CpuProfile {
  readonly nodes: readonly { id: number; callFrame: { url: string; functionName: string }; children?: number[] }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileShare {
  /** Sampled time not idle (JS, GC, native, program), ms. */
  readonly busyMs: number;
  /** Sampled time with a frame of the chosen code anywhere on the stack, ms. */
  readonly chosenMs: number;
  /** The chosen time by its outermost chosen function ("name file:line"), largest first, ms. */
  readonly byFunction: readonly (readonly [string, number])[];
}

export interface SteadyState {
  /** The load starts at the first sample with a frame of this function name on its stack. */
  readonly firstFunction: string;
  /** Samples within this long after that are warm-up (the JIT, empty reservoirs) and left out. */
  readonly skipMs: number;
}

/**
 * How much of a process's busy time went to the code whose script URL `chosen` accepts: each
 * sample counts for the chosen code when any frame on its stack is chosen code (inclusive time).
 * Samples taken while modules load (a `node:internal/modules/` frame on the stack: start-up) are
 * left out of both, and with `steady`, everything before the load's warm-up ended.
 */
export function profileShare(file: string, chosen: (url: string) => boolean, steady?: SteadyState): ProfileShare {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** Whether a frame satisfying `test` is on the stack of node `id` (memoised per node). */
  const onStack = (test: (url: string) => boolean) => {
    const memo = new Map<number, boolean>();
    const check = (id: number): boolean => {
      const known = memo.get(id);
      if (known !== undefined) return known;
      const up = parent.get(id);
      const v = test(byId.get(id)!.callFrame.url) || (up !== undefined && check(up));
      memo.set(id, v);
      return v;
    };
    return check;
  };
  const isChosen = onStack(chosen);
  const isLoading = onStack((url) => url.startsWith('node:internal/modules/'));
  const times: number[] = [];
  let t = 0;
  for (const dt of p.timeDeltas) times.push((t += dt));
  let fromUs = -Infinity;
  if (steady) {
    const names = new Map(p.nodes.map((n) => [n.id, n.callFrame.functionName]));
    const hasFirst = new Map<number, boolean>();
    const check = (id: number): boolean => {
      const known = hasFirst.get(id);
      if (known !== undefined) return known;
      const up = parent.get(id);
      const v = names.get(id) === steady.firstFunction || (up !== undefined && check(up));
      hasFirst.set(id, v);
      return v;
    };
    const first = p.samples.findIndex((id) => check(id));
    fromUs = first < 0 ? Infinity : times[first] + steady.skipMs * 1000;
  }
  const outermostChosen = (id: number): string => {
    let found = '';
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame as { url: string; functionName: string; lineNumber?: number };
      if (chosen(f.url)) found = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${(f.lineNumber ?? 0) + 1}`;
    }
    return found;
  };
  let busy = 0;
  let chosenUs = 0;
  const byFunction = new Map<string, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i];
    const dt = p.timeDeltas[i] ?? 0;
    if (times[i] < fromUs || byId.get(id)!.callFrame.functionName === '(idle)' || isLoading(id)) continue;
    busy += dt;
    if (!isChosen(id)) continue;
    chosenUs += dt;
    const f = outermostChosen(id);
    byFunction.set(f, (byFunction.get(f) ?? 0) + dt);
  }
  return {
    busyMs: busy / 1000,
    chosenMs: chosenUs / 1000,
    byFunction: [...byFunction].sort((a, b) => b[1] - a[1]).map(([f, us]) => [f, +(us / 1000).toFixed(1)] as const),
  };
}
