/**
 * kafka-configs --bootstrap-server for users' SCRAM credentials (KIP-554), over Samsa's wire
 * client: AlterUserScramCredentials to the controller (found in Metadata, as Kafka's admin client
 * does), DescribeUserScramCredentials to any broker. The password never leaves this process: an
 * upsertion carries a fresh salt and the salted password (Hi(password, salt, iterations)).
 */
import { sendAndReceive, type ClientSecurity } from '@samsa/client';
import { ApiKey, errorInfo, ErrorCode } from '@samsa/protocol';
import { scramMechanism, scramMechanismOfType, ScramFormatter, secureRandomBytes } from '@samsa/security';

export interface BrokerTarget {
  readonly bootstrapServer: string;
  readonly security?: ClientSecurity;
  readonly timeoutMs: number;
}

function hostPort(server: string): { host: string; port: number } {
  const colon = server.lastIndexOf(':');
  return { host: server.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(server.slice(colon + 1)) };
}

/** What a request of kafka-configs to `server` of `target` connects with. */
export function options(target: BrokerTarget, server: string) {
  return { ...hostPort(server), clientId: 'kafka-configs', timeoutMs: target.timeoutMs, security: target.security };
}

/** A request to the first bootstrap server that answers. */
export async function toAnyBroker<T>(target: BrokerTarget, send: (server: string) => Promise<T>): Promise<T> {
  let last: unknown;
  for (const server of target.bootstrapServer.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    try {
      return await send(server);
    } catch (e) {
      last = e;
    }
  }
  throw last instanceof Error ? last : new Error('no bootstrap server given');
}

async function controllerAddress(target: BrokerTarget): Promise<string> {
  const md = await toAnyBroker(target, (s) => sendAndReceive(options(target, s), ApiKey.Metadata, 1, { topics: [] }));
  const controller = md.brokers.find((b) => b.nodeId === md.controllerId);
  if (controller === undefined) throw new Error('the cluster has no controller now');
  return `${controller.host}:${controller.port}`;
}

export interface ScramUpsert {
  readonly mechanism: string;
  readonly iterations: number;
  readonly password: string;
}

/** Upserts and deletes `user`'s credentials; throws with the broker's message when refused. */
export async function alterUserScramCredentials(
  target: BrokerTarget,
  user: string,
  upserts: readonly ScramUpsert[],
  deletes: readonly string[],
): Promise<void> {
  const upsertions = upserts.map((u) => {
    const m = scramMechanism(u.mechanism)!;
    const salt = secureRandomBytes();
    return { name: user, mechanism: m.type, iterations: u.iterations, salt, saltedPassword: new ScramFormatter(m).saltedPassword(u.password, salt, u.iterations) };
  });
  const deletions = deletes.map((d) => ({ name: user, mechanism: scramMechanism(d)!.type }));
  const controller = await controllerAddress(target);
  const r = await sendAndReceive(options(target, controller), ApiKey.AlterUserScramCredentials, 0, { deletions, upsertions });
  for (const result of r.results) {
    if (result.errorCode !== ErrorCode.NONE)
      throw new Error(`${errorInfo(result.errorCode).name}: ${result.errorMessage ?? errorInfo(result.errorCode).message}`);
  }
}

/** Kafka 2.8's lines for `users` (all users with credentials when empty). */
export async function describeUserScramCredentials(target: BrokerTarget, users: readonly string[]): Promise<string[]> {
  const r = await toAnyBroker(target, (s) =>
    sendAndReceive(options(target, s), ApiKey.DescribeUserScramCredentials, 0, { users: users.length === 0 ? null : users.map((name) => ({ name })) }),
  );
  if (r.errorCode !== ErrorCode.NONE) throw new Error(r.errorMessage ?? errorInfo(r.errorCode).message);
  const lines: string[] = [];
  for (const result of r.results) {
    if (result.errorCode === ErrorCode.RESOURCE_NOT_FOUND) continue; // the admin client lists only users it found
    if (result.errorCode !== ErrorCode.NONE) {
      lines.push(`Error retrieving SCRAM credential configs for user-principal '${result.user}': ${errorInfo(result.errorCode).name}: ${result.errorMessage ?? ''}`);
      continue;
    }
    const text = result.credentialInfos
      .map((c) => `${scramMechanismOfType(c.mechanism)?.mechanismName ?? 'UNKNOWN'}=iterations=${c.iterations}`)
      .join(', ');
    lines.push(`SCRAM credential configs for user-principal '${result.user}' are ${text}`);
  }
  return lines;
}
