/**
 * The dynamic layers of the broker's configuration (Kafka's DynamicBrokerConfig): what
 * /config/brokers/<this id> and /config/brokers/<default> hold, over the static settings, and the
 * parts of the broker that change with them.
 *
 * A part that follows dynamic settings (connection quotas, replication throttles, TLS, log
 * defaults, …) registers as a BrokerReconfigurable naming the configs it reacts to. On every
 * change of either znode (DynamicConfigManager reads both and calls update()), each
 * reconfigurable whose configs' effective values changed is handed all of its configs' effective
 * values: per-broker, else cluster default, else static, else absent (the part's own default).
 */
export interface BrokerReconfigurable {
  /** For log lines. */
  readonly name: string;
  /** The broker config names (server.properties names) it reacts to. */
  readonly reconfigurableConfigs: ReadonlySet<string>;
  /**
   * Applies the effective values of its configs (a config set nowhere is absent from the map).
   * Throwing leaves the part as it was; the error is logged with the values refused.
   */
  reconfigure(effective: ReadonlyMap<string, string>): void;
}

export interface DynamicBrokerConfigOptions {
  /** A config's static value (server.properties, KAFKA_* variables, --override) as a string, if set. */
  readonly staticValue: (name: string) => string | undefined;
  readonly onError: (reconfigurable: BrokerReconfigurable, effective: ReadonlyMap<string, string>, e: unknown) => void;
}

export class DynamicBrokerConfig {
  private perBroker: ReadonlyMap<string, string> = new Map();
  private clusterDefault: ReadonlyMap<string, string> = new Map();
  private readonly reconfigurables: { r: BrokerReconfigurable; last: string | null }[] = [];

  constructor(private readonly o: DynamicBrokerConfigOptions) {}

  /** /config/brokers/<this id> as last read. */
  get perBrokerConfigs(): ReadonlyMap<string, string> {
    return this.perBroker;
  }

  /** /config/brokers/<default> as last read. */
  get clusterDefaultConfigs(): ReadonlyMap<string, string> {
    return this.clusterDefault;
  }

  /** A config's value: per-broker, else cluster default, else static; undefined when set nowhere. */
  effective(name: string): string | undefined {
    return this.perBroker.get(name) ?? this.clusterDefault.get(name) ?? this.o.staticValue(name);
  }

  /** Registers a part and applies the current effective values to it at once. */
  addReconfigurable(r: BrokerReconfigurable): void {
    const entry = { r, last: null };
    this.reconfigurables.push(entry);
    this.apply(entry);
  }

  /** New contents of /config/brokers/<this id> and /config/brokers/<default>. */
  update(perBroker: ReadonlyMap<string, string>, clusterDefault: ReadonlyMap<string, string>): void {
    this.perBroker = new Map(perBroker);
    this.clusterDefault = new Map(clusterDefault);
    for (const entry of this.reconfigurables) this.apply(entry);
  }

  private apply(entry: { r: BrokerReconfigurable; last: string | null }): void {
    const effective = new Map<string, string>();
    for (const name of entry.r.reconfigurableConfigs) {
      const value = this.effective(name);
      if (value !== undefined) effective.set(name, value);
    }
    const fingerprint = JSON.stringify([...effective].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    if (fingerprint === entry.last) return;
    try {
      entry.r.reconfigure(effective);
      entry.last = fingerprint;
    } catch (e) {
      this.o.onError(entry.r, effective, e);
    }
  }
}
