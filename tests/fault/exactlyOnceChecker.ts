/**
 * The external judge of "exactly once per partition" (issue 14's acceptance): given what each
 * producer sent, in its send order, with what it was told about each record (acknowledged or not,
 * and at which partition and offset where the client reports it), and what a consumer reads back
 * from every partition, it lists every way the two disagree:
 *   - a value read back more than once (acknowledged or not: an idempotent producer's retry must
 *     never be appended twice);
 *   - an acknowledged value not read back (lost);
 *   - an acknowledged value read back elsewhere than the partition and offset it was acknowledged
 *     with (a duplicate answered with another batch's offsets, or a log rewritten under it);
 *   - a producer's values out of its send order within a partition;
 *   - a value no producer sent.
 * Pure functions, so the judge itself is unit tested (exactlyOnceChecker.test.ts) with read-backs
 * that break each rule, not only against a broker that happens to get it right.
 */

/** One record as its producer saw it. */
export interface SentRecord {
  readonly value: string;
  readonly partition: number;
  /** True once the client reported it delivered (acks=all answered without error). */
  readonly acked: boolean;
  /** The offset the client was given for it, where the client reports offsets. */
  readonly offset?: number;
}

/** Everything one producer sent, in its send order (which is the order per partition it expects). */
export interface ProducerRecords {
  readonly client: string;
  readonly records: readonly SentRecord[];
}

/** One record read back. */
export interface ReadRecord {
  readonly partition: number;
  readonly offset: number;
  readonly value: string;
}

export interface Position {
  readonly partition: number;
  readonly offset: number;
}

export interface ExactlyOnceReport {
  /** Values read back more than once, with every position they were found at. */
  readonly duplicates: ReadonlyArray<{ value: string; client: string | null; at: Position[] }>;
  /** Acknowledged values not read back at all. */
  readonly missing: ReadonlyArray<{ value: string; client: string; ackedAt: Position | null }>;
  /** Acknowledged values read back, but not (only) where they were acknowledged. */
  readonly misplaced: ReadonlyArray<{ value: string; client: string; ackedAt: Position; foundAt: Position[] }>;
  /** A producer's value read back before one it sent earlier, in the same partition. */
  readonly outOfOrder: ReadonlyArray<{ client: string; partition: number; value: string; offset: number; after: string; afterOffset: number }>;
  /** Values no producer sent. */
  readonly unknown: readonly ReadRecord[];
  /** Per client: records sent, acknowledged, read back. */
  readonly counts: ReadonlyArray<{ client: string; sent: number; acked: number; readBack: number }>;
  /** One human-readable line per problem (empty when the run was exactly once). */
  readonly problems: readonly string[];
}

interface Origin {
  readonly client: string;
  /** Position in the client's send order. */
  readonly index: number;
  readonly record: SentRecord;
}

/** How many examples of each kind of problem the problem lines list (the counts are exact). */
const EXAMPLES = 20;

