/**
 * KIP-546 on a ZooKeeper cluster (Kafka 2.8's ZkAdminManager.describeClientQuotas and
 * alterClientQuotas): DescribeClientQuotas and AlterClientQuotas read and write the same
 * /config/users, /config/clients and /config/ips znodes as kafka-configs --zookeeper, with a change
 * notification per altered entity so every broker's quota managers follow. DESCRIBE_CONFIGS /
 * ALTER_CONFIGS on the cluster (api/authorization.ts).
 */
import { isIP } from 'node:net';
import { AdminZkClient } from '@samsa/admin-zk';
import { ApiKey, ErrorCode, KafkaError } from '@samsa/protocol';
import { desanitize, sanitize } from '@samsa/security';
import { ConfigType } from '@samsa/zk';
import { DEFAULT_ENTITY } from '../quota/ClientQuotaManager';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/** ClientQuotaEntity's entity types. */
const USER = 'user';
const CLIENT_ID = 'client-id';
const IP = 'ip';
const CONFIG_TYPE_IP = 'ips';

/** DescribeClientQuotas match types (ClientQuotaFilterComponent): a name, the default entity, any named one. */
const MATCH_EXACT = 0;
const MATCH_DEFAULT = 1;
const MATCH_SPECIFIED = 2;

type KeyType = 'LONG' | 'DOUBLE' | 'INT' | 'STRING';

/** Kafka's QuotaConfigs: the quota keys of users and clients, and their types. */
const CLIENT_QUOTA_KEYS: ReadonlyMap<string, KeyType> = new Map<string, KeyType>([
  ['producer_byte_rate', 'LONG'],
  ['consumer_byte_rate', 'LONG'],
  ['request_percentage', 'DOUBLE'],
  ['controller_mutation_rate', 'DOUBLE'],
]);
/** DynamicConfig.User: the quota keys and the SCRAM credentials (strings). */
const USER_KEYS: ReadonlyMap<string, KeyType> = new Map<string, KeyType>([
  ['SCRAM-SHA-256', 'STRING'],
  ['SCRAM-SHA-512', 'STRING'],
  ...CLIENT_QUOTA_KEYS,
]);
const IP_KEYS: ReadonlyMap<string, KeyType> = new Map<string, KeyType>([['connection_creation_rate', 'INT']]);

function invalid(message: string): KafkaError {
  return new KafkaError(ErrorCode.INVALID_REQUEST, message);
}

/** A (possibly default: null) entity name as its znode name. */
function sanitizeEntityName(name: string | null): string {
  return name === null ? DEFAULT_ENTITY : sanitize(name);
}

function desanitizeEntityName(name: string): string | null {
  return name === DEFAULT_ENTITY ? null : desanitize(name);
}

/** Java's Double.toString for the values quota znodes hold ("100.0", "12.5", "1.0E7"). */
export function javaDouble(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : v < 0 ? '-Infinity' : 'NaN';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e7 || a < 1e-3)) {
    const [m, e] = v.toExponential().split('e');
    return `${m.includes('.') ? m : `${m}.0`}E${Number(e)}`;
  }
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

interface Component {
  readonly entityType: string;
  readonly matchType: number;
  readonly match: string | null;
}

/** A filter component's match: undefined = any named entity, null = the default, else the name. */
function matchOf(c: Component): string | null | undefined {
  if (c.matchType === MATCH_EXACT) return c.match;
  if (c.matchType === MATCH_DEFAULT) return null;
  return undefined;
}

type Entity = { user?: string | null; clientId?: string | null; ip?: string | null };
type Found = { entity: Entity; values: Map<string, number> };

function fromProps(props: ReadonlyMap<string, string>, keys: ReadonlyMap<string, KeyType>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of props) {
    if (!keys.has(k) || keys.get(k) === 'STRING') continue;
    const n = Number(v);
    if (v.trim() === '' || Number.isNaN(n)) throw new Error(`Unexpected client quota configuration value: ${k} -> ${v}`);
    out.set(k, n);
  }
  return out;
}

/** Kafka's ZkAdminManager.describeClientQuotas. */
export async function describeClientQuotas(admin: AdminZkClient, components: readonly Component[], strict: boolean): Promise<Found[]> {
  let user: Component | undefined;
  let client: Component | undefined;
  let ip: Component | undefined;
  for (const c of components) {
    if (c.matchType !== MATCH_EXACT && c.matchType !== MATCH_DEFAULT && c.matchType !== MATCH_SPECIFIED) {
      throw invalid(`Unexpected match type: ${c.matchType}`);
    }
    if (c.entityType === USER) {
      if (user) throw invalid('Duplicate user filter component entity type');
      user = c;
    } else if (c.entityType === CLIENT_ID) {
      if (client) throw invalid('Duplicate client filter component entity type');
      client = c;
    } else if (c.entityType === IP) {
      if (ip) throw invalid('Duplicate ip filter component entity type');
      ip = c;
    } else if (c.entityType === '') {
      throw invalid('Unexpected empty filter component entity type');
    } else {
      throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `Custom entity type '${c.entityType}' not supported`);
    }
  }
  if ((user || client) && ip) {
    throw invalid('Invalid entity filter component combination, IP filter component should not be used with user or clientId filter component.');
  }
  const found: Found[] = [];
  if (!ip) found.push(...(await describeUserClientQuotas(admin, user, client, strict)));
  if (!user && !client) found.push(...(await describeIpQuotas(admin, ip, strict)));
  return found;
}

