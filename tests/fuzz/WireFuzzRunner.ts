import {
  ApiKey,
  apiSpec,
  decodeBatch,
  decodeMessageSet,
  decodeRequest,
  decodeResponse,
  ErrorCode,
  errorInfo,
  LOG_OVERHEAD,
} from '@samsa/protocol';
import { CONTROL_PLANE_APIS } from './corpus';
import { TestClient } from '../../packages/broker/src/network/testing/TestClient';
import { generateCase, type FuzzCase, type FuzzContext, type ServedApi } from './WireFuzzer';

/**
 * Sends the wire fuzzer's cases to a broker over a few connections at once. Each connection is
 * reused until the broker closes it (a malformed frame closes it, as in Kafka) or a case's frame
 * lies about its size; then the next case opens a new one.
 *
 * After each case a sentinel ApiVersions v0 request follows on the same connection: responses come
 * back in request order, so the sentinel's answer means the case was handled (answered, or an
 * acks=0 Produce with nothing to answer), a closed connection means the broker refused the bytes,
 * and no answer within `answerTimeoutMs` means the case is still waiting (a long poll) or stuck —
 * its connection is then given up.
 */
export interface WireFuzzOptions {
  readonly port: number;
  readonly context: FuzzContext;
  readonly cases: number;
  /** Connections sending cases at the same time. */
  readonly connections: number;
  readonly answerTimeoutMs: number;
  /** Only these case indexes (replay); default 0 … cases-1. */
  readonly only?: readonly number[];
}

export type CaseOutcome = 'answered' | 'noResponse' | 'closed' | 'timedOut' | 'sizeLied';

export interface CaseAnomaly {
  readonly fuzzCase: FuzzCase;
  readonly problem: string;
}

export interface WireFuzzReport {
  readonly seed: number;
  readonly cases: number;
  readonly elapsedMs: number;
  readonly connectionsOpened: number;
  /** How many cases ended each way, by kind. */
  readonly outcomes: Record<string, Record<CaseOutcome, number>>;
  /** Wrong answers: a valid request closed or unanswered, an answer that does not decode. */
  readonly anomalies: CaseAnomaly[];
  /**
   * What the broker answered the `records` cases, by how the records were damaged: partition error
   * names counted ("batch v2 gzip records" → {CORRUPT_MESSAGE: 12, NONE: 3}). NONE on damaged
   * records means the damage was stored.
   */
  readonly produceAnswers: Record<string, Record<string, number>>;
  /**
   * `records` cases the broker stored (NONE) although their records do not decode with the
   * protocol package's strict decoders: poison for consumers (issue 13 row 4).
   */
  readonly poisonAccepted: { index: number; description: string; why: string }[];
  /**
   * Control-plane requests (LeaderAndIsr, StopReplica, UpdateMetadata, ControlledShutdown) the
   * broker accepted (error code NONE): forged requests that changed its state.
   */
  readonly controlPlaneAccepted: {
    index: number;
    api: string;
    description: string;
    controllerEpoch?: number;
  }[];
  /** When each case was written and settled (wall clock), to set beside a stall seen elsewhere. */
  readonly timeline: readonly CaseTiming[];
  /** The cases that waited longest for their answer. */
  readonly slowest: { index: number; kind: string; api: string; ms: number; outcome: CaseOutcome }[];
}

export interface CaseTiming {
  readonly index: number;
  readonly kind: string;
  readonly api: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly outcome: CaseOutcome;
}

/** The cases in flight at wall-clock time `atMs` (± `slackMs`). */
export function casesInFlight(report: WireFuzzReport, atMs: number, slackMs = 0): CaseTiming[] {
  return report.timeline.filter((t) => t.startMs <= atMs + slackMs && t.endMs >= atMs - slackMs);
}

/** Correlation ids of sentinels: above every case's (a case's id is its index). */
const SENTINEL_BASE = 0x40000000;

/** Asks a broker what it serves (ApiVersions v0 on a connection of its own). */
/**
 * The sentinel's correlation id after case `c`: SENTINEL_BASE + index, unless a mutation turned the
 * case's own correlation id into exactly that (seed 1363161120, case 1840: a bit flip made 1840 into
 * 0x40000730), when the case's answer would be taken for the sentinel's and the sentinel's answer
 * would then arrive during the next case.
 */
function sentinelFor(c: FuzzCase): number {
  const sentinel = SENTINEL_BASE + c.index;
  const sent = c.wire.length >= 12 ? c.wire.readInt32BE(8) : NaN;
  return sent === sentinel ? sentinel ^ 0x20000000 : sentinel;
}

