import { ZkDataError } from './ZkErrors';

/**
 * JSON the way Kafka writes it into znodes, and careful reading of what it wrote.
 *
 * Kafka builds znode JSON from Scala/Java maps with Jackson, so key order is the map's iteration
 * order. Objects here are therefore written from Maps (or entry lists), in exactly the order given;
 * each ZkData codec states where its order comes from.
 */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;
export type JsonObject = ReadonlyMap<string, JsonValue>;

export function obj(entries: ReadonlyArray<readonly [string, JsonValue]>): JsonObject {
  return new Map(entries);
}

export function writeJson(value: JsonValue): string {
  if (value instanceof Map) {
    const parts: string[] = [];
    for (const [k, v] of value) parts.push(`${JSON.stringify(k)}:${writeJson(v)}`);
    return `{${parts.join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map((v) => writeJson(v)).join(',')}]`;
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`cannot write ${value} as JSON`);
  return JSON.stringify(value);
}

export function jsonBytes(value: JsonValue): Buffer {
  return Buffer.from(writeJson(value), 'utf8');
}

/**
 * Kafka keeps configs in java.util.Properties, which since Java 9 is backed by a ConcurrentHashMap;
 * Jackson writes the entries in that table's order. This replays the table: 16 bins of
 * (h ^ h>>>16) & (n-1) where h is Java's String.hashCode, keys appended to their bin in insertion
 * order, the table doubled when the count reaches 3/4 of it, splitting each bin the way
 * ConcurrentHashMap.transfer does. Checked against java.util.Properties on Java 17 (300 random
 * sets of 1–25 topic config names, all equal); the /config/topics captures of Kafka 2.1 come out
 * byte for byte.
 */
export function javaPropertiesOrder(keys: Iterable<string>): string[] {
  let bins = 16;
  let table: Array<Array<{ key: string; hash: number }>> = Array.from({ length: bins }, () => []);
  let count = 0;
  for (const key of new Set(keys)) {
    const h = javaStringHash(key);
    const hash = (h ^ (h >>> 16)) & 0x7fffffff;
    table[hash & (bins - 1)].push({ key, hash });
    count += 1;
    if (count >= bins - (bins >>> 2)) {
      table = splitBins(table, bins);
      bins *= 2;
    }
  }
  return table.flat().map((e) => e.key);
}

/** ConcurrentHashMap.transfer for list bins: the tail run keeps its order, the nodes before it are prepended. */
function splitBins<T extends { hash: number }>(table: T[][], bins: number): T[][] {
  const next: T[][] = Array.from({ length: bins * 2 }, () => []);
  table.forEach((bin, i) => {
    if (bin.length === 0) return;
    let runBit = bin[0].hash & bins;
    let lastRun = 0;
    for (let j = 1; j < bin.length; j++) {
      const b = bin[j].hash & bins;
      if (b !== runBit) {
        runBit = b;
        lastRun = j;
      }
    }
    const low = runBit === 0 ? bin.slice(lastRun) : [];
    const high = runBit === 0 ? [] : bin.slice(lastRun);
    for (let j = 0; j < lastRun; j++) ((bin[j].hash & bins) === 0 ? low : high).unshift(bin[j]);
    next[i] = low;
    next[i + bins] = high;
  });
  return next;
}

export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Parses znode bytes as JSON; a ZkDataError names the znode and quotes the bytes. */
export function parseJson(bytes: Buffer | null, what: string): unknown {
  const text = bytes === null ? '' : bytes.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ZkDataError(`${what}: not JSON (${(error as Error).message}): ${quote(text)}`);
  }
}

/** Typed access to one parsed JSON object, with errors that say which znode and field. */
export class JsonReader {
  private readonly fields: Record<string, unknown>;

  constructor(
    value: unknown,
    private readonly what: string,
  ) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new ZkDataError(
        `${what}: expected a JSON object, got ${quote(JSON.stringify(value) ?? String(value))}`,
      );
    }
    this.fields = value as Record<string, unknown>;
  }

  static of(bytes: Buffer | null, what: string): JsonReader {
    return new JsonReader(parseJson(bytes, what), what);
  }

  has(key: string): boolean {
    return this.fields[key] !== undefined && this.fields[key] !== null;
  }

  raw(key: string): unknown {
    return this.fields[key];
  }

  int(key: string): number {
    return this.asInt(this.required(key), key);
  }

  optInt(key: string): number | undefined {
    return this.has(key) ? this.int(key) : undefined;
  }

  string(key: string): string {
    const v = this.required(key);
    if (typeof v !== 'string') throw this.bad(key, 'a string', v);
    return v;
  }

  optString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined;
  }

  /** A number Kafka writes as a JSON string ("timestamp", "block_start"); plain numbers pass too. */
  numericString(key: string): number {
    const v = this.required(key);
    const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw this.bad(key, 'an integer string', v);
    return n;
  }

  intArray(key: string): number[] {
    const v = this.required(key);
    if (!Array.isArray(v)) throw this.bad(key, 'an array of integers', v);
    return v.map((x) => this.asInt(x, key));
  }

  stringArray(key: string): string[] {
    const v = this.required(key);
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
      throw this.bad(key, 'an array of strings', v);
    return v as string[];
  }

  objectArray(key: string): JsonReader[] {
    const v = this.required(key);
    if (!Array.isArray(v)) throw this.bad(key, 'an array of objects', v);
    return v.map((x) => new JsonReader(x, `${this.what} ${key}[]`));
  }

  object(key: string): JsonReader {
    return new JsonReader(this.required(key), `${this.what} ${key}`);
  }

  optObject(key: string): JsonReader | undefined {
    return this.has(key) ? this.object(key) : undefined;
  }

  keys(): string[] {
    return Object.keys(this.fields);
  }

  private required(key: string): unknown {
    const v = this.fields[key];
    if (v === undefined) throw new ZkDataError(`${this.what}: missing "${key}"`);
    return v;
  }

  private asInt(v: unknown, key: string): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw this.bad(key, 'an integer', v);
    return v;
  }

  private bad(key: string, expected: string, v: unknown): ZkDataError {
    return new ZkDataError(
      `${this.what}: "${key}" should be ${expected}, is ${quote(JSON.stringify(v) ?? String(v))}`,
    );
  }
}

function quote(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
