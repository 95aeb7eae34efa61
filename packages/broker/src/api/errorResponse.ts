import {
  ApiKey,
  apiSpec,
  compileMessage,
  contains,
  errorInfo,
  type FieldSpec,
  type PrimitiveType,
  type Struct,
} from '@samsa/protocol';

/**
 * Kafka's AbstractRequest.getErrorResponse, generically: a well-formed response for any API and
 * version that carries `errorCode`, built from the request body and the response schema.
 *
 *   1. Every response field at its default; the top-level `errorCode` (and `errorMessage`) set when
 *      the response version has them, plus a few per-API sentinels (FindCoordinator's node -1, …).
 *   2. Per the MIRRORS table, the request's topic/partition (or resource, group, …) arrays become the
 *      response's arrays, one element per requested item with its key fields copied and `errorCode`
 *      (and `errorMessage`) set, so clients that read only per-partition errors see the error too.
 *
 * Only schema-declared fields are touched and every field a version lacks is skipped, so one table
 * row serves all versions of an API.
 */
export function errorResponse(
  apiKey: number,
  apiVersion: number,
  request: Struct,
  errorCode: number,
  errorMessage?: string,
): Struct {
  const spec = apiSpec(apiKey);
  if (!spec) throw new Error(`programmer error: no schema for api key ${apiKey}`);
  const b = new Builder(apiVersion, errorCode, errorMessage ?? errorInfo(errorCode).message);
  const out = compileMessage(spec.response, apiVersion).defaults();
  b.markError(out, spec.response.fields);
  const top = TOP_LEVEL[apiKey];
  if (top) b.assign(out, spec.response.fields, top);
  const root: Frame = { value: request ?? {}, fields: spec.request.fields };
  for (const m of MIRRORS[apiKey] ?? []) b.mirror(out, spec.response.fields, [root], m);
  return out;
}

/** One request array becoming one response array. */
interface Mirror {
  /** Response array field (in the enclosing response struct). */
  readonly to: string;
  /**
   * Request path relative to the enclosing request element: array field names joined by '.',
   * nested arrays flattened (LeaderAndIsr's topicStates.partitionStates → flat partitionErrors).
   * Absent: the response gets exactly one element (a request with nothing to mirror).
   */
  readonly from?: string;
  /**
   * Scalar fields copied into each element: 'name' (same name), 'topicName=name' (response ←
   * request), 'partitionIndex=$' (the element itself, for arrays of primitives). The request field
   * is looked up in the element first, then in its enclosing elements (a partition's topic name).
   */
  readonly copy?: readonly string[];
  /** Constant values (Kafka's sentinels: offsets -1, empty record sets, …). */
  readonly set?: Readonly<Struct>;
  readonly children?: readonly Mirror[];
}

/** The common shape: `from[].partitions[]` → `to[].partitions[]`, keyed by topic and partition. */
const TOPIC_PARTITIONS = (
  to: string,
  from: string,
  topic: string,
  partition: string,
  set?: Struct,
): Mirror => ({
  to,
  from,
  copy: [topic],
  children: [{ to: 'partitions', from: 'partitions', copy: [partition], set }],
});

const RESULT_PER_RESOURCE: Mirror = {
  to: 'responses',
  from: 'resources',
  copy: ['resourceType', 'resourceName'],
};

