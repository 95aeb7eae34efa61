/**
 * kafka-configs --bootstrap-server for topics and brokers, over Samsa's wire client, as Kafka 2.8's
 * ConfigCommand does it through its admin client: DescribeConfigs with synonyms (a broker's
 * resource to that broker, the rest to any), IncrementalAlterConfigs for a topic's SET/DELETE, and
 * AlterConfigs with the broker's whole new dynamic set for a broker (Kafka 2.8's choice: its
 * incremental path for brokers came later).
 */
import { sendAndReceive } from '@samsa/client';
import { ApiKey, errorInfo, ErrorCode } from '@samsa/protocol';
import type { BrokerTarget } from './ScramCredentialsAdmin';

/** Kafka's ConfigResource.Type ids. */
export const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

/** Kafka's admin-client ConfigEntry.ConfigSource names, by wire id. */
const SOURCE_NAMES: readonly string[] = [
  'UNKNOWN',
  'DYNAMIC_TOPIC_CONFIG',
  'DYNAMIC_BROKER_CONFIG',
  'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'STATIC_BROKER_CONFIG',
  'DEFAULT_CONFIG',
  'DYNAMIC_BROKER_LOGGER_CONFIG',
];

export function configSourceName(id: number): string {
  return SOURCE_NAMES[id] ?? 'UNKNOWN';
}

export interface DescribedSynonym {
  readonly name: string;
  readonly value: string | null;
  readonly source: number;
}

export interface DescribedConfig {
  readonly name: string;
  readonly value: string | null;
  readonly isSensitive: boolean;
  readonly source: number;
  readonly synonyms: readonly DescribedSynonym[];
}

function hostPort(server: string): { host: string; port: number } {
  const colon = server.lastIndexOf(':');
  return { host: server.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(server.slice(colon + 1)) };
}

function options(target: BrokerTarget, server: string) {
  return { ...hostPort(server), clientId: 'kafka-configs', timeoutMs: target.timeoutMs, security: target.security };
}

function bootstrapServers(target: BrokerTarget): string[] {
  return target.bootstrapServer.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

async function toAnyBroker<T>(target: BrokerTarget, send: (server: string) => Promise<T>): Promise<T> {
  let last: unknown;
  for (const server of bootstrapServers(target)) {
    try {
      return await send(server);
    } catch (e) {
      last = e;
    }
  }
  throw last instanceof Error ? last : new Error('no bootstrap server given');
}

/** The brokers of the cluster (Metadata), id → host:port. */
export async function clusterBrokers(target: BrokerTarget): Promise<Map<number, string>> {
  const md = await toAnyBroker(target, (s) => sendAndReceive(options(target, s), ApiKey.Metadata, 1, { topics: [] }));
  return new Map([...md.brokers].sort((a, b) => a.nodeId - b.nodeId).map((b) => [b.nodeId, `${b.host}:${b.port}`]));
}

/** Every topic's name, internal ones included (Kafka's listTopics().listInternal(true)). */
export async function topicNames(target: BrokerTarget): Promise<string[]> {
  const md = await toAnyBroker(target, (s) => sendAndReceive(options(target, s), ApiKey.Metadata, 1, { topics: null }));
  return md.topics.map((t) => t.name as string).sort();
}

/** A broker resource goes to that broker (Kafka's admin client), anything else to any broker. */
async function sendFor<T>(
  target: BrokerTarget,
  resourceType: number,
  resourceName: string,
  send: (server: string) => Promise<T>,
): Promise<T> {
  if (resourceType === ResourceType.TOPIC || resourceName === '') return toAnyBroker(target, send);
  const address = (await clusterBrokers(target)).get(Number(resourceName));
  if (address === undefined) throw new Error(`Broker ${resourceName} is not in the cluster's metadata`);
  return send(address);
}

function failIfError(r: { errorCode: number; errorMessage?: string | null }): void {
  if (r.errorCode !== ErrorCode.NONE) {
    const info = errorInfo(r.errorCode);
    throw new Error(`${info.name}: ${r.errorMessage ?? info.message}`);
  }
}

/** DescribeConfigs v1 with synonyms of one resource. */
export async function describeResourceConfigs(
  target: BrokerTarget,
  resourceType: number,
  resourceName: string,
): Promise<DescribedConfig[]> {
  const r = await sendFor(target, resourceType, resourceName, (s) =>
    sendAndReceive(options(target, s), ApiKey.DescribeConfigs, 1, {
      resources: [{ resourceType, resourceName, configurationKeys: null }],
      includeSynonyms: true,
    }),
  );
  const result = r.results[0];
  failIfError(result);
  return result.configs.map((c) => ({
    name: c.name,
    value: c.value ?? null,
    isSensitive: !!c.isSensitive,
    source: c.configSource ?? 0,
    synonyms: (c.synonyms ?? []).map((s) => ({ name: s.name, value: s.value ?? null, source: s.source })),
  }));
}

/** IncrementalAlterConfigs v0 of a topic or a broker's loggers: SET and DELETE. */
export async function incrementalAlterResource(
  target: BrokerTarget,
  resourceType: number,
  resourceName: string,
  set: ReadonlyMap<string, string>,
  del: readonly string[],
): Promise<void> {
  const configs = [
    ...[...set].map(([name, value]) => ({ name, configOperation: 0, value })),
    ...del.map((name) => ({ name, configOperation: 1, value: '' })),
  ];
  const r = await sendFor(target, resourceType, resourceName, (s) =>
    sendAndReceive(options(target, s), ApiKey.IncrementalAlterConfigs, 0, {
      resources: [{ resourceType, resourceName, configs }],
      validateOnly: false,
    }),
  );
  failIfError(r.responses[0]);
}

/** AlterConfigs v0 of a broker resource ("" for the cluster default): its whole new set. */
export async function alterBrokerConfigs(
  target: BrokerTarget,
  resourceName: string,
  configs: ReadonlyMap<string, string>,
): Promise<void> {
  const r = await sendFor(target, ResourceType.BROKER, resourceName, (s) =>
    sendAndReceive(options(target, s), ApiKey.AlterConfigs, 0, {
      resources: [
        {
          resourceType: ResourceType.BROKER,
          resourceName,
          configs: [...configs].map(([name, value]) => ({ name, value })),
        },
      ],
      validateOnly: false,
    }),
  );
  failIfError(r.responses[0]);
}
