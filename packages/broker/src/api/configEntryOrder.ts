/**
 * The order in which Kafka 2.8 lists the entries of a DescribeConfigs result.
 *
 * Kafka never sorts them: ConfigHelper.describeConfigs collects a resource's configs into a Scala
 * 2.13 `mutable.HashMap` (a topic: LogConfig's originals ++ nonInternalValues; a broker: KafkaConfig's;
 * the cluster default: the dynamic default map), keeps those named by `configuration_keys` with
 * `filter` (a new HashMap holding only them), and emits them in that map's iteration order. Admin
 * clients and operators' scripts compare against this order (`kafka-configs --describe --all` prints
 * `compression.type` first for every topic), so the broker reproduces it.
 *
 * Scala 2.13.5's mutable.HashMap (the version Kafka 2.6–2.8 ship with): a key's hash is Java's
 * String.hashCode with the high half xor-ed into the low half; the table starts at 16 buckets and
 * doubles when the next insert would reach three quarters of it; iteration walks the buckets in
 * index order (hash & (length - 1)), each bucket kept in ascending (signed) hash order, ties in
 * insertion order. The table length therefore depends only on how many keys the map holds, so the
 * order is a pure function of the set of names.
 */

/** Java's String.hashCode: UTF-16 code units, s[0]·31^(n-1) + … + s[n-1], in 32-bit arithmetic. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Scala 2.13 HashMap.improveHash (the same spreading as java.util.HashMap). */
function improveHash(h: number): number {
  return (h ^ (h >>> 16)) | 0;
}

const INITIAL_TABLE_LENGTH = 16;
const LOAD_FACTOR = 0.75;

/**
 * The bucket count of a Scala 2.13 mutable.HashMap after `size` distinct inserts: it grows (doubles)
 * before an insert when size + 1 reaches length × 0.75, so it ends as the smallest power of two
 * ≥ 16 with size < length × 0.75.
 */
export function scalaHashMapTableLength(size: number): number {
  let length = INITIAL_TABLE_LENGTH;
  while (size >= Math.trunc(length * LOAD_FACTOR)) length *= 2;
  return length;
}

/**
 * `names` (distinct, in insertion order) in the iteration order of a Scala 2.13 mutable.HashMap
 * holding them: Kafka 2.8's DescribeConfigs entry order for a result of exactly these names.
 */
export function kafkaConfigEntryOrder(names: readonly string[]): string[] {
  const mask = scalaHashMapTableLength(names.length) - 1;
  const keyed = names.map((name, insertion) => {
    const hash = improveHash(javaStringHashCode(name));
    return { name, bucket: hash & mask, hash, insertion };
  });
  keyed.sort((a, b) => a.bucket - b.bucket || a.hash - b.hash || a.insertion - b.insertion);
  return keyed.map((k) => k.name);
}

/** Entries reordered as Kafka 2.8 lists them (kafkaConfigEntryOrder of their names). */
export function inKafkaConfigEntryOrder<T extends { readonly name: string }>(entries: readonly T[]): T[] {
  const byName = new Map(entries.map((e) => [e.name, e]));
  return kafkaConfigEntryOrder([...byName.keys()]).map((n) => byName.get(n)!);
}