/** Per-API mirrors, from Kafka 2.8's getErrorResponse of each request class. */
const MIRRORS: Partial<Record<number, readonly Mirror[]>> = {
  [ApiKey.Produce]: [
    {
      to: 'responses',
      from: 'topicData',
      copy: ['name'],
      children: [
        { to: 'partitionResponses', from: 'partitionData', copy: ['index'], set: { baseOffset: -1 } },
      ],
    },
  ],
  [ApiKey.Fetch]: [
    {
      to: 'responses',
      from: 'topics',
      copy: ['topic'],
      children: [
        {
          to: 'partitionResponses',
          from: 'partitions',
          copy: ['partition'],
          set: { highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, recordSet: Buffer.alloc(0) },
        },
      ],
    },
  ],
  [ApiKey.ListOffsets]: [
    TOPIC_PARTITIONS('topics', 'topics', 'name', 'partitionIndex', {
      timestamp: -1,
      offset: -1,
      leaderEpoch: -1,
    }),
  ],
  [ApiKey.Metadata]: [{ to: 'topics', from: 'topics', copy: ['name', 'topicId'] }],
  [ApiKey.LeaderAndIsr]: [
    { to: 'partitionErrors', from: 'ungroupedPartitionStates', copy: ['topicName', 'partitionIndex'] },
    { to: 'partitionErrors', from: 'topicStates.partitionStates', copy: ['topicName', 'partitionIndex'] },
    {
      to: 'topics',
      from: 'topicStates',
      copy: ['topicId'],
      children: [{ to: 'partitionErrors', from: 'partitionStates', copy: ['partitionIndex'] }],
    },
  ],
  [ApiKey.StopReplica]: [
    { to: 'partitionErrors', from: 'ungroupedPartitions', copy: ['topicName', 'partitionIndex'] },
    { to: 'partitionErrors', from: 'topics.partitionIndexes', copy: ['topicName=name', 'partitionIndex=$'] },
    { to: 'partitionErrors', from: 'topicStates.partitionStates', copy: ['topicName', 'partitionIndex'] },
  ],
  [ApiKey.OffsetCommit]: [TOPIC_PARTITIONS('topics', 'topics', 'name', 'partitionIndex')],
  [ApiKey.OffsetFetch]: [
    {
      to: 'topics',
      from: 'topics',
      copy: ['name'],
      children: [
        {
          to: 'partitions',
          from: 'partitionIndexes',
          copy: ['partitionIndex=$'],
          set: { committedOffset: -1, metadata: '' },
        },
      ],
    },
  ],
  [ApiKey.DescribeGroups]: [{ to: 'groups', from: 'groups', copy: ['groupId=$'] }],
  [ApiKey.CreateTopics]: [
    { to: 'topics', from: 'topics', copy: ['name'], set: { numPartitions: -1, replicationFactor: -1 } },
  ],
  [ApiKey.DeleteTopics]: [
    { to: 'responses', from: 'topicNames', copy: ['name=$'] },
    { to: 'responses', from: 'topics', copy: ['name', 'topicId'] },
  ],
  [ApiKey.DeleteRecords]: [
    TOPIC_PARTITIONS('topics', 'topics', 'name', 'partitionIndex', { lowWatermark: -1 }),
  ],
  [ApiKey.OffsetForLeaderEpoch]: [
    TOPIC_PARTITIONS('topics', 'topics', 'topic', 'partition', { leaderEpoch: -1, endOffset: -1 }),
  ],
  [ApiKey.AddPartitionsToTxn]: [
    {
      to: 'results',
      from: 'topics',
      copy: ['name'],
      children: [{ to: 'results', from: 'partitions', copy: ['partitionIndex=$'] }],
    },
  ],
  [ApiKey.WriteTxnMarkers]: [
    {
      to: 'markers',
      from: 'markers',
      copy: ['producerId'],
      children: [
        {
          to: 'topics',
          from: 'topics',
          copy: ['name'],
          children: [{ to: 'partitions', from: 'partitionIndexes', copy: ['partitionIndex=$'] }],
        },
      ],
    },
  ],
  [ApiKey.TxnOffsetCommit]: [TOPIC_PARTITIONS('topics', 'topics', 'name', 'partitionIndex')],
  [ApiKey.CreateAcls]: [{ to: 'results', from: 'creations' }],
  [ApiKey.DeleteAcls]: [{ to: 'filterResults', from: 'filters' }],
  [ApiKey.DescribeConfigs]: [{ to: 'results', from: 'resources', copy: ['resourceType', 'resourceName'] }],
  [ApiKey.AlterConfigs]: [RESULT_PER_RESOURCE],
  [ApiKey.AlterReplicaLogDirs]: [
    {
      to: 'results',
      from: 'dirs.topics',
      copy: ['topicName=name'],
      children: [{ to: 'partitions', from: 'partitions', copy: ['partitionIndex=$'] }],
    },
  ],
  // Kafka 2.8 answers an empty list; one result carrying the error is what later versions do.
  [ApiKey.DescribeLogDirs]: [{ to: 'results' }],
  [ApiKey.CreatePartitions]: [{ to: 'results', from: 'topics', copy: ['name'] }],
  [ApiKey.DeleteGroups]: [{ to: 'results', from: 'groupsNames', copy: ['groupId=$'] }],
  [ApiKey.ElectLeaders]: [
    {
      to: 'replicaElectionResults',
      from: 'topicPartitions',
      copy: ['topic'],
      children: [{ to: 'partitionResult', from: 'partitionId', copy: ['partitionId=$'] }],
    },
  ],
  [ApiKey.IncrementalAlterConfigs]: [RESULT_PER_RESOURCE],
  [ApiKey.AlterPartitionReassignments]: [TOPIC_PARTITIONS('responses', 'topics', 'name', 'partitionIndex')],
  [ApiKey.ListPartitionReassignments]: [
    {
      to: 'topics',
      from: 'topics',
      copy: ['name'],
      children: [{ to: 'partitions', from: 'partitionIndexes', copy: ['partitionIndex=$'] }],
    },
  ],
  [ApiKey.OffsetDelete]: [TOPIC_PARTITIONS('topics', 'topics', 'name', 'partitionIndex')],
  [ApiKey.AlterClientQuotas]: [
    {
      to: 'entries',
      from: 'entries',
      children: [{ to: 'entity', from: 'entity', copy: ['entityType', 'entityName'] }],
    },
  ],
  [ApiKey.DescribeUserScramCredentials]: [{ to: 'results', from: 'users', copy: ['user=name'] }],
  [ApiKey.AlterUserScramCredentials]: [
    { to: 'results', from: 'deletions', copy: ['user=name'] },
    { to: 'results', from: 'upsertions', copy: ['user=name'] },
  ],
  [ApiKey.UpdateFeatures]: [{ to: 'results', from: 'featureUpdates', copy: ['feature'] }],
  [ApiKey.DescribeProducers]: [
    {
      to: 'topics',
      from: 'topics',
      copy: ['name'],
      children: [{ to: 'partitions', from: 'partitionIndexes', copy: ['partitionIndex=$'] }],
    },
  ],
};

