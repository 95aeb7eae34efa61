import { JsonReader, jsonBytes, obj, type JsonValue } from './json';
import { ZkDataError } from './ZkErrors';

/**
 * Broker registration: `/brokers/ids/<id>`, the ephemeral znode each live broker holds (Kafka
 * ZkData.scala BrokerIdZNode, cluster/Broker.scala, cluster/EndPoint.scala). Part of the ZkData
 * module; it lives in its own file because it is the largest codec.
 */
export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
const SECURITY_PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

export interface EndPoint {
  /** '' when the registration names no host (Kafka's null host). */
  readonly host: string;
  readonly port: number;
  /** Upper case, as Kafka normalises listener names. */
  readonly listenerName: string;
  readonly securityProtocol: SecurityProtocol;
}

/** Supported feature version ranges (registration version 5), e.g. {"min_version":1,"max_version":2}. */
export type BrokerFeatures = Readonly<Record<string, Readonly<Record<string, number>>>>;

export interface Broker {
  readonly id: number;
  readonly endPoints: readonly EndPoint[];
  readonly rack: string | null;
  readonly features: BrokerFeatures;
}

/** A decoded registration: the broker plus what the znode says about itself. */
export interface BrokerInfo {
  readonly broker: Broker;
  /** Registration JSON version, 1–5. */
  readonly version: number;
  readonly jmxPort: number;
  /** Milliseconds since the epoch when the broker registered, as Kafka writes it (a string). */
  readonly timestamp: string | null;
}

export interface BrokerRegistrationOptions {
  jmxPort?: number;
  timestampMs?: number;
}

/** `PLAINTEXT://host:port`; IPv6 hosts in brackets (Kafka EndPoint.connectionString). */
export function endPointConnectionString(endPoint: EndPoint): string {
  const hostPort = endPoint.host.includes(':')
    ? `[${endPoint.host}]:${endPoint.port}`
    : `${endPoint.host}:${endPoint.port}`;
  return `${endPoint.listenerName}://${hostPort}`;
}

const URI = /^(.*):\/\/\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$/;

/**
 * Parses `LISTENER://host:port` (Kafka EndPoint.createEndPoint). Without a listener map, the
 * listener name must itself be a security protocol.
 */
export function parseEndPoint(
  connectionString: string,
  protocolMap?: ReadonlyMap<string, SecurityProtocol>,
): EndPoint {
  const m = URI.exec(connectionString);
  if (m === null) throw new ZkDataError(`Unable to parse ${connectionString} to a broker endpoint`);
  const listenerName = m[1].toUpperCase();
  const securityProtocol =
    protocolMap !== undefined ? protocolMap.get(listenerName) : asSecurityProtocol(listenerName);
  if (securityProtocol === undefined) {
    throw new ZkDataError(`No security protocol defined for listener ${listenerName}`);
  }
  return { host: m[2], port: Number(m[3]), listenerName, securityProtocol };
}

function asSecurityProtocol(name: string): SecurityProtocol | undefined {
  const upper = name.toUpperCase();
  return SECURITY_PROTOCOLS.find((p) => p === upper);
}

export const BrokersZNode = {
  path: (): string => '/brokers',
};

export const BrokerIdsZNode = {
  path: (): string => `${BrokersZNode.path()}/ids`,
};

export const BrokerIdZNode = {
  path: (id: number): string => `${BrokerIdsZNode.path()}/${id}`,

  /**
   * Version 4 registration JSON. The top-level host and port are the first PLAINTEXT endpoint's
   * (null and -1 when there is none) for old clients. Key order: Kafka builds this in a Scala
   * mutable.HashMap; the order below is that map's iteration order (checked byte for byte against
   * a Kafka 2.1 capture; "rack" sits where the same hash table puts it).
   */
  encode(broker: Broker, { jmxPort = -1, timestampMs = Date.now() }: BrokerRegistrationOptions = {}): Buffer {
    const plaintext = broker.endPoints.find((e) => e.securityProtocol === 'PLAINTEXT');
    const listeners = new Map<string, JsonValue>();
    for (const e of broker.endPoints) listeners.set(e.listenerName, e.securityProtocol);
    const entries: Array<[string, JsonValue]> = [
      ['listener_security_protocol_map', listeners],
      ['endpoints', broker.endPoints.map(endPointConnectionString)],
    ];
    if (broker.rack !== null) entries.push(['rack', broker.rack]);
    entries.push(
      ['jmx_port', jmxPort],
      ['host', plaintext === undefined ? null : plaintext.host],
      ['timestamp', String(timestampMs)],
      ['port', plaintext === undefined ? -1 : plaintext.port],
      ['version', 4],
    );
    return jsonBytes(obj(entries));
  },

  /** Reads registration versions 1–5 (Kafka BrokerIdZNode.decode). */
  decode(id: number, bytes: Buffer | null): BrokerInfo {
    const what = `broker registration ${BrokerIdZNode.path(id)}`;
    const js = JsonReader.of(bytes, what);
    const version = js.int('version');
    if (version < 1) throw new ZkDataError(`${what}: unsupported version ${version}`);
    const jmxPort = js.int('jmx_port');
    let endPoints: EndPoint[];
    if (version === 1) {
      endPoints = [
        {
          host: js.string('host'),
          port: js.int('port'),
          listenerName: 'PLAINTEXT',
          securityProtocol: 'PLAINTEXT',
        },
      ];
    } else {
      const protocolMap = readProtocolMap(js.optObject('listener_security_protocol_map'));
      endPoints = js.stringArray('endpoints').map((s) => parseEndPoint(s, protocolMap));
    }
    const rack = js.optString('rack') ?? null;
    const features: Record<string, Record<string, number>> = {};
    const featuresJs = js.optObject('features');
    for (const name of featuresJs?.keys() ?? []) {
      const range = featuresJs!.object(name);
      features[name] = Object.fromEntries(range.keys().map((k) => [k, range.int(k)]));
    }
    const timestamp = js.has('timestamp') ? String(js.raw('timestamp')) : null;
    return { broker: { id, endPoints, rack, features }, version, jmxPort, timestamp };
  },
};

function readProtocolMap(js: JsonReader | undefined): Map<string, SecurityProtocol> | undefined {
  if (js === undefined) return undefined;
  const map = new Map<string, SecurityProtocol>();
  for (const listener of js.keys()) {
    const name = js.string(listener);
    const protocol = asSecurityProtocol(name);
    if (protocol === undefined)
      throw new ZkDataError(`unknown security protocol ${name} for listener ${listener}`);
    map.set(listener.toUpperCase(), protocol);
  }
  return map;
}