export async function servedApis(port: number): Promise<ServedApi[]> {
  const client = await TestClient.connect(port);
  try {
    client.send(ApiKey.ApiVersions, 0, 1, {});
    await client.waitFrames(1, 10_000);
    const { body } = client.decode(0, ApiKey.ApiVersions, 0);
    return body.apiKeys.map((a: ServedApi) => ({
      apiKey: a.apiKey,
      minVersion: a.minVersion,
      maxVersion: a.maxVersion,
    }));
  } finally {
    client.close();
  }
}

export async function runWireFuzz(options: WireFuzzOptions): Promise<WireFuzzReport> {
  const indexes = options.only ?? Array.from({ length: options.cases }, (_, i) => i);
  const started = Date.now();
  let next = 0;
  let connectionsOpened = 0;
  const outcomes: Record<string, Record<CaseOutcome, number>> = {};
  const anomalies: CaseAnomaly[] = [];
  const timings: WireFuzzReport['slowest'][number][] = [];
  const timeline: CaseTiming[] = [];
  const produceAnswers: Record<string, Record<string, number>> = {};
  const controlPlaneAccepted: WireFuzzReport['controlPlaneAccepted'] = [];
  const poisonAccepted: WireFuzzReport['poisonAccepted'] = [];
  const served = new Map(options.context.served.map((a) => [a.apiKey, a]));

  const record = (c: FuzzCase, outcome: CaseOutcome, ms: number): void => {
    const endMs = Date.now();
    const api = `${c.apiKey} v${c.apiVersion}`;
    timeline.push({ index: c.index, kind: c.kind, api, startMs: endMs - ms, endMs, outcome });
    const byKind = (outcomes[c.kind] ??= { answered: 0, noResponse: 0, closed: 0, timedOut: 0, sizeLied: 0 });
    byKind[outcome]++;
    timings.push({ index: c.index, kind: c.kind, api, ms, outcome });
  };

  const worker = async (): Promise<void> => {
    let client: TestClient | null = null;
    try {
      while (next < indexes.length) {
        const fuzzCase = generateCase(options.context, indexes[next++]);
        if (client === null || client.isClosed) {
          client?.close();
          client = await TestClient.connect(options.port);
          connectionsOpened++;
        }
        client.frames.length = 0;
        const t0 = performance.now();
        await writeCase(client, fuzzCase);
        if (fuzzCase.endsConnection) {
          // nothing after a lying size is a frame: give the broker a moment to refuse it, then hang up
          await client.waitFrames(1, 20);
          record(fuzzCase, 'sizeLied', performance.now() - t0);
          client.close();
          client = null;
          continue;
        }
        const sentinel = sentinelFor(fuzzCase);
        client.send(ApiKey.ApiVersions, 0, sentinel, {});
        const outcome = await waitForSentinel(client, sentinel, options.answerTimeoutMs);
        const ms = performance.now() - t0;
        const answers = outcome === 'sentinel' ? client.frames.slice(0, -1) : client.frames.slice();
        const problem = checkAnswers(fuzzCase, answers, outcome, served);
        if (problem !== null) anomalies.push({ fuzzCase, problem });
        if (CONTROL_PLANE_APIS.includes(fuzzCase.apiKey) && answers.length === 1 && problem === null) {
          const accepted = acceptedControlRequest(fuzzCase, answers[0]);
          if (accepted !== null) controlPlaneAccepted.push(accepted);
        }
        if (fuzzCase.kind === 'records' && answers.length === 1 && problem === null) {
          const poison = tallyProduceAnswer(produceAnswers, fuzzCase, answers[0]);
          if (poison !== null)
            poisonAccepted.push({ index: fuzzCase.index, description: fuzzCase.description, why: poison });
        }
        const result: CaseOutcome =
          outcome === 'closed'
            ? 'closed'
            : outcome === 'timeout'
              ? 'timedOut'
              : answers.length > 0
                ? 'answered'
                : 'noResponse';
        record(fuzzCase, result, ms);
        if (outcome === 'timeout') {
          client.close();
          client = null;
        }
      }
    } finally {
      client?.close();
    }
  };
  await Promise.all(Array.from({ length: options.connections }, () => worker()));
  timings.sort((a, b) => b.ms - a.ms);
  return {
    seed: options.context.seed,
    cases: indexes.length,
    elapsedMs: Date.now() - started,
    connectionsOpened,
    outcomes,
    anomalies,
    produceAnswers,
    controlPlaneAccepted,
    poisonAccepted,
    timeline,
    slowest: timings.slice(0, 5).map((t) => ({ ...t, ms: Math.round(t.ms) })),
  };
}

