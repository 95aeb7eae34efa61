import { TopicPartitionMap, type Logger, type TopicPartition } from '@samsa/common';
import type { Struct } from '@samsa/protocol';
import { ControllerMovedError, TopicPartitionStateZNode, type Broker, type CreateResponse, type GetDataResponse, type LeaderAndIsr, type LeaderIsrAndControllerEpoch, type UpdateLeaderAndIsrOutcome, type UpdateLeaderAndIsrResult, type ZkStat } from '@samsa/zk';
import { ControllerBrokerRequestBatch, type BatchResponseEvent } from '../ControllerBrokerRequestBatch';
import type { ControlRequestSender, ResponseCallback } from '../ControllerChannelManager';
import { ControllerContext } from '../ControllerContext';
import {
  DEFAULT_CONTROL_REQUEST_VERSIONS,
  type ControlApiKey,
  type ControlRequestOf,
  type ControlRequestVersions,
} from '../ControlRequests';
import { StateChangeLogger } from '../StateChangeLogger';
import { receivedResponse } from './receivedControlRequests';

/**
 * Test doubles for the controller's unit tests: an in-memory stand-in for the partition-state
 * part of KafkaZkClient (conditional writes by znode version, fenced by an epoch zkVersion), and
 * a sender that records requests instead of sending them.
 */

export const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A logger that keeps its lines, to assert on what was logged. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const add = (level: string) => (m: string) => void lines.push(`${level} ${m}`);
  return { lines, debug: add('DEBUG'), info: add('INFO'), warn: add('WARN'), error: add('ERROR') };
}

function stat(version: number): ZkStat {
  return {
    czxid: 1,
    mzxid: 1,
    pzxid: 1,
    ctime: 0,
    mtime: 0,
    version,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    dataLength: 0,
    numChildren: 0,
  };
}

export class FakePartitionStateZk {
  /** The /controller_epoch zkVersion writes must match (else ControllerMovedError). */
  epochZkVersion = 1;
  readonly states = new TopicPartitionMap<LeaderIsrAndControllerEpoch>();
  readonly topicConfigs = new Map<string, Map<string, string>>();
  writes = 0;

  private fence(expected: number): void {
    if (expected !== this.epochZkVersion) throw new ControllerMovedError(`expected zkVersion ${expected}`);
  }

  /** Writes a state as another party would (e.g. a leader shrinking its ISR): bumps the version. */
  put(tp: TopicPartition, leaderAndIsr: Omit<LeaderAndIsr, 'zkVersion'>, controllerEpoch = 1): void {
    const previous = this.states.get(tp);
    const zkVersion = previous === undefined ? 0 : previous.leaderAndIsr.zkVersion + 1;
    this.states.set(tp, { leaderAndIsr: { ...leaderAndIsr, zkVersion }, controllerEpoch });
  }

  async createTopicPartitionStatesRaw(
    states: TopicPartitionMap<LeaderIsrAndControllerEpoch>,
    expectedControllerEpochZkVersion: number,
  ): Promise<TopicPartitionMap<CreateResponse>> {
    this.fence(expectedControllerEpochZkVersion);
    const out = new TopicPartitionMap<CreateResponse>();
    for (const [tp, state] of states) {
      const path = TopicPartitionStateZNode.path(tp);
      if (this.states.has(tp)) {
        out.set(tp, { code: 'NODEEXISTS', path, name: null });
        continue;
      }
      this.writes += 1;
      this.states.set(tp, { ...state, leaderAndIsr: { ...state.leaderAndIsr, zkVersion: 0 } });
      out.set(tp, { code: 'OK', path, name: path });
    }
    return out;
  }

  async getTopicPartitionStatesRaw(partitions: readonly TopicPartition[]): Promise<GetDataResponse[]> {
    return partitions.map((tp) => {
      const path = TopicPartitionStateZNode.path(tp);
      const state = this.states.get(tp);
      if (state === undefined) return { code: 'NONODE', path, data: null, stat: null };
      return {
        code: 'OK',
        path,
        data: TopicPartitionStateZNode.encode(state),
        stat: stat(state.leaderAndIsr.zkVersion),
      };
    });
  }

