/**
 * --command-config <file>: the client properties every Kafka tool that talks to brokers accepts
 * (Kafka's AdminClientConfig security keys), turned into the security of Samsa's own client
 * (ClientSecurity), which every tool that talks to brokers uses. One module so every tool reads
 * the same keys the same way:
 *
 *   security.protocol                 PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL
 *   ssl.truststore.location/type/password, ssl.truststore.certificates   (PEM, PKCS12)
 *   ssl.keystore.location/type/password, ssl.key.password, ssl.keystore.key,
 *   ssl.keystore.certificate.chain    (mutual TLS)
 *   ssl.endpoint.identification.algorithm, ssl.protocol, ssl.enabled.protocols, ssl.cipher.suites
 *   sasl.mechanism                    PLAIN, SCRAM-SHA-256, SCRAM-SHA-512
 *   sasl.jaas.config                  its login module's username and password
 *
 * The ssl.* keys are resolved by @samsa/security's sslSettings / sslClientOptions, the code the
 * brokers use for their own client connections, so a file a broker accepts a client accepts too.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { ClientSaslMechanism, ClientSecurity } from '@samsa/client';
import { isSecurityProtocol, singleLoginModule, sslClientOptions, sslSettings } from '@samsa/security';
import { UsageError } from './OptionParser';

/** The help text of --command-config, the same in every tool. */
export const COMMAND_CONFIG_HELP =
  'Property file containing configs to be passed to the Admin Client: security.protocol, ssl.truststore.*, ' +
  'ssl.keystore.* (mutual TLS), ssl.key.password, ssl.endpoint.identification.algorithm, sasl.mechanism, sasl.jaas.config.';

const CLIENT_SASL_MECHANISMS: readonly ClientSaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

/**
 * A java.util.Properties file: `key=value`, `key:value` or `key value`, `#`/`!` comments, a
 * trailing backslash continues the line (sasl.jaas.config is often written over several lines),
 * and the usual escapes.
 */
export function parseProperties(text: string): Map<string, string> {
  const props = new Map<string, string>();
  const lines = text.split(/\r?\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (endsWithContinuation(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, '');
    }
    if (endsWithContinuation(line)) line = line.slice(0, -1);
    let k = 0;
    while (k < line.length && !/[=: \t\f]/.test(line[k]!)) k += line[k] === '\\' ? 2 : 1;
    const key = line.slice(0, k);
    let rest = line.slice(k).replace(/^[ \t\f]*/, '');
    if (rest.startsWith('=') || rest.startsWith(':')) rest = rest.slice(1).replace(/^[ \t\f]*/, '');
    props.set(unescape(key), unescape(rest));
  }
  return props;
}

function endsWithContinuation(line: string): boolean {
  const m = /\\+$/.exec(line);
  return m !== null && m[0].length % 2 === 1;
}

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, c: string) => {
    if (c.length === 5) return String.fromCharCode(parseInt(c.slice(1), 16));
    return c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c === 'f' ? '\f' : c;
  });
}

/** The file's properties; a file that cannot be read is a usage error naming it. */
export function readCommandConfig(file: string, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): Map<string, string> {
  try {
    return parseProperties(readFile(file));
  } catch (error) {
    const message = typeof (error as { message?: unknown } | null)?.message === 'string' ? (error as Error).message : String(error);
    throw new UsageError(`Unable to read the --command-config file ${file}: ${message}`);
  }
}

/**
 * The client security the properties describe: TLS options for SSL/SASL_SSL, SASL credentials for
 * SASL_PLAINTEXT/SASL_SSL. A setting Samsa cannot honour (GSSAPI, a JKS store, a missing password)
 * is a UsageError that says which key, rather than a connection that silently fails later.
 */
export function clientSecurityFromProperties(
  props: ReadonlyMap<string, string>,
  readFile: (path: string) => Buffer = (p) => readFileSync(p),
): ClientSecurity {
  const protocol = (props.get('security.protocol') ?? 'PLAINTEXT').trim().toUpperCase();
  if (!isSecurityProtocol(protocol)) throw new UsageError(`Invalid value ${protocol} for configuration security.protocol`);
  let tls: ConnectionOptions | undefined;
  if (protocol === 'SSL' || protocol === 'SASL_SSL') {
    try {
      tls = sslClientOptions(sslSettings((key) => props.get(key)), readFile);
    } catch (error) {
      throw new UsageError(`Invalid SSL settings in --command-config: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (!protocol.startsWith('SASL_')) return tls === undefined ? { securityProtocol: protocol } : { securityProtocol: protocol, tls };
  const mechanism = (props.get('sasl.mechanism') ?? 'GSSAPI').trim().toUpperCase();
  if (!CLIENT_SASL_MECHANISMS.includes(mechanism as ClientSaslMechanism))
    throw new UsageError(`sasl.mechanism ${mechanism} is not provided by Samsa's clients (${CLIENT_SASL_MECHANISMS.join(', ')})`);
  const jaas = props.get('sasl.jaas.config');
  if (jaas === undefined) throw new UsageError('sasl.jaas.config must name the username and password of the SASL login');
  const options = singleLoginModule(jaas).options;
  const username = options.get('username');
  const password = options.get('password');
  if (username === undefined || password === undefined) throw new UsageError('sasl.jaas.config has no username and password options');
  const sasl = { mechanism: mechanism as ClientSaslMechanism, username, password };
  return tls === undefined ? { securityProtocol: protocol, sasl } : { securityProtocol: protocol, tls, sasl };
}

/** --command-config's security, or undefined (plaintext) when the option is not given. */
export function commandConfigSecurity(file: string | undefined): ClientSecurity | undefined {
  return file === undefined ? undefined : clientSecurityFromProperties(readCommandConfig(file));
}

/**
 * The message of a failed command, with a hint when it ran in plaintext and the broker closed the
 * connection: what a TLS listener does with a plaintext request (its first byte is no TLS record),
 * and a SASL listener with a request before the handshake — the usual sign of a secured listener
 * reached without --command-config (Kafka's own tools just retry until they time out there). A
 * refused connection or a timeout is left as it is.
 */
export function withSecurityHint(message: string, security: ClientSecurity | undefined): string {
  const plaintext = security === undefined || security.securityProtocol === 'PLAINTEXT';
  if (!plaintext) return message;
  if (!/clos|disconnect|ECONNRESET|EPIPE|socket hang up/i.test(message)) return message;
  return `${message} (the broker closed the connection: if its listener uses SSL or SASL, pass --command-config with security.protocol and the ssl.*/sasl.* client properties)`;
}