/** A control-plane case the broker answered with NONE, with the controller epoch it carried. */
function acceptedControlRequest(
  c: FuzzCase,
  answer: Buffer,
): WireFuzzReport['controlPlaneAccepted'][number] | null {
  const { body } = decodeResponse(c.apiKey, c.apiVersion, answer);
  if (body.errorCode !== ErrorCode.NONE) return null;
  let controllerEpoch: number | undefined;
  try {
    controllerEpoch = decodeRequest(c.wire.subarray(4)).body.controllerEpoch;
  } catch {
    controllerEpoch = undefined;
  }
  return {
    index: c.index,
    api: `${apiSpec(c.apiKey)?.name} v${c.apiVersion}`,
    description: c.description,
    controllerEpoch,
  };
}

/**
 * Counts the partition errors of a `records` case's answer under how its records were damaged;
 * when they were stored (NONE) but do not decode strictly, says why (else null).
 */
function tallyProduceAnswer(
  tally: Record<string, Record<string, number>>,
  c: FuzzCase,
  answer: Buffer,
): string | null {
  const how = c.description
    .replace(/\s*\[.*$/s, '')
    .replace(/ \(\d+ records\)/g, '')
    .replace(/ \+ .*$/, ' + another');
  const { body } = decodeResponse(ApiKey.Produce, c.apiVersion, answer);
  const byCode = (tally[how] ??= {});
  let stored = false;
  for (const t of body.responses) {
    for (const p of t.partitionResponses) {
      const name = errorInfo(p.errorCode).name;
      byCode[name] = (byCode[name] ?? 0) + 1;
      stored ||= p.errorCode === ErrorCode.NONE;
    }
  }
  if (!stored) return null;
  const records: Buffer = decodeRequest(c.wire.subarray(4)).body.topicData[0].partitionData[0].records;
  try {
    if (c.apiVersion >= 3) {
      for (let pos = 0; pos < records.length;)
        pos += LOG_OVERHEAD + decodeBatch(records, pos).header.batchLength;
    } else {
      decodeMessageSet(records);
    }
    return null;
  } catch (e) {
    byCode['NONE, yet undecodable'] = (byCode['NONE, yet undecodable'] ?? 0) + 1;
    return (e as Error).message;
  }
}

async function writeCase(client: TestClient, c: FuzzCase): Promise<void> {
  let from = 0;
  for (const at of [...c.splitAt, c.wire.length]) {
    client.sendRaw(c.wire.subarray(from, at));
    from = at;
    if (at < c.wire.length) await new Promise((r) => setImmediate(r));
  }
}

async function waitForSentinel(
  client: TestClient,
  sentinel: number,
  timeoutMs: number,
): Promise<'sentinel' | 'closed' | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = client.frames[client.frames.length - 1];
    if (last !== undefined && last.length >= 4 && last.readInt32BE(0) === sentinel) return 'sentinel';
    if (client.isClosed) return 'closed';
    const left = deadline - Date.now();
    if (left <= 0) return 'timeout';
    await client.waitFrames(client.frames.length + 1, left);
  }
}

/**
 * What a case's answers must be: at most one; carrying the correlation id as sent; decodable as the
 * response of the api and version as sent when the broker serves them; and for a valid request,
 * given at all (a closed connection where Kafka answers an error code is a wrong answer).
 */
function checkAnswers(
  c: FuzzCase,
  answers: readonly Buffer[],
  outcome: 'sentinel' | 'closed' | 'timeout',
  served: ReadonlyMap<number, ServedApi>,
): string | null {
  if (answers.length > 1) return `${answers.length} answers to one request`;
  const sentKey = c.wire.length >= 8 ? c.wire.readInt16BE(4) : NaN;
  const sentVersion = c.wire.length >= 8 ? c.wire.readInt16BE(6) : NaN;
  const sentCorrelationId = c.wire.length >= 12 ? c.wire.readInt32BE(8) : NaN;
  if (answers.length === 1) {
    const answer = answers[0];
    if (answer.length < 4 || answer.readInt32BE(0) !== sentCorrelationId) {
      return `answer carries correlation id ${answer.length >= 4 ? answer.readInt32BE(0) : '-'}, request ${sentCorrelationId}`;
    }
    const api = served.get(sentKey);
    if (api !== undefined && sentVersion >= api.minVersion && sentVersion <= api.maxVersion) {
      try {
        decodeResponse(sentKey, sentVersion, answer);
      } catch (e) {
        return `the answer does not decode as ${sentKey} v${sentVersion}: ${(e as Error).message}`;
      }
    }
  }
  if (c.mustAnswer && outcome === 'closed')
    return 'a valid request: the broker closed the connection instead of answering';
  if (c.mustAnswer && outcome === 'sentinel' && answers.length === 0) return 'a valid request: no answer';
  if (c.mustAnswer && outcome === 'timeout') return 'a valid request: no answer in time';
  return null;
}
