import { isSecurityProtocol } from '@samsa/security';

/** One listener: Kafka's EndPoint without the security protocol (KafkaConfig refuses any listener whose protocol is not PLAINTEXT). */
export interface ListenerSpec {
  /** Listener name: PLAINTEXT, INTERNAL, … (upper case, as Kafka normalises it). */
  readonly name: string;
  /** Address to bind; '' binds every interface. */
  readonly host: string;
  /** 0 binds an ephemeral port (SocketServer.boundPort tells which). */
  readonly port: number;
}

// Kafka's EndPoint.uriParseExp: NAME://host:port, host may be empty or a bracketed IPv6 address.
const LISTENER = /^([A-Za-z0-9_-]+):\/\/\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$/;

/** Parses `listeners` entries (`PLAINTEXT://:9092`, `INTERNAL://[::1]:9093`). Throws on a bad entry. */
export function parseListeners(entries: readonly string[]): ListenerSpec[] {
  const out: ListenerSpec[] = [];
  for (const raw of entries) {
    const m = LISTENER.exec(raw.trim());
    if (!m) throw new Error(`listener '${raw}' is not of the form NAME://host:port`);
    const port = Number(m[3]);
    if (port < 0 || port > 65535) throw new Error(`listener '${raw}' has an invalid port`);
    const name = m[1].toUpperCase();
    if (out.some((l) => l.name === name)) throw new Error(`listener name ${name} is used twice`);
    if (port !== 0 && out.some((l) => l.port === port))
      throw new Error(`port ${port} is used by two listeners`);
    out.push({ name, host: m[2], port });
  }
  return out;
}

export { SECURITY_PROTOCOLS } from '@samsa/security';

/** The listener name of a `listeners` entry (upper case), or undefined when the entry is malformed. */
export function listenerNameOf(entry: string): string | undefined {
  const m = /^([A-Za-z0-9_-]+):\/\//.exec(entry.trim());
  return m ? m[1].toUpperCase() : undefined;
}

/**
 * The security protocol a listener runs, as Kafka resolves it: its entry in
 * listener.security.protocol.map (`NAME:PROTOCOL`, names case-insensitive), else its own name when
 * that names a protocol (`SSL://…` under a map without an SSL entry). Undefined when neither says.
 */
export function listenerSecurityProtocol(name: string, protocolMap: readonly string[]): string | undefined {
  const wanted = name.toUpperCase();
  for (const entry of protocolMap) {
    const colon = entry.indexOf(':');
    if (colon > 0 && entry.slice(0, colon).trim().toUpperCase() === wanted) {
      return entry.slice(colon + 1).trim().toUpperCase();
    }
  }
  return isSecurityProtocol(wanted) ? wanted : undefined;
}