/** Compares what the producers sent with what was read back; see the file comment for the rules. */
export function checkExactlyOnce(
  producers: readonly ProducerRecords[],
  readBack: readonly ReadRecord[],
): ExactlyOnceReport {
  const origins = new Map<string, Origin>();
  for (const p of producers) {
    p.records.forEach((record, index) => {
      if (origins.has(record.value)) throw new Error(`value ${record.value} sent twice by the producers themselves`);
      origins.set(record.value, { client: p.client, index, record });
    });
  }

  const found = new Map<string, Position[]>();
  const unknown: ReadRecord[] = [];
  for (const r of readBack) {
    if (!origins.has(r.value)) unknown.push(r);
    const at = found.get(r.value);
    const position = { partition: r.partition, offset: r.offset };
    if (at) at.push(position);
    else found.set(r.value, [position]);
  }

  const duplicates = [...found]
    .filter(([, at]) => at.length > 1)
    .map(([value, at]) => ({ value, client: origins.get(value)?.client ?? null, at }));

  const missing: Array<{ value: string; client: string; ackedAt: Position | null }> = [];
  const misplaced: Array<{ value: string; client: string; ackedAt: Position; foundAt: Position[] }> = [];
  for (const [value, origin] of origins) {
    const { record } = origin;
    if (!record.acked) continue;
    const ackedAt = record.offset === undefined ? null : { partition: record.partition, offset: record.offset };
    const at = found.get(value);
    if (!at) {
      missing.push({ value, client: origin.client, ackedAt });
      continue;
    }
    const expected = ackedAt ?? { partition: record.partition, offset: -1 };
    const elsewhere = at.some(
      (p) => p.partition !== expected.partition || (ackedAt !== null && p.offset !== ackedAt.offset),
    );
    if (elsewhere) misplaced.push({ value, client: origin.client, ackedAt: expected, foundAt: at });
  }

  // Per partition, each client's values must come in its send order (by offset).
  const outOfOrder: Array<{ client: string; partition: number; value: string; offset: number; after: string; afterOffset: number }> = [];
  const byPartition = new Map<number, ReadRecord[]>();
  for (const r of readBack) {
    const list = byPartition.get(r.partition);
    if (list) list.push(r);
    else byPartition.set(r.partition, [r]);
  }
  for (const [partition, records] of [...byPartition].sort(([a], [b]) => a - b)) {
    const last = new Map<string, { index: number; value: string; offset: number }>();
    for (const r of [...records].sort((a, b) => a.offset - b.offset)) {
      const origin = origins.get(r.value);
      if (!origin) continue;
      const previous = last.get(origin.client);
      if (previous && origin.index <= previous.index) {
        // a duplicate's second copy is reported as a duplicate, not again as disorder
        if (origin.index < previous.index) {
          outOfOrder.push({ client: origin.client, partition, value: r.value, offset: r.offset, after: previous.value, afterOffset: previous.offset });
        }
        continue;
      }
      last.set(origin.client, { index: origin.index, value: r.value, offset: r.offset });
    }
  }

  const counts = producers.map((p) => ({
    client: p.client,
    sent: p.records.length,
    acked: p.records.filter((r) => r.acked).length,
    readBack: p.records.filter((r) => found.has(r.value)).length,
  }));

  const at = (p: Position): string => `${p.partition}@${p.offset}`;
  const problems: string[] = [];
  const list = <T>(items: readonly T[], title: string, line: (item: T) => string): void => {
    if (items.length === 0) return;
    problems.push(`${items.length} ${title}`);
    for (const item of items.slice(0, EXAMPLES)) problems.push(`  ${line(item)}`);
    if (items.length > EXAMPLES) problems.push(`  … and ${items.length - EXAMPLES} more`);
  };
  list(duplicates, 'duplicated values (partition@offset of each copy)', (d) =>
    `${d.value} (${d.client ?? 'unknown producer'}${d.client && origins.get(d.value)?.record.acked ? ', acknowledged' : ', not acknowledged'}): ${d.at.map(at).join(', ')}`,
  );
  list(missing, 'acknowledged values not read back', (m) =>
    `${m.value} (${m.client}) acknowledged ${m.ackedAt ? `at ${at(m.ackedAt)}` : 'without an offset'}`,
  );
  list(misplaced, 'acknowledged values read back elsewhere', (m) =>
    `${m.value} (${m.client}) acknowledged at ${m.ackedAt.offset < 0 ? `partition ${m.ackedAt.partition}` : at(m.ackedAt)}, found at ${m.foundAt.map(at).join(', ')}`,
  );
  list(outOfOrder, 'values out of their producer order', (o) =>
    `${o.value} at ${o.partition}@${o.offset} after ${o.after} at ${o.partition}@${o.afterOffset} (${o.client} sent it earlier)`,
  );
  list(unknown, 'values no producer sent', (u) => `${u.value} at ${at(u)}`);

  return { duplicates, missing, misplaced, outOfOrder, unknown, counts, problems };
}
