import { apiSpec, versionRange, type Struct } from '@samsa/protocol';
import type { AnyApiHandlerEntry, RequestContext } from './types';

/** One row of what the broker serves: Kafka's ApiVersionsResponse entry. */
export interface ServedApi {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/**
 * A registered handler as the dispatcher sees it: the api key is a runtime number there, so the
 * body is the codec's generic `Struct` (the generic codec boundary; handlers themselves are typed).
 */
export interface DispatchableEntry {
  readonly apiKey: number;
  readonly maxVersion: number;
  readonly handle: (ctx: RequestContext, body: Struct) => Struct | null | Promise<Struct | null>;
}

/**
 * The entry itself, seen with its api key erased (what the dispatcher and tests holding generic
 * bodies call). This and `typedEntry` below are the two casts between typed handlers and the
 * generic codec, and they live only here: the dispatcher calls `handle` only with a body
 * `decodeRequest` decoded for this entry's api key (it looks the entry up by the frame's key),
 * which is exactly the `RequestOf<K>` the handler declares; and every `ResponseInputOf<K>` is a
 * `Struct`.
 */
export function dispatchable(entry: AnyApiHandlerEntry): DispatchableEntry {
  return entry as DispatchableEntry;
}

/**
 * The inverse of `dispatchable`, for a wrapper that hands a typed entry's body and result through
 * untouched (quota/QuotaEnforcement's request quota): sound for the same reason, since the wrapper
 * keeps the api key and calls the entry it wraps.
 */
export function typedEntry(entry: DispatchableEntry): AnyApiHandlerEntry {
  return entry as unknown as AnyApiHandlerEntry;
}

/**
 * The handlers a broker serves, one per API key (Redpanda's one list of handlers). ApiVersions is
 * derived from it, so what is advertised is exactly what is dispatched. Every range starts at 0
 * (protocol-matrix.md §5.2), and every broker builds the same registry, so every broker advertises
 * the same list (kafkajs asks only the seed broker).
 */
export class ApiRegistry {
  private readonly entries = new Map<number, DispatchableEntry>();

  /** Adds a handler. Registering a key twice, or beyond its schema's versions, is a programmer error. */
  register(entry: AnyApiHandlerEntry): this {
    const spec = apiSpec(entry.apiKey);
    if (!spec) throw new Error(`programmer error: no schema for api key ${entry.apiKey}`);
    const schema = versionRange(spec);
    if (!Number.isInteger(entry.maxVersion) || entry.maxVersion < 0 || entry.maxVersion > schema.max) {
      throw new Error(
        `programmer error: ${spec.name} maxVersion ${entry.maxVersion} is outside its schema's 0-${schema.max}`,
      );
    }
    if (this.entries.has(entry.apiKey)) throw new Error(`programmer error: ${spec.name} registered twice`);
    this.entries.set(entry.apiKey, dispatchable(entry));
    return this;
  }

  get(apiKey: number): DispatchableEntry | undefined {
    return this.entries.get(apiKey);
  }

  /** True when `apiKey` has a handler and `apiVersion` lies in 0..maxVersion. */
  serves(apiKey: number, apiVersion: number): boolean {
    const e = this.entries.get(apiKey);
    return e !== undefined && apiVersion >= 0 && apiVersion <= e.maxVersion;
  }

  /** Every served API with its range, in api-key order. */
  served(): ServedApi[] {
    return [...this.entries.values()]
      .map((e) => ({ apiKey: e.apiKey, minVersion: 0, maxVersion: e.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
  }
}