  async updateLeaderAndIsr(
    leaderAndIsrs: TopicPartitionMap<LeaderAndIsr>,
    controllerEpoch: number,
    expectedControllerEpochZkVersion: number,
  ): Promise<UpdateLeaderAndIsrResult> {
    this.fence(expectedControllerEpochZkVersion);
    const finishedPartitions = new TopicPartitionMap<UpdateLeaderAndIsrOutcome>();
    const partitionsToRetry: TopicPartition[] = [];
    for (const [tp, l] of leaderAndIsrs) {
      const current = this.states.get(tp);
      if (current === undefined) {
        finishedPartitions.set(tp, { ok: false, error: new Error('NONODE') });
      } else if (current.leaderAndIsr.zkVersion !== l.zkVersion) {
        partitionsToRetry.push(tp);
      } else {
        this.writes += 1;
        const written = { ...l, zkVersion: l.zkVersion + 1 };
        this.states.set(tp, { leaderAndIsr: written, controllerEpoch });
        finishedPartitions.set(tp, { ok: true, leaderAndIsr: written });
      }
    }
    return { finishedPartitions, partitionsToRetry };
  }

  async getTopicConfigs(topics: Iterable<string>): Promise<Map<string, Map<string, string>>> {
    return new Map([...topics].map((t) => [t, this.topicConfigs.get(t) ?? new Map<string, string>()]));
  }
}

export interface SentRequest<K extends ControlApiKey = ControlApiKey> {
  readonly brokerId: number;
  readonly request: ControlRequestOf<K>;
  /**
   * The controller's callback, given a response body as a test writes it: the body is encoded and
   * decoded in the request's version first, as the channel would hand it over.
   */
  readonly callback: ((body: Struct) => void) | undefined;
}

export class RecordingSender implements ControlRequestSender {
  readonly sent: SentRequest[] = [];

  sendRequest<K extends ControlApiKey>(
    brokerId: number,
    request: ControlRequestOf<K>,
    callback?: ResponseCallback<K>,
  ): void {
    this.sent.push({
      brokerId,
      request,
      callback: callback && ((body) => callback(receivedResponse(request, body))),
    });
  }

  /** Requests of one api key, by broker. */
  byApi<K extends ControlApiKey>(apiKey: K): Array<SentRequest<K>> {
    return this.sent.filter((s): s is SentRequest<K> => s.request.apiKey === apiKey);
  }

  answer(index: number, body: Struct): void {
    this.sent[index].callback?.(body);
  }

  clear(): void {
    this.sent.length = 0;
  }
}

export function plaintextBroker(id: number, port = 9092 + id): Broker {
  return {
    id,
    endPoints: [{ host: '127.0.0.1', port, listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT' }],
    rack: null,
    features: {},
  };
}

/** A context with live brokers `ids` (epoch 100 + id), epoch 5 at epoch zkVersion 1. */
export function contextWithBrokers(ids: readonly number[]): ControllerContext {
  const context = new ControllerContext();
  context.epoch = 5;
  context.epochZkVersion = 1;
  context.setLiveBrokers(ids.map((id) => ({ broker: plaintextBroker(id), epoch: 100 + id })));
  return context;
}

export interface BatchFixture {
  readonly batch: ControllerBrokerRequestBatch;
  readonly sender: RecordingSender;
  readonly events: BatchResponseEvent[];
  readonly stateChangeLog: Logger & { lines: string[] };
}

export function batchFor(
  context: ControllerContext,
  versions: ControlRequestVersions = DEFAULT_CONTROL_REQUEST_VERSIONS,
): BatchFixture {
  const sender = new RecordingSender();
  const events: BatchResponseEvent[] = [];
  const stateChangeLog = recordingLogger();
  const batch = new ControllerBrokerRequestBatch({
    controllerId: 0,
    context,
    versions,
    interBrokerListenerName: 'PLAINTEXT',
    sender,
    sendEvent: (e) => events.push(e),
    stateChangeLogger: new StateChangeLogger(0, stateChangeLog),
    logger: quietLogger,
  });
  return { batch, sender, events, stateChangeLog };
}