/** Top-level sentinels besides errorCode (Kafka's Node.noNode(), UNKNOWN_MEMBER_ID, …). */
const TOP_LEVEL: Partial<Record<number, Struct>> = {
  [ApiKey.FindCoordinator]: { nodeId: -1, host: '', port: -1 },
  [ApiKey.InitProducerId]: { producerId: -1, producerEpoch: -1 },
};

/** A request element with its schema: a struct (fields) or a primitive (type). */
interface Frame {
  /** The request struct (with `fields`) or primitive (with `type`) as decoded. */
  readonly value: unknown;
  readonly fields?: readonly FieldSpec[];
  readonly type?: PrimitiveType;
}

/** `value[name]` when `value` is a decoded struct, else undefined. */
function fieldOf(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

class Builder {
  constructor(
    private readonly version: number,
    private readonly errorCode: number,
    private readonly errorMessage: string,
  ) {}

  private present(fields: readonly FieldSpec[], name: string): FieldSpec | undefined {
    const f = fields.find((x) => x.name === name);
    return f && contains(f.versions, this.version) ? f : undefined;
  }

  markError(target: Struct, fields: readonly FieldSpec[]): void {
    if (this.present(fields, 'errorCode')) target.errorCode = this.errorCode;
    if (this.present(fields, 'errorMessage')) target.errorMessage = this.errorMessage;
  }

  assign(target: Struct, fields: readonly FieldSpec[], values: Struct): void {
    for (const [k, v] of Object.entries(values)) if (this.present(fields, k)) target[k] = v;
  }

  /** Fills `target[m.to]` (appending) with one element per request item found along `m.from`. */
  mirror(target: Struct, fields: readonly FieldSpec[], chain: readonly Frame[], m: Mirror): void {
    const to = this.present(fields, m.to);
    if (!to) return;
    if (to.type !== '[]struct') throw new Error(`programmer error: ${m.to} is not an array of structs`);
    const elementFields = to.fields ?? [];
    const sources = m.from === undefined ? [chain] : this.walk(chain, m.from.split('.'));
    const out: Struct[] = Array.isArray(target[m.to]) ? target[m.to] : [];
    for (const src of sources) {
      const el: Struct = {};
      for (const c of m.copy ?? []) this.copyField(el, elementFields, src, c);
      if (m.set) this.assign(el, elementFields, m.set);
      this.markError(el, elementFields);
      for (const child of m.children ?? []) this.mirror(el, elementFields, src, child);
      out.push(el);
    }
    target[m.to] = out;
  }

  /** Every chain of frames reached by following `path` (array field names) from the innermost frame. */
  private walk(chain: readonly Frame[], path: readonly string[]): Frame[][] {
    if (path.length === 0) return [chain as Frame[]];
    const here = chain[chain.length - 1];
    const f = here.fields && this.present(here.fields, path[0]);
    if (!f) return [];
    const items = fieldOf(here.value, path[0]);
    if (!Array.isArray(items)) return []; // null (e.g. "all topics") or missing: nothing to mirror
    const result: Frame[][] = [];
    for (const item of items) {
      let frame: Frame;
      if (f.type === '[]struct') frame = { value: item ?? {}, fields: f.fields ?? [] };
      else if (f.type.startsWith('[]')) frame = { value: item, type: f.type.slice(2) as PrimitiveType };
      else throw new Error(`programmer error: ${path[0]} is not an array`);
      for (const c of this.walk([...chain, frame], path.slice(1))) result.push(c);
    }
    return result;
  }

  private copyField(
    el: Struct,
    elementFields: readonly FieldSpec[],
    chain: readonly Frame[],
    rule: string,
  ): void {
    const eq = rule.indexOf('=');
    const toName = eq < 0 ? rule : rule.slice(0, eq);
    const fromName = eq < 0 ? rule : rule.slice(eq + 1);
    const target = this.present(elementFields, toName);
    if (!target) return;
    const source = this.lookup(chain, fromName);
    if (!source) return;
    if (source.type !== target.type) {
      throw new Error(
        `programmer error: cannot copy ${fromName} (${source.type}) into ${toName} (${target.type})`,
      );
    }
    // A null the response version cannot carry (Metadata v10 topics by id) stays at the default.
    if (source.value === null && !contains(target.nullableVersions, this.version)) return;
    if (source.value !== undefined) el[toName] = source.value;
  }

  private lookup(chain: readonly Frame[], name: string): { value: unknown; type: string } | undefined {
    if (name === '$') {
      const here = chain[chain.length - 1];
      return here.type ? { value: here.value, type: here.type } : undefined;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const fr = chain[i];
      const f = fr.fields && this.present(fr.fields, name);
      if (f) return { value: fieldOf(fr.value, name), type: f.type };
    }
    return undefined;
  }
}