async function describeUserClientQuotas(admin: AdminZkClient, userC: Component | undefined, clientC: Component | undefined, strict: boolean): Promise<Found[]> {
  const user = userC ? matchOf(userC) : undefined;
  const clientId = clientC ? matchOf(clientC) : undefined;
  const exactUser = userC !== undefined && user !== undefined;
  const exactClient = clientC !== undefined && clientId !== undefined;
  const excludeUser = strict && !userC;
  const excludeClient = strict && !clientC;
  const zk = admin.zkClient;
  const entries: [Entity, Map<string, string>][] = [];
  if (exactUser && excludeClient) {
    entries.push([{ user: user! }, await admin.fetchEntityConfig(ConfigType.User, sanitizeEntityName(user!))]);
  } else if (!excludeUser && !exactClient) {
    for (const u of await zk.getAllEntitiesWithConfig(ConfigType.User)) {
      entries.push([{ user: desanitizeEntityName(u) }, await admin.fetchEntityConfig(ConfigType.User, u)]);
    }
  }
  if (excludeUser && exactClient) {
    entries.push([{ clientId: clientId! }, await admin.fetchEntityConfig(ConfigType.Client, sanitizeEntityName(clientId!))]);
  } else if (!exactUser && !excludeClient) {
    for (const c of await zk.getAllEntitiesWithConfig(ConfigType.Client)) {
      entries.push([{ clientId: desanitizeEntityName(c) }, await admin.fetchEntityConfig(ConfigType.Client, c)]);
    }
  }
  if (exactUser && exactClient) {
    const path = `${sanitizeEntityName(user!)}/${ConfigType.Client}/${sanitizeEntityName(clientId!)}`;
    entries.push([{ user: user!, clientId: clientId! }, await admin.fetchEntityConfig(ConfigType.User, path)]);
  } else if (!excludeUser && !excludeClient) {
    for (const u of await zk.getAllEntitiesWithConfig(ConfigType.User)) {
      for (const c of await zk.getAllEntitiesWithConfig(`${ConfigType.User}/${u}/${ConfigType.Client}`)) {
        const props = await admin.fetchEntityConfig(ConfigType.User, `${u}/${ConfigType.Client}/${c}`);
        entries.push([{ user: desanitizeEntityName(u), clientId: desanitizeEntityName(c) }, props]);
      }
    }
  }
  const matches = (c: Component | undefined, name: string | null | undefined): boolean => {
    if (c === undefined) return name === undefined || !strict;
    const m = matchOf(c);
    return m === undefined ? name !== undefined : name === m;
  };
  const out: Found[] = [];
  for (const [entity, props] of entries) {
    const values = fromProps(props, CLIENT_QUOTA_KEYS);
    if (values.size > 0 && matches(userC, entity.user) && matches(clientC, entity.clientId)) out.push({ entity, values });
  }
  return out;
}

async function describeIpQuotas(admin: AdminZkClient, ipC: Component | undefined, strict: boolean): Promise<Found[]> {
  const ip = ipC ? matchOf(ipC) : undefined;
  const entries: [Entity, Map<string, string>][] = [];
  if (ipC !== undefined && ip !== undefined) {
    entries.push([{ ip }, await admin.fetchEntityConfig(CONFIG_TYPE_IP, sanitizeEntityName(ip))]);
  } else if ((ipC !== undefined && ip === undefined) || (ipC === undefined && !strict)) {
    for (const i of await admin.zkClient.getAllEntitiesWithConfig(CONFIG_TYPE_IP)) {
      entries.push([{ ip: desanitizeEntityName(i) }, await admin.fetchEntityConfig(CONFIG_TYPE_IP, i)]);
    }
  }
  const out: Found[] = [];
  for (const [entity, props] of entries) {
    const values = fromProps(props, IP_KEYS);
    if (values.size > 0) out.push({ entity, values });
  }
  return out;
}

function entityData(e: Entity): { entityType: string; entityName: string | null }[] {
  const out: { entityType: string; entityName: string | null }[] = [];
  if (e.user !== undefined) out.push({ entityType: USER, entityName: e.user });
  if (e.clientId !== undefined) out.push({ entityType: CLIENT_ID, entityName: e.clientId });
  if (e.ip !== undefined) out.push({ entityType: IP, entityName: e.ip });
  return out;
}

