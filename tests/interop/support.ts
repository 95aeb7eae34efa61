import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { trackProcess, withTimeout } from '../harness';

/**
 * Helpers for the interop suites: real clients as child processes (kcat, kafka-python through
 * /usr/bin/python3, our kafka-topics CLI), record files, and reading what the brokers stored on
 * disk (record batch v2 headers) without going through our own protocol code.
 */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const KCAT = '/usr/bin/kcat';
/** The Debian Python: the only interpreter that sees python3-kafka and python3-confluent-kafka. */
export const PYTHON = '/usr/bin/python3';
export const KAFKA_PYTHON_DRIVER = path.join(__dirname, 'python', 'kafka_python_client.py');

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to its end (killed at the deadline), tracked by the harness against leaks. */
export async function run(
  file: string,
  args: readonly string[],
  options: { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  const child = spawn(file, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  trackProcess(child, `${path.basename(file)} ${args.join(' ')}`.slice(0, 200));
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  child.stderr!.on('data', (d: Buffer) => err.push(d));
  if (options.input !== undefined) child.stdin!.end(options.input);
  const closed = new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  const timeoutMs = options.timeoutMs ?? 60_000;
  try {
    const code = await withTimeout(
      closed,
      timeoutMs,
      `${path.basename(file)} ${args.join(' ')}`.slice(0, 300),
    );
    return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
  } catch (e) {
    child.kill('SIGKILL');
    await closed;
    throw new Error(
      `${(e as Error).message}\n--- stderr\n${Buffer.concat(err).toString('utf8').slice(-4000)}`,
    );
  }
}

/** Like run(), but a non-zero exit is an error carrying stderr. */
export async function runOk(
  file: string,
  args: readonly string[],
  options: { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  const r = await run(file, args, options);
  if (r.code !== 0) {
    throw new Error(
      `${path.basename(file)} ${args.join(' ')} exited ${r.code}\n--- stderr\n${r.stderr.slice(-4000)}\n--- stdout\n${r.stdout.slice(-2000)}`,
    );
  }
  return r;
}

// ---------------------------------------------------------------------------------------- kcat

export interface KcatPartition {
  partition: number;
  leader: number;
  replicas: { id: number }[];
  isrs: { id: number }[];
  error?: string;
}

export interface KcatMetadata {
  originating_broker: { id: number; name: string };
  controllerid: number;
  brokers: { id: number; name: string }[];
  topics: { topic: string; error?: string; partitions: KcatPartition[] }[];
}

/** `kcat -L -J` for one topic, asked of `bootstrap` (one broker to know who answered). */
export async function kcatMetadata(bootstrap: string, topic: string): Promise<KcatMetadata> {
  const r = await runOk(KCAT, ['-b', bootstrap, '-L', '-J', '-t', topic, '-m', '10'], { timeoutMs: 20_000 });
  return JSON.parse(r.stdout) as KcatMetadata;
}

/** A partition as kcat -L shows it, reduced to numbers. */
export interface PartitionView {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

export function partitionViews(md: KcatMetadata, topic: string): PartitionView[] {
  const t = md.topics.find((x) => x.topic === topic);
  if (!t || t.error) return [];
  return t.partitions
    .map((p) => ({
      partition: p.partition,
      leader: p.leader,
      replicas: p.replicas.map((r) => r.id),
      isr: p.isrs.map((r) => r.id),
    }))
    .sort((a, b) => a.partition - b.partition);
}

/**
 * The protocol features librdkafka switches off after its ApiVersions exchange with `bootstrap`
 * (`-d feature`: "Disabling feature LZ4"). Its gates are in reference/protocol-matrix.md §5.3; a
 * disabled codec feature makes librdkafka send that codec's batches uncompressed, silently.
 */
export async function kcatDisabledFeatures(bootstrap: string): Promise<string[]> {
  const r = await runOk(KCAT, ['-b', bootstrap, '-L', '-d', 'feature', '-m', '10'], { timeoutMs: 20_000 });
  return [...new Set([...r.stderr.matchAll(/Disabling feature (\w+)/g)].map((m) => m[1]))].sort();
}

export interface KcatRecord {
  partition: number;
  offset: number;
  timestamp: number;
  key: string;
  value: string;
}

/**
 * Every record of `topic` from the beginning to the end of each partition (`-e`), in the order
 * kcat printed them. Keys and values must hold no tab or newline (the format separates on them).
 */
export async function kcatConsumeAll(
  bootstrap: string,
  topic: string,
  options: {
    offset?: string;
    partition?: number;
    /** Print '-' for values (binary values would break the line format). */
    withoutValues?: boolean;
    /** librdkafka properties (-X). */
    config?: Record<string, string>;
    timeoutMs?: number;
  } = {},
): Promise<KcatRecord[]> {
  const format = options.withoutValues ? '%p\t%o\t%T\t%k\t-\n' : '%p\t%o\t%T\t%k\t%s\n';
  const partition = options.partition === undefined ? [] : ['-p', String(options.partition)];
  const config = Object.entries(options.config ?? {}).flatMap(([k, v]) => ['-X', `${k}=${v}`]);
  const r = await runOk(
    KCAT,
    [
      '-b',
      bootstrap,
      '-C',
      '-t',
      topic,
      ...partition,
      ...config,
      '-o',
      options.offset ?? 'beginning',
      '-e',
      '-q',
      '-f',
      format,
    ],
    { timeoutMs: options.timeoutMs ?? 120_000 },
  );
  return parseKcatLines(r.stdout);
}

export function parseKcatLines(stdout: string): KcatRecord[] {
  const lines = stdout.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => {
    const [p, o, ts, key, ...rest] = line.split('\t');
    return { partition: Number(p), offset: Number(o), timestamp: Number(ts), key, value: rest.join('\t') };
  });
}

// ------------------------------------------------------------------------------- kafka-python

export interface PyRecord {
  p: number;
  o: number;
  /** base64 */
  k: string | null;
  /** base64 */
  v: string | null;
  ts: number;
}

/** Runs one mode of tests/interop/python/kafka_python_client.py and parses its JSON. */
export async function kafkaPython<T>(
  mode: 'produce' | 'consume' | 'offsets',
  args: readonly string[],
  options: { apiVersion?: string } = {},
): Promise<T> {
  const env = options.apiVersion ? { KAFKA_PYTHON_API_VERSION: options.apiVersion } : {};
  const r = await runOk(PYTHON, [KAFKA_PYTHON_DRIVER, mode, ...args], { timeoutMs: 120_000, env });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(
      `kafka-python ${mode} printed no JSON:\n${r.stdout.slice(-2000)}\n--- stderr\n${r.stderr.slice(-2000)}`,
    );
  }
}

// -------------------------------------------------------------------------------- record files

/**
 * `count` keyed text records as `key\tvalue` lines for `kcat -P -K '\t' -l`: key `k-<i>`, values
 * of varying length with UTF-8 and punctuation, compressible enough that every codec shrinks them.
 */
export function recordLines(count: number, tag: string): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const h = Math.imul(i + 1, 2654435761) >>> 0;
    lines.push(`k-${i}\t${tag}:${i}:${h.toString(16)}:${'ab€ç'.repeat(i % 23)}:${'#'.repeat(h % 40)}|end`);
  }
  return lines;
}

