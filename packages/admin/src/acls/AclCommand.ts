/**
 * kafka-acls (Kafka's AclCommand): add, remove and list ACLs, either in ZooKeeper directly
 * (--authorizer-properties zookeeper.connect=…: the znodes and change notifications Kafka's
 * AclAuthorizer writes, through ZkAclStore) or through a broker (--bootstrap-server: CreateAcls,
 * DescribeAcls, DeleteAcls). The output is Kafka's text as ../shared/reference acls.txt records it:
 * "Adding ACLs for resource `Topic:LITERAL:t1`: " then one tab-indented entry per line.
 */
import * as readline from 'node:readline';
import { sendAndReceive, type ClientSecurity } from '@samsa/client';
import { ApiKey, errorInfo } from '@samsa/protocol';
import {
  type AccessControlEntry,
  type AclBinding,
  type AclBindingFilter,
  AclAuthorizer,
  AclOperation,
  AclPermissionType,
  ANY_ENTRY_FILTER,
  ANY_RESOURCE_FILTER,
  type ResourcePattern,
  type ResourcePatternFilter,
  ResourceType,
  entryToString,
  operationFromCode,
  patternTypeName,
  patternTypeFromCode,
  permissionTypeFromCode,
  resourcePatternKey,
  resourcePatternToString,
  resourceTypeFromCode,
  resourceTypeName,
} from '@samsa/security';
import { KafkaZkClient, ZkAclStore } from '@samsa/zk';
import { UsageError } from '../cli/OptionParser';
import { commandConfigSecurity, withSecurityHint } from '../cli/CommandConfig';
import { timeoutFromEnv, type CommandIo } from '../topics/TopicCommand';
import { type AclCommandOptions, aclCommandParser, checkAclCommandArgs } from './AclCommandOptions';

/** Where ACLs are read and written. */
export interface AclBackend {
  /** Adds the bindings; throws with the first error. */
  add(bindings: readonly AclBinding[]): Promise<void>;
  remove(filters: readonly AclBindingFilter[]): Promise<void>;
  list(filter: AclBindingFilter): Promise<AclBinding[]>;
  close(): Promise<void>;
}

export interface AclCommandDeps {
  readonly timeoutMs?: number;
  /** Asks the question; true for "y". Default: a line from stdin. */
  readonly confirm?: (question: string) => Promise<boolean>;
}

const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** The ZooKeeper path: an AclAuthorizer over ZkAclStore, loaded once. */
async function zkBackend(zkConnect: string, timeoutMs: number): Promise<AclBackend> {
  const zk = await KafkaZkClient.connect(zkConnect, { sessionTimeoutMs: 30_000, connectionTimeoutMs: timeoutMs, logger: quietLogger });
  const store = new ZkAclStore(zk, { logger: quietLogger });
  await store.createPaths();
  const authorizer = new AclAuthorizer({ store });
  await authorizer.load();
  return {
    async add(bindings) {
      const results = await authorizer.createAcls(bindings);
      const failed = results.find((r) => r.error !== undefined);
      if (failed?.error !== undefined) throw new Error(failed.error.message);
    },
    async remove(filters) {
      await authorizer.deleteAcls(filters);
    },
    list: (filter) => Promise.resolve(authorizer.acls(filter)),
    close: () => zk.close(),
  };
}

/** The broker path: CreateAcls / DescribeAcls / DeleteAcls v1 to the first bootstrap server. */
function brokerBackend(bootstrapServer: string, timeoutMs: number, security: ClientSecurity | undefined): AclBackend {
  const first = bootstrapServer.split(',')[0]!.trim();
  const colon = first.lastIndexOf(':');
  if (colon <= 0) throw new UsageError(`Invalid bootstrap server: ${first}`);
  const target = { host: first.slice(0, colon), port: Number(first.slice(colon + 1)), clientId: 'adminclient-1', timeoutMs, security };
  const check = (code: number, message: string | null | undefined): void => {
    if (code !== 0) throw new Error(message ?? errorInfo(code).message);
  };
  const wireFilter = (f: AclBindingFilter) => ({
    resourceTypeFilter: f.patternFilter.resourceType,
    resourceNameFilter: f.patternFilter.name,
    patternTypeFilter: f.patternFilter.patternType,
    principalFilter: f.entryFilter.principal,
    hostFilter: f.entryFilter.host,
    operation: f.entryFilter.operation,
    permissionType: f.entryFilter.permissionType,
  });
  return {
    async add(bindings) {
      const r = await sendAndReceive(target, ApiKey.CreateAcls, 1, {
        creations: bindings.map((b) => ({
          resourceType: b.pattern.resourceType,
          resourceName: b.pattern.name,
          resourcePatternType: b.pattern.patternType,
          principal: b.entry.principal,
          host: b.entry.host,
          operation: b.entry.operation,
          permissionType: b.entry.permissionType,
        })),
      });
      for (const res of r.results) check(res.errorCode, res.errorMessage);
    },
    async remove(filters) {
      const r = await sendAndReceive(target, ApiKey.DeleteAcls, 1, { filters: filters.map(wireFilter) });
      for (const res of r.filterResults) check(res.errorCode, res.errorMessage);
    },
    async list(filter) {
      const r = await sendAndReceive(target, ApiKey.DescribeAcls, 1, wireFilter(filter));
      check(r.errorCode, r.errorMessage);
      return r.resources.flatMap((res) =>
        res.acls.map((a) => ({
          pattern: {
            resourceType: resourceTypeFromCode(res.resourceType),
            name: res.resourceName,
            patternType: patternTypeFromCode(res.patternType),
          },
          entry: {
            principal: a.principal,
            host: a.host,
            operation: operationFromCode(a.operation),
            permissionType: permissionTypeFromCode(a.permissionType),
          },
        })),
      );
    },
    close: () => Promise.resolve(),
  };
}

