/** Kafka version-range notation: "0+", "3+", "0-2", "5", "none". */
export interface VersionRange {
  readonly lowest: number;
  readonly highest: number; // Infinity for open ranges; -1 with lowest 0 for "none"
}

const NONE: VersionRange = { lowest: 0, highest: -1 };

export function parseVersions(spec: string | undefined): VersionRange {
  if (spec === undefined || spec === 'none' || spec === '') return NONE;
  const plus = /^(\d+)\+$/.exec(spec);
  if (plus) return { lowest: Number(plus[1]), highest: Infinity };
  const range = /^(\d+)-(\d+)$/.exec(spec);
  if (range) return { lowest: Number(range[1]), highest: Number(range[2]) };
  const single = /^(\d+)$/.exec(spec);
  if (single) return { lowest: Number(single[1]), highest: Number(single[1]) };
  throw new Error(`invalid version range '${spec}'`);
}

export function inRange(range: VersionRange, version: number): boolean {
  return version >= range.lowest && version <= range.highest;
}

export function contains(spec: string | undefined, version: number): boolean {
  return inRange(parseVersions(spec), version);
}
