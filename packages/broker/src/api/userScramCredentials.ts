/**
 * KIP-554 on a ZooKeeper cluster (Kafka 2.8's ZkAdminManager): DescribeUserScramCredentials and
 * AlterUserScramCredentials read and write the same /config/users/<user> znodes as kafka-configs
 * --zookeeper, with a users/<user> change notification so every broker's CredentialCache follows.
 * Alter is answered by the controller only (NOT_CONTROLLER elsewhere), as in Kafka. Passwords never
 * travel: an upsertion carries the salt and the salted password, the broker derives the keys.
 */
import { AdminZkClient } from '@samsa/admin-zk';
import { ApiKey, ErrorCode } from '@samsa/protocol';
import {
  credentialFromString,
  credentialToString,
  sanitize,
  desanitize,
  SCRAM_MAX_ITERATIONS,
  SCRAM_MECHANISMS,
  scramMechanismOfType,
  ScramFormatter,
} from '@samsa/security';
import { ConfigType } from '@samsa/zk';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

const USERNAME_EMPTY = 'Username must not be empty';
const UNKNOWN_MECHANISM = 'Unknown SCRAM mechanism';

interface CredentialInfo {
  mechanism: number;
  iterations: number;
}
interface DescribeResult {
  user: string;
  errorCode: number;
  errorMessage: string | null;
  credentialInfos: CredentialInfo[];
}

function infosOf(config: ReadonlyMap<string, string>): CredentialInfo[] | undefined {
  const present = SCRAM_MECHANISMS.filter((m) => config.has(m.mechanismName));
  if (present.length === 0) return undefined;
  return present.map((m) => ({ mechanism: m.type, iterations: credentialFromString(config.get(m.mechanismName)!).iterations }));
}

export function describeUserScramCredentialsHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.DescribeUserScramCredentials> {
  const admin = new AdminZkClient(deps.zkClient);
  return {
    apiKey: ApiKey.DescribeUserScramCredentials,
    maxVersion: 0,
    async handle(_ctx, body) {
      const requested = (body.users ?? []).map((u) => u.name);
      const results = new Map<string, DescribeResult>();
      const result = (user: string, errorCode: number, errorMessage: string | null, credentialInfos: CredentialInfo[] = []) =>
        results.set(user, { user, errorCode, errorMessage, credentialInfos });
      if (requested.length === 0) {
        const users = await deps.zkClient.getAllEntitiesWithConfig(ConfigType.User);
        for (const sanitized of users) {
          const user = desanitize(sanitized);
          try {
            const infos = infosOf(await admin.fetchEntityConfig(ConfigType.User, sanitized));
            if (infos) result(user, ErrorCode.NONE, null, infos);
          } catch (e) {
            result(user, ErrorCode.UNKNOWN_SERVER_ERROR, (e as Error).message);
          }
        }
        return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, results: [...results.values()].sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0)) };
      }
      const counts = new Map<string, number>();
      for (const u of requested) counts.set(u, (counts.get(u) ?? 0) + 1);
      for (const [user, n] of counts) {
        if (user === '') result(user, ErrorCode.RESOURCE_NOT_FOUND, USERNAME_EMPTY);
        else if (n > 1)
          result(user, ErrorCode.DUPLICATE_RESOURCE, `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`);
        else {
          try {
            const infos = infosOf(await admin.fetchEntityConfig(ConfigType.User, sanitize(user)));
            if (infos) result(user, ErrorCode.NONE, null, infos);
            else result(user, ErrorCode.RESOURCE_NOT_FOUND, `Attempt to describe a user credential that does not exist: ${user}`);
          } catch (e) {
            result(user, ErrorCode.UNKNOWN_SERVER_ERROR, (e as Error).message);
          }
        }
      }
      return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, results: [...counts.keys()].map((u) => results.get(u)!) };
    },
  };
}