function entries(principals: readonly string[], permissionType: AclPermissionType, ops: readonly AclOperation[], hosts: readonly string[]): AccessControlEntry[] {
  const out: AccessControlEntry[] = [];
  for (const principal of principals) {
    for (const operation of ops) for (const host of hosts) out.push({ principal, host, operation, permissionType });
  }
  return out;
}

/** Kafka's getResourceToAcls: the entries to add or remove per resource (--producer/--consumer or --operation). */
export function resourceToAcls(o: AclCommandOptions): { pattern: ResourcePattern; entries: AccessControlEntry[] }[] {
  const make = (ops: readonly AclOperation[]): AccessControlEntry[] => [
    ...entries(o.allowPrincipals, AclPermissionType.ALLOW, ops, o.allowHosts),
    ...entries(o.denyPrincipals, AclPermissionType.DENY, ops, o.denyHosts),
  ];
  const out: { pattern: ResourcePattern; entries: AccessControlEntry[] }[] = [];
  const push = (f: ResourcePatternFilter, ops: readonly AclOperation[]): void => {
    const pattern = { resourceType: f.resourceType, name: f.name ?? '', patternType: f.patternType };
    const existing = out.find((r) => resourcePatternKey(r.pattern) === resourcePatternKey(pattern));
    if (existing === undefined) out.push({ pattern, entries: make(ops) });
    else existing.entries.push(...make(ops));
  };
  if (o.producer || o.consumer) {
    for (const f of o.resources) {
      if (f.resourceType === ResourceType.TOPIC) {
        if (o.producer) push(f, [AclOperation.DESCRIBE, AclOperation.WRITE, AclOperation.CREATE]);
        if (o.consumer) push(f, [AclOperation.DESCRIBE, AclOperation.READ]);
      } else if (f.resourceType === ResourceType.GROUP && o.consumer) {
        push(f, [AclOperation.READ]);
      } else if (f.resourceType === ResourceType.TRANSACTIONAL_ID && o.producer) {
        push(f, [AclOperation.WRITE, AclOperation.DESCRIBE]);
      } else if (f.resourceType === ResourceType.CLUSTER && o.producer && o.idempotent) {
        push(f, [AclOperation.IDEMPOTENT_WRITE]);
      }
    }
    return out;
  }
  for (const f of o.resources) push(f, o.operations);
  return out;
}

/** One block of Kafka's text: "<title> `Topic:LITERAL:t1`: ", " \t<entry>\n\t<entry> ", "". */
function printBlock(io: CommandIo, title: string, pattern: ResourcePattern, list: readonly AccessControlEntry[]): void {
  io.out(`${title} \`${resourcePatternToString(pattern)}\`: `);
  io.out(` ${list.map((e) => `\t${entryToString(e)}`).join('\n')} `);
  io.out('');
}

const TYPE_ORDER = (t: ResourceType): string => resourceTypeName(t);

