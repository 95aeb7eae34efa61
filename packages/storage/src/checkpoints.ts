import { disk } from './disk';
import { parseTopicPartitionKey, topicPartitionKey, type TopicPartition } from '@samsa/common';

/**
 * Kafka's text checkpoint files (CheckpointFile.scala): line 1 the format version, line 2 the
 * number of entries, then one entry per line. Writes are atomic — a temp file, fsync, rename over
 * the old one, fsync of the directory — so a crash leaves the old file or the new one, never half.
 *
 * Files: per log dir `recovery-point-offset-checkpoint`, `replication-offset-checkpoint`,
 * `log-start-offset-checkpoint`, `cleaner-offset-checkpoint` (OffsetCheckpointFile:
 * `<topic> <partition> <offset>`); per partition `leader-epoch-checkpoint`
 * (LeaderEpochCheckpointFile: `<epoch> <start offset>`).
 */
export interface CheckpointFormatter<T> {
  toLine(entry: T): string;
  /** The entry, or null when the line is malformed. */
  fromLine(line: string): T | null;
}

/** Content that is not a checkpoint of the expected version (not an I/O error). */
export class CorruptCheckpointError extends Error {
  constructor(path: string, detail: string) {
    super(`Malformed checkpoint file ${path}: ${detail}`);
    this.name = 'CorruptCheckpointError';
  }
}

export class CheckpointFile<T> {
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    readonly version: number,
    private readonly formatter: CheckpointFormatter<T>,
  ) {}

  /** Creates an empty file when missing, as Kafka does when it opens a checkpoint. */
  createIfMissing(): void {
    if (!disk.exists(this.path)) disk.touch(this.path);
  }

  encode(entries: readonly T[]): Buffer {
    const lines = [
      String(this.version),
      String(entries.length),
      ...entries.map((e) => this.formatter.toLine(e)),
    ];
    return Buffer.from(lines.join('\n') + '\n', 'utf8');
  }

  /** Atomic write, blocking (small files; leader epoch changes). */
  write(entries: readonly T[]): void {
    disk.writeFileAtomic(this.path, this.encode(entries));
  }

  /** Atomic write on libuv's pool; writes to one file are serialized. */
  writeAsync(entries: readonly T[]): Promise<void> {
    const data = this.encode(entries);
    const next = this.writing.catch(() => undefined).then(() => disk.writeFileAtomicAsync(this.path, data));
    this.writing = next;
    return next;
  }

  /** The entries; [] when the file is missing or empty. Throws CorruptCheckpointError. */
  read(): T[] {
    const st = disk.stat(this.path);
    if (st === null) return [];
    return this.parse(disk.readFile(this.path).toString('utf8'));
  }

  parse(text: string): T[] {
    const lines = text.split('\n');
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    if (lines.length === 0) return [];
    const version = lines[0].trim();
    if (version !== String(this.version))
      throw new CorruptCheckpointError(this.path, `unrecognized version '${version}'`);
    if (lines.length === 1) return [];
    const expected = Number(lines[1].trim());
    if (!/^\d+$/.test(lines[1].trim()))
      throw new CorruptCheckpointError(this.path, `bad entry count '${lines[1]}'`);
    const out: T[] = [];
    for (const line of lines.slice(2)) {
      const e = this.formatter.fromLine(line);
      if (e === null) throw new CorruptCheckpointError(this.path, `malformed line '${line}'`);
      out.push(e);
    }
    if (out.length !== expected) {
      throw new CorruptCheckpointError(this.path, `expected ${expected} entries but found ${out.length}`);
    }
    return out;
  }
}

export interface TopicPartitionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

const isLong = (s: string) => /^-?\d+$/.test(s);

const offsetFormatter: CheckpointFormatter<TopicPartitionOffset> = {
  toLine: (e) => `${e.topic} ${e.partition} ${e.offset}`,
  fromLine: (line) => {
    const parts = line.trim().split(/\s+/);
    if (parts.length !== 3 || !isLong(parts[1]) || !isLong(parts[2])) return null;
    return { topic: parts[0], partition: Number(parts[1]), offset: Number(parts[2]) };
  },
};

/** `<topic> <partition> <offset>` checkpoints, read into a map keyed by `<topic>-<partition>`. */
export class OffsetCheckpointFile {
  static readonly VERSION = 0;
  readonly file: CheckpointFile<TopicPartitionOffset>;

  constructor(readonly path: string) {
    this.file = new CheckpointFile(path, OffsetCheckpointFile.VERSION, offsetFormatter);
  }

  static toEntries(offsets: ReadonlyMap<string, number>): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    for (const [key, offset] of offsets) {
      const tp = parseTopicPartitionKey(key);
      if (tp) out.push({ topic: tp.topic, partition: tp.partition, offset });
    }
    return out;
  }

  write(offsets: ReadonlyMap<string, number>): void {
    this.file.write(OffsetCheckpointFile.toEntries(offsets));
  }

  writeAsync(offsets: ReadonlyMap<string, number>): Promise<void> {
    return this.file.writeAsync(OffsetCheckpointFile.toEntries(offsets));
  }

  read(): Map<string, number> {
    return new Map(this.file.read().map((e) => [topicPartitionKey(e as TopicPartition), e.offset]));
  }

  createIfMissing(): void {
    this.file.createIfMissing();
  }
}

export interface EpochEntry {
  readonly epoch: number;
  readonly startOffset: number;
}

const epochFormatter: CheckpointFormatter<EpochEntry> = {
  toLine: (e) => `${e.epoch} ${e.startOffset}`,
  fromLine: (line) => {
    const parts = line.trim().split(/\s+/);
    if (parts.length !== 2 || !isLong(parts[0]) || !isLong(parts[1])) return null;
    return { epoch: Number(parts[0]), startOffset: Number(parts[1]) };
  },
};

/** A partition's `leader-epoch-checkpoint`. */
export class LeaderEpochCheckpointFile {
  static readonly VERSION = 0;
  static readonly FILE_NAME = 'leader-epoch-checkpoint';
  readonly file: CheckpointFile<EpochEntry>;

  constructor(readonly path: string) {
    this.file = new CheckpointFile(path, LeaderEpochCheckpointFile.VERSION, epochFormatter);
  }

  write(entries: readonly EpochEntry[]): void {
    this.file.write(entries);
  }

  writeAsync(entries: readonly EpochEntry[]): Promise<void> {
    return this.file.writeAsync(entries);
  }

  read(): EpochEntry[] {
    return this.file.read();
  }
}