export function describeClientQuotasHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.DescribeClientQuotas> {
  const admin = new AdminZkClient(deps.zkClient);
  return {
    apiKey: ApiKey.DescribeClientQuotas,
    maxVersion: 1,
    async handle(_ctx, body) {
      try {
        const found = await describeClientQuotas(admin, body.components, body.strict);
        return {
          throttleTimeMs: 0,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          entries: found.map((f) => ({ entity: entityData(f.entity), values: [...f.values].map(([key, value]) => ({ key, value })) })),
        };
      } catch (e) {
        const code = e instanceof KafkaError ? e.code : ErrorCode.UNKNOWN_SERVER_ERROR;
        if (!(e instanceof KafkaError)) deps.logger.error('DescribeClientQuotas failed', e);
        return { throttleTimeMs: 0, errorCode: code, errorMessage: e instanceof KafkaError ? e.message : null, entries: null };
      }
    },
  };
}

interface Op {
  readonly key: string;
  readonly value: number;
  readonly remove: boolean;
}

/** Kafka's alterEntityQuotas: one entity's ops applied to its znode (validated only, or written and announced). */
async function alterEntityQuotas(
  deps: BrokerDeps,
  admin: AdminZkClient,
  entity: readonly { entityType: string; entityName: string | null }[],
  ops: readonly Op[],
  validateOnly: boolean,
): Promise<void> {
  if (entity.length === 0) throw invalid('Invalid empty client quota entity');
  const names = new Map<string, string>();
  for (const { entityType, entityName } of entity) {
    if (entityType !== USER && entityType !== CLIENT_ID && entityType !== IP) throw invalid(`Unhandled client quota entity type: ${entityType}`);
    if (entityName !== null && entityName === '') throw invalid(`Empty ${entityType} not supported`);
    names.set(entityType, sanitizeEntityName(entityName));
  }
  const user = names.get(USER);
  const client = names.get(CLIENT_ID);
  const ip = names.get(IP);
  let configType: string;
  let path: string;
  let keys: ReadonlyMap<string, KeyType>;
  if (ip === undefined && user !== undefined) {
    [configType, path, keys] = [ConfigType.User, client === undefined ? user : `${user}/${ConfigType.Client}/${client}`, USER_KEYS];
  } else if (ip === undefined && client !== undefined) {
    [configType, path, keys] = [ConfigType.Client, client, CLIENT_QUOTA_KEYS];
  } else if (ip !== undefined && user === undefined && client === undefined) {
    if (ip !== DEFAULT_ENTITY && isIP(desanitize(ip)) === 0) throw invalid(`${desanitize(ip)} is not a valid IP or resolvable host.`);
    [configType, path, keys] = [CONFIG_TYPE_IP, ip, IP_KEYS];
  } else {
    throw invalid('Invalid quota entity combination, IP entity should not be used with user/client ID entity.');
  }
  const props = await admin.fetchEntityConfig(configType, path);
  for (const op of ops) {
    if (op.remove) {
      props.delete(op.key);
      continue;
    }
    const type = keys.get(op.key);
    if (type === undefined) throw invalid(`Invalid configuration key ${op.key}`);
    if (type === 'DOUBLE') {
      props.set(op.key, javaDouble(op.value));
    } else if (type === 'LONG' || type === 'INT') {
      const epsilon = 1e-6;
      const whole = Math.trunc(op.value + epsilon);
      if (Math.abs(whole - op.value) > epsilon) throw invalid(`Configuration ${op.key} must be a ${type} value`);
      props.set(op.key, String(whole));
    } else {
      throw new Error(`Unexpected config type ${type}`);
    }
  }
  if (validateOnly) return;
  await deps.zkClient.setOrCreateEntityConfigs(configType, path, props);
  await deps.zkClient.createConfigChangeNotification(`${configType}/${path}`);
}

export function alterClientQuotasHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.AlterClientQuotas> {
  const admin = new AdminZkClient(deps.zkClient);
  return {
    apiKey: ApiKey.AlterClientQuotas,
    maxVersion: 1,
    async handle(_ctx, body) {
      const entries = [];
      for (const entry of body.entries) {
        let errorCode: number = ErrorCode.NONE;
        let errorMessage: string | null = null;
        try {
          await alterEntityQuotas(deps, admin, entry.entity, entry.ops, body.validateOnly);
        } catch (e) {
          deps.logger.info(`Error encountered while updating client quotas: ${(e as Error).message}`);
          errorCode = e instanceof KafkaError ? e.code : ErrorCode.UNKNOWN_SERVER_ERROR;
          errorMessage = e instanceof KafkaError ? e.message : null;
        }
        entries.push({ errorCode, errorMessage, entity: entry.entity.map((x) => ({ entityType: x.entityType, entityName: x.entityName })) });
      }
      return { throttleTimeMs: 0, entries };
    },
  };
}