/** Bindings grouped by resource, in a stable order: type name, literal before prefixed, name. */
function byResource(bindings: readonly AclBinding[]): { pattern: ResourcePattern; entries: AccessControlEntry[] }[] {
  const map = new Map<string, { pattern: ResourcePattern; entries: AccessControlEntry[] }>();
  for (const b of bindings) {
    const k = resourcePatternKey(b.pattern);
    const r = map.get(k) ?? { pattern: b.pattern, entries: [] };
    r.entries.push(b.entry);
    map.set(k, r);
  }
  return [...map.values()].sort(
    (a, b) =>
      TYPE_ORDER(a.pattern.resourceType).localeCompare(TYPE_ORDER(b.pattern.resourceType)) ||
      a.pattern.patternType - b.pattern.patternType ||
      a.pattern.name.localeCompare(b.pattern.name),
  );
}

async function listAcls(
  io: CommandIo,
  backend: AclBackend,
  resources: readonly ResourcePatternFilter[],
  principals: readonly string[] = [],
): Promise<void> {
  const filters = resources.length === 0 ? [ANY_RESOURCE_FILTER] : resources;
  const found: AclBinding[] = [];
  for (const patternFilter of filters) {
    for (const b of await backend.list({ patternFilter, entryFilter: ANY_ENTRY_FILTER })) {
      if (!found.some((f) => resourcePatternKey(f.pattern) === resourcePatternKey(b.pattern) && f.entry === b.entry)) found.push(b);
    }
  }
  if (principals.length === 0) {
    for (const r of byResource(found)) printBlock(io, 'Current ACLs for resource', r.pattern, r.entries);
    return;
  }
  // Kafka's --list --principal: a heading per principal, then its entries per resource
  for (const principal of principals) {
    io.out('');
    io.out(`ACLs for principal \`${principal}\``);
    for (const r of byResource(found.filter((b) => b.entry.principal === principal))) {
      printBlock(io, 'Current ACLs for resource', r.pattern, r.entries);
    }
  }
}

function defaultConfirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  return new Promise((resolve) => {
    rl.question(`${question}\n`, (answer) => {
      rl.close();
      resolve(answer.trim().toLowerCase() === 'y');
    });
  });
}

async function runAction(io: CommandIo, backend: AclBackend, o: AclCommandOptions, deps: AclCommandDeps): Promise<void> {
  switch (o.action) {
    case 'add': {
      const all: AclBinding[] = [];
      for (const { pattern, entries: list } of resourceToAcls(o)) {
        printBlock(io, 'Adding ACLs for resource', pattern, list);
        all.push(...list.map((entry) => ({ pattern, entry })));
      }
      await backend.add(all);
      await listAcls(io, backend, o.resources);
      return;
    }
    case 'remove': {
      const confirm = deps.confirm ?? defaultConfirm;
      const specific = o.allowPrincipals.length + o.denyPrincipals.length > 0;
      for (const f of o.resources) {
        const filters: AclBindingFilter[] = specific
          ? (resourceToAcls({ ...o, resources: [f] })[0]?.entries ?? []).map((e) => ({ patternFilter: f, entryFilter: e }))
          : [{ patternFilter: f, entryFilter: ANY_ENTRY_FILTER }];
        const what = `resource filter \`${resourceTypeName(f.resourceType)}:${patternTypeName(f.patternType)}:${f.name ?? ''}\``;
        const question = specific
          ? `Are you sure you want to remove ACLs: \n ${filters.map((x) => `\t${entryToString(x.entryFilter as AccessControlEntry)}`).join('\n')} \n from ${what}? (y/n)`
          : `Are you sure you want to delete all ACLs for ${what}? (y/n)`;
        if (!o.force && !(await confirm(question))) continue;
        await backend.remove(filters);
      }
      await listAcls(io, backend, o.resources);
      return;
    }
    case 'list':
      await listAcls(io, backend, o.resources, o.listPrincipals);
  }
}

export async function runAclCommand(args: readonly string[], io: CommandIo, deps: AclCommandDeps = {}): Promise<number> {
  let o: AclCommandOptions;
  try {
    const parsed = aclCommandParser().parse(args);
    if (args.length === 0 || parsed.has('help')) {
      io.out('This tool helps to manage acls on kafka.');
      return args.length === 0 ? 1 : 0;
    }
    o = checkAclCommandArgs(parsed);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
  const timeoutMs = deps.timeoutMs ?? timeoutFromEnv();
  let security: ClientSecurity | undefined;
  try {
    security = commandConfigSecurity(o.commandConfig);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
  const backend = o.zkConnect !== undefined ? await zkBackend(o.zkConnect, timeoutMs) : brokerBackend(o.bootstrapServer!, timeoutMs, security);
  try {
    await runAction(io, backend, o, deps);
    return 0;
  } catch (error) {
    io.err(`Error while executing ACL command: ${withSecurityHint(error instanceof Error ? error.message : String(error), security)}`);
    return 1;
  } finally {
    await backend.close();
  }
}
