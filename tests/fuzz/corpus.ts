import { allApis, ApiKey, apiSpec, encodeRequest, type Struct } from '@samsa/protocol';
import { sampleMessage } from '../../packages/protocol/src/testing/sample';
import { fuzzMessageSet, fuzzRecordBatch } from './records';
import type { Rng } from './random';

/**
 * The seed corpus: a valid request of any API at any version, encoded with the protocol package's
 * own encoder (the values come from the schema sampler, then are steered so the request reaches
 * the code behind the decoder: topics the broker leads, small timeouts, Produce carrying real
 * record batches). The mutators then damage these bytes.
 *
 * Control-plane requests (LeaderAndIsr, StopReplica, UpdateMetadata, ControlledShutdown) name only
 * topics that do not exist, keep this broker in UpdateMetadata's live brokers and never ask this
 * broker to shut down: a valid one the broker accepts (nothing authenticates them in Kafka 2.x
 * either) must not take away what the fuzzer's final check serves.
 */
export interface FuzzTarget {
  readonly brokerId: number;
  readonly host: string;
  readonly port: number;
  /** Topics the broker leads that the fuzzer may write to, read and damage. */
  readonly topics: readonly string[];
  /** Names of topics that do not exist (some may be created by the fuzzed CreateTopics). */
  readonly absentTopics: readonly string[];
}

export const CONTROL_PLANE_APIS: readonly number[] = [
  ApiKey.LeaderAndIsr,
  ApiKey.StopReplica,
  ApiKey.UpdateMetadata,
  ApiKey.ControlledShutdown,
];

/** APIs whose valid request takes something away: they name only absent topics. */
const DESTRUCTIVE_APIS: readonly number[] = [
  ...CONTROL_PLANE_APIS,
  ApiKey.DeleteTopics,
  ApiKey.CreatePartitions,
  ApiKey.AlterPartitionReassignments,
  ApiKey.ElectLeaders,
];

const TOPIC_FIELDS = new Set(['name', 'topic', 'topicName']);
const PARTITION_FIELDS = new Set(['partition', 'partitionIndex', 'index']);

/** A valid request body of `apiKey` at `apiVersion`, steered at `target`. */
export function validRequestBody(rng: Rng, apiKey: number, apiVersion: number, target: FuzzTarget): Struct {
  const spec = apiSpec(apiKey);
  if (!spec) throw new Error(`no schema for api key ${apiKey}`);
  if (apiKey === ApiKey.Produce) return produceBody(rng, apiVersion, target);
  const names = DESTRUCTIVE_APIS.includes(apiKey)
    ? target.absentTopics
    : [...target.topics, ...target.absentTopics];
  const body = steer(sampleMessage(spec.request, apiVersion, rng), rng, names);
  if (apiKey === ApiKey.UpdateMetadata) keepThisBroker(body, apiVersion, target);
  if (apiKey === ApiKey.ControlledShutdown && body.brokerId === target.brokerId)
    body.brokerId = target.brokerId + 1;
  if (apiKey === ApiKey.Fetch && rng.bool(0.8)) body.replicaId = -1;
  return body;
}

/** The request frame (header and body, no size prefix) of a valid request. */
export function validRequestFrame(
  rng: Rng,
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  target: FuzzTarget,
  clientId = 'wire-fuzz',
): Buffer {
  const body = validRequestBody(rng, apiKey, apiVersion, target);
  return Buffer.concat(encodeRequest({ apiKey, apiVersion, correlationId, clientId }, body)).subarray(4);
}

/** Every API the protocol package has a schema for, served or not. */
export function knownApiKeys(): number[] {
  return allApis().map((a) => a.apiKey);
}

/**
 * Walks the sampled values: topic names from `names`, partitions 0–1, short waits and timeouts,
 * small partition counts and replication factors (a huge one is for the mutators to find).
 */
function steer(value: Struct, rng: Rng, names: readonly string[]): Struct {
  for (const [k, v] of Object.entries(value)) {
    if (Array.isArray(v)) {
      for (const item of v)
        if (item !== null && typeof item === 'object' && !Buffer.isBuffer(item)) steer(item, rng, names);
    } else if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) {
      steer(v as Struct, rng, names);
    } else if (typeof v === 'string' && TOPIC_FIELDS.has(k) && rng.bool(0.9)) {
      value[k] = rng.pick(names);
    } else if (typeof v === 'number') {
      if (PARTITION_FIELDS.has(k) && rng.bool(0.9)) value[k] = rng.int(0, 1);
      else if (k === 'timeoutMs' || k === 'maxWaitMs') value[k] = rng.int(0, 500);
      else if (k === 'sessionTimeoutMs') value[k] = rng.int(6000, 30_000);
      else if (k === 'rebalanceTimeoutMs') value[k] = rng.int(0, 2000);
      else if (k === 'numPartitions' || k === 'count') value[k] = rng.int(-1, 3);
      else if (k === 'replicationFactor') value[k] = rng.int(-1, 1);
      else if ((k === 'fetchOffset' || k === 'offset' || k === 'committedOffset') && rng.bool(0.8))
        value[k] = rng.int(-2, 20);
    }
  }
  return value;
}

/** UpdateMetadata replaces the live brokers: keep this one, at its real endpoint. */
function keepThisBroker(body: Struct, apiVersion: number, target: FuzzTarget): void {
  const brokers = (body.liveBrokers as Struct[]).filter((b) => b.id !== target.brokerId);
  brokers.push({
    id: target.brokerId,
    v0Host: target.host,
    v0Port: target.port,
    endpoints: [{ port: target.port, host: target.host, listener: 'PLAINTEXT', securityProtocol: 0 }],
    rack: null,
  });
  body.liveBrokers =
    apiVersion === 0
      ? brokers.map((b) => ({ id: b.id, v0Host: b.v0Host ?? target.host, v0Port: b.v0Port ?? 0 }))
      : brokers;
}

/**
 * Produce to the target topics: records from records.ts (batch v2 from v3, message sets before),
 * damaged under valid CRCs, or now and then plain random bytes.
 */
function produceBody(rng: Rng, apiVersion: number, target: FuzzTarget): Struct {
  const records = (): Buffer => {
    if (rng.bool(0.05)) return rng.bytes(rng.int(0, 200));
    if (apiVersion >= 3) return fuzzRecordBatch(rng).bytes;
    return fuzzMessageSet(rng, apiVersion === 2 && rng.bool(0.7) ? 1 : 0).bytes;
  };
  return {
    transactionalId: null,
    acks: rng.pick([-1, -1, 1, 1, 0, 2, -2]),
    timeoutMs: rng.int(0, 1000),
    topicData: Array.from({ length: rng.int(1, 2) }, () => ({
      name: rng.pick(target.topics),
      partitionData: Array.from({ length: rng.int(1, 2) }, () => ({
        index: rng.int(0, 1),
        records: records(),
      })),
    })),
  };
}

/** Produce records with their description, for cases that send one damaged batch undamaged around it. */
export function produceRecordsCase(
  rng: Rng,
  apiVersion: number,
  target: FuzzTarget,
): { body: Struct; description: string } {
  const r =
    apiVersion >= 3 ? fuzzRecordBatch(rng) : fuzzMessageSet(rng, apiVersion === 2 && rng.bool(0.7) ? 1 : 0);
  return {
    description: r.description,
    body: {
      transactionalId: null,
      acks: rng.pick([-1, 1, 1, 0]),
      timeoutMs: rng.int(100, 1000),
      topicData: [{ name: rng.pick(target.topics), partitionData: [{ index: 0, records: r.bytes }] }],
    },
  };
}