export function alterUserScramCredentialsHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.AlterUserScramCredentials> {
  const admin = new AdminZkClient(deps.zkClient);
  return {
    apiKey: ApiKey.AlterUserScramCredentials,
    maxVersion: 0,
    async handle(_ctx, body) {
      const results: { user: string; errorCode: number; errorMessage: string | null }[] = [];
      const fail = (user: string, errorCode: number, errorMessage: string) => results.push({ user, errorCode, errorMessage });
      const all = [...body.deletions, ...body.upsertions];
      if (!deps.isController()) {
        for (const user of new Set(all.map((x) => x.name))) fail(user, ErrorCode.NOT_CONTROLLER, 'This is not the correct controller for this cluster.');
        return { throttleTimeMs: 0, results };
      }
      // Kafka's order of checks: illegal requests, duplicates, deletions of what does not exist
      const illegal = new Map<string, string>();
      for (const d of body.deletions) {
        if (d.name === '') illegal.set(d.name, USERNAME_EMPTY);
        else if (scramMechanismOfType(d.mechanism) === undefined) illegal.set(d.name, UNKNOWN_MECHANISM);
      }
      for (const u of body.upsertions) {
        const m = scramMechanismOfType(u.mechanism);
        if (u.name === '') illegal.set(u.name, USERNAME_EMPTY);
        else if (m === undefined) illegal.set(u.name, UNKNOWN_MECHANISM);
        else if (u.iterations < m.minIterations) illegal.set(u.name, 'Too few iterations');
        else if (u.iterations > SCRAM_MAX_ITERATIONS) illegal.set(u.name, 'Too many iterations');
      }
      for (const [user, message] of illegal)
        fail(user, message === UNKNOWN_MECHANISM ? ErrorCode.UNSUPPORTED_SASL_MECHANISM : ErrorCode.UNACCEPTABLE_CREDENTIAL, message);
      const pairs = all.filter((x) => !illegal.has(x.name)).map((x) => `${x.mechanism}\u0000${x.name}`);
      const duplicated = new Set(pairs.filter((p, i) => pairs.indexOf(p) !== i).map((p) => p.slice(p.indexOf('\u0000') + 1)));
      for (const user of duplicated) fail(user, ErrorCode.DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request');
      const candidates = [...new Set(all.map((x) => x.name))].filter((u) => !illegal.has(u) && !duplicated.has(u));
      const configs = new Map<string, Map<string, string>>();
      for (const user of candidates) configs.set(user, await admin.fetchEntityConfig(ConfigType.User, sanitize(user)));
      const missing = new Set(
        body.deletions.filter((d) => configs.has(d.name) && !configs.get(d.name)!.has(scramMechanismOfType(d.mechanism)!.mechanismName)).map((d) => d.name),
      );
      for (const user of missing) fail(user, ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist');
      for (const user of candidates.filter((u) => !missing.has(u))) {
        const config = configs.get(user)!;
        try {
          for (const d of body.deletions.filter((x) => x.name === user)) config.delete(scramMechanismOfType(d.mechanism)!.mechanismName);
          for (const u of body.upsertions.filter((x) => x.name === user)) {
            const m = scramMechanismOfType(u.mechanism)!;
            const credential = new ScramFormatter(m).credentialFromSaltedPassword(Buffer.from(u.salt), Buffer.from(u.saltedPassword), u.iterations);
            config.set(m.mechanismName, credentialToString(credential));
          }
          await deps.zkClient.setOrCreateEntityConfigs(ConfigType.User, sanitize(user), config);
          await deps.zkClient.createConfigChangeNotification(`${ConfigType.User}/${sanitize(user)}`);
          results.push({ user, errorCode: ErrorCode.NONE, errorMessage: null });
        } catch (e) {
          deps.logger.info(`Error encountered while altering user SCRAM credentials: ${(e as Error).message}`);
          fail(user, ErrorCode.UNKNOWN_SERVER_ERROR, (e as Error).message);
        }
      }
      return { throttleTimeMs: 0, results };
    },
  };
}