export function writeLines(file: string, lines: readonly string[]): void {
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

/** Index i of a record keyed `<prefix><i>` (recordLines: `k-<i>`). */
export function keyIndex(key: string, prefix = 'k-'): number {
  const m = /^(\D*)(\d+)$/.exec(key);
  if (!m || m[1] !== prefix) throw new Error(`unexpected key ${JSON.stringify(key)}`);
  return Number(m[2]);
}

/**
 * Differences between two multisets of strings, as counts and a few samples: a small value for
 * toEqual that still says what went wrong when 100k records are compared.
 */
export function multisetDiff(
  actual: readonly string[],
  expected: readonly string[],
): {
  missing: number;
  unexpected: number;
  missingSamples: string[];
  unexpectedSamples: string[];
} {
  const counts = new Map<string, number>();
  for (const e of expected) counts.set(e, (counts.get(e) ?? 0) + 1);
  const unexpected: string[] = [];
  for (const a of actual) {
    const n = counts.get(a) ?? 0;
    if (n === 0) unexpected.push(a);
    else counts.set(a, n - 1);
  }
  const missing: string[] = [];
  for (const [e, n] of counts) for (let i = 0; i < n; i++) missing.push(e);
  return {
    missing: missing.length,
    unexpected: unexpected.length,
    missingSamples: missing.slice(0, 5),
    unexpectedSamples: unexpected.slice(0, 5),
  };
}

/** Per partition, offsets must run 0,1,2,… in the order received. Returns the first break. */
export function offsetGaps(records: readonly { partition: number; offset: number }[]): string[] {
  const next = new Map<number, number>();
  const problems: string[] = [];
  for (const r of records) {
    const want = next.get(r.partition) ?? 0;
    if (r.offset !== want && problems.length < 5)
      problems.push(`partition ${r.partition}: offset ${r.offset} where ${want} was expected`);
    next.set(r.partition, r.offset + 1);
  }
  return problems;
}

/** Per partition, the record indexes must grow: the producer's order within a partition is kept. */
export function orderBreaks(records: readonly { partition: number; index: number }[]): string[] {
  const last = new Map<number, number>();
  const problems: string[] = [];
  for (const r of records) {
    const prev = last.get(r.partition) ?? -1;
    if (r.index <= prev && problems.length < 5)
      problems.push(`partition ${r.partition}: record ${r.index} after ${prev}`);
    last.set(r.partition, r.index);
  }
  return problems;
}

export function countBy<T>(items: readonly T[], key: (t: T) => number): Map<number, number> {
  const m = new Map<number, number>();
  for (const it of items) m.set(key(it), (m.get(key(it)) ?? 0) + 1);
  return m;
}

// ------------------------------------------------------------------------------- on-disk logs

export const CODEC_IDS = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type Codec = keyof typeof CODEC_IDS;
export const CODEC_NAMES = Object.fromEntries(Object.entries(CODEC_IDS).map(([k, v]) => [v, k])) as Record<
  number,
  Codec
>;

export interface StoredBatch {
  baseOffset: number;
  lastOffset: number;
  magic: number;
  codec: Codec | `unknown(${number})`;
  records: number;
  partitionLeaderEpoch: number;
  /** Bytes of the whole batch, header included. */
  sizeInBytes: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
}

/** Every .log segment of one partition directory, in offset order, concatenated. */
export function partitionLogBytes(logDir: string, topic: string, partition: number): Buffer {
  const dir = path.join(logDir, `${topic}-${partition}`);
  if (!fs.existsSync(dir)) return Buffer.alloc(0);
  const segments = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort();
  return Buffer.concat(segments.map((f) => fs.readFileSync(path.join(dir, f))));
}

/**
 * Record batch v2 headers (reference/protocol-matrix.md §9.1), read straight from the bytes:
 * baseOffset int64 @0, batchLength int32 @8, partitionLeaderEpoch int32 @12, magic int8 @16,
 * attributes int16 @21 (codec = low 3 bits), lastOffsetDelta int32 @23, producerId int64 @43,
 * producerEpoch int16 @51, baseSequence int32 @53, recordCount int32 @57.
 */
export function storedBatches(bytes: Buffer): StoredBatch[] {
  const out: StoredBatch[] = [];
  let pos = 0;
  while (pos + 61 <= bytes.length) {
    const size = 12 + bytes.readInt32BE(pos + 8);
    if (pos + size > bytes.length) break;
    const baseOffset = Number(bytes.readBigInt64BE(pos));
    const codecId = bytes.readInt16BE(pos + 21) & 7;
    out.push({
      baseOffset,
      lastOffset: baseOffset + bytes.readInt32BE(pos + 23),
      magic: bytes.readInt8(pos + 16),
      codec: CODEC_NAMES[codecId] ?? `unknown(${codecId})`,
      records: bytes.readInt32BE(pos + 57),
      partitionLeaderEpoch: bytes.readInt32BE(pos + 12),
      sizeInBytes: size,
      producerId: Number(bytes.readBigInt64BE(pos + 43)),
      producerEpoch: bytes.readInt16BE(pos + 51),
      baseSequence: bytes.readInt32BE(pos + 53),
    });
    pos += size;
  }
  return out;
}
