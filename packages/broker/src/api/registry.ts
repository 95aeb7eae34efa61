import { apiSpec, versionRange } from '@samsa/protocol';
import type { ApiHandlerEntry } from './types';

/** One row of what the broker serves: Kafka's ApiVersionsResponse entry. */
export interface ServedApi {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/**
 * The handlers a broker serves, one per API key (Redpanda's one list of handlers). ApiVersions is
 * derived from it, so what is advertised is exactly what is dispatched. Every range starts at 0
 * (protocol-matrix.md §5.2), and every broker builds the same registry, so every broker advertises
 * the same list (kafkajs asks only the seed broker).
 */
export class ApiRegistry {
  private readonly entries = new Map<number, ApiHandlerEntry>();

  /** Adds a handler. Registering a key twice, or beyond its schema's versions, is a programmer error. */
  register(entry: ApiHandlerEntry): this {
    const spec = apiSpec(entry.apiKey);
    if (!spec) throw new Error(`programmer error: no schema for api key ${entry.apiKey}`);
    const schema = versionRange(spec);
    if (!Number.isInteger(entry.maxVersion) || entry.maxVersion < 0 || entry.maxVersion > schema.max) {
      throw new Error(
        `programmer error: ${spec.name} maxVersion ${entry.maxVersion} is outside its schema's 0-${schema.max}`,
      );
    }
    if (this.entries.has(entry.apiKey)) throw new Error(`programmer error: ${spec.name} registered twice`);
    this.entries.set(entry.apiKey, entry);
    return this;
  }

  get(apiKey: number): ApiHandlerEntry | undefined {
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
