/**
 * The problems kafka-dump-log finds while dumping, reported on stderr after every file is dumped,
 * in Kafka 2.1's words and order (DumpLogSegments: index mismatches, time index errors, then
 * non-consecutive offsets). Index mismatches and non-consecutive offsets are prepended as Kafka
 * does (a Scala List built with ::=), so they print newest first.
 */
type Pairs = Array<readonly [number, number]>;

function add(map: Map<string, Pairs>, file: string, pair: readonly [number, number], prepend: boolean): void {
  const list = map.get(file) ?? [];
  if (prepend) list.unshift(pair);
  else list.push(pair);
  map.set(file, list);
}

export class DumpErrors {
  private readonly indexMismatches = new Map<string, Pairs>();
  private readonly timeIndexMismatches = new Map<string, Pairs>();
  private readonly outOfOrderTimestamps = new Map<string, Pairs>();
  private readonly shallowOffsetNotFound = new Map<string, Pairs>();
  private readonly nonConsecutive = new Map<string, Pairs>();

  recordIndexMismatch(file: string, indexOffset: number, logOffset: number): void {
    add(this.indexMismatches, file, [indexOffset, logOffset], true);
  }

  recordMismatchTimeIndex(file: string, indexTimestamp: number, logTimestamp: number): void {
    add(this.timeIndexMismatches, file, [indexTimestamp, logTimestamp], false);
  }

  recordOutOfOrderIndexTimestamp(file: string, indexTimestamp: number, prevIndexTimestamp: number): void {
    add(this.outOfOrderTimestamps, file, [indexTimestamp, prevIndexTimestamp], false);
  }

  recordShallowOffsetNotFound(file: string, indexOffset: number, logOffset: number): void {
    add(this.shallowOffsetNotFound, file, [indexOffset, logOffset], false);
  }

  recordNonConsecutive(file: string, lastOffset: number, offset: number): void {
    add(this.nonConsecutive, file, [lastOffset, offset], true);
  }

  get isEmpty(): boolean {
    return [
      this.indexMismatches,
      this.timeIndexMismatches,
      this.outOfOrderTimestamps,
      this.shallowOffsetNotFound,
      this.nonConsecutive,
    ].every((m) => m.size === 0);
  }

  print(err: (line: string) => void): void {
    for (const [file, pairs] of this.indexMismatches) {
      err(`Mismatches in :${file}`);
      for (const [i, l] of pairs) err(`  Index offset: ${i}, log offset: ${l}`);
    }
    for (const [file, pairs] of this.timeIndexMismatches) {
      err(`Found timestamp mismatch in :${file}`);
      for (const [i, l] of pairs) err(`  Index timestamp: ${i}, log timestamp: ${l}`);
    }
    for (const [file, pairs] of this.outOfOrderTimestamps) {
      err(`Found out of order timestamp in :${file}`);
      for (const [i, p] of pairs) err(`  Index timestamp: ${i}, Previously indexed timestamp: ${p}`);
    }
    for (const pairs of this.shallowOffsetNotFound.values()) {
      err('The following indexed offsets are not found in the log.');
      for (const [i, l] of pairs) err(`Indexed offset: ${i}, found log offset: ${l}`);
    }
    for (const [file, pairs] of this.nonConsecutive) {
      err(`Non-consecutive offsets in :${file}`);
      for (const [a, b] of pairs) err(`  ${a} is followed by ${b}`);
    }
  }
}
