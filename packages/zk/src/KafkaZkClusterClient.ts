import { BrokerIdsZNode, BrokerIdZNode, type Broker, type BrokerRegistrationOptions } from './BrokerInfo';
import { BrokerIdInUseError, decideBrokerRegistration } from './BrokerRegistration';
import { KafkaZkClientBase, type KafkaZkClientOptions } from './KafkaZkClientBase';
import { maybeThrow, type ZkStat } from './requests';
import {
  BrokerSequenceIdZNode,
  ClusterIdZNode,
  ControllerEpochZNode,
  ControllerZNode,
  ProducerIdBlockZNode,
  ZkData,
  ZkVersion,
} from './ZkData';
import { ControllerMovedError, ZkError } from './ZkErrors';
import type { ZooKeeperClient } from './ZooKeeperClient';

/** Kafka's KafkaController.InitialControllerEpoch / InitialControllerEpochZkVersion. */
const INITIAL_CONTROLLER_EPOCH = 0;
const INITIAL_CONTROLLER_EPOCH_ZK_VERSION = 0;

/**
 * Kafka's typed ZooKeeper operations (KafkaZkClient.scala), named as Kafka names them. This layer:
 * top-level paths, broker registration, controller election and the cluster id. Topics and
 * partition states are in KafkaZkTopicClient; configs, topic deletion, notifications and admin
 * requests in KafkaZkClient; retries, fencing and generic path operations in KafkaZkClientBase.
 *
 * Methods taking `expectedControllerEpochZkVersion` are the controller's writes: each is fenced on
 * /controller_epoch's znode version and throws ControllerMovedError when another controller has
 * been elected since.
 */
export class KafkaZkClusterClient extends KafkaZkClientBase {
  /** The session that last registered an ephemeral through checkedEphemeralCreate (KAFKA-7165). */
  private registrationSessionId: bigint = -1n;

  constructor(zooKeeperClient: ZooKeeperClient, options: KafkaZkClientOptions = {}) {
    super(zooKeeperClient, options);
  }

  /** Creates the persistent paths a broker needs (ZkData.persistentZkPaths). */
  async createTopLevelPaths(): Promise<void> {
    for (const path of ZkData.persistentZkPaths) await this.makeSurePersistentPathExists(path);
  }

  // ---- brokers ----------------------------------------------------------------------------------

  /**
   * Registers the broker's ephemeral /brokers/ids/<id>; returns the broker epoch (the znode's czxid).
   * When the znode is held by a previous incarnation of this broker (its data names one of this
   * broker's host:port pairs: a process killed before its session ended), waits up to
   * `previousIncarnationWaitMs` for ZooKeeper to expire that session, then registers. Throws
   * BrokerIdInUseError (a ZkError NODEEXISTS) at once when a different broker holds the id, or when
   * the wait runs out.
   */
  async registerBroker(broker: Broker, options: RegisterBrokerOptions = {}): Promise<number> {
    const { previousIncarnationWaitMs = 0, pollIntervalMs = 250, ...encodeOptions } = options;
    const path = BrokerIdZNode.path(broker.id);
    const startMs = Date.now();
    let waitingFor: bigint | null = null;
    for (;;) {
      const outcome = await this.checkedEphemeralCreate(
        path,
        BrokerIdZNode.encode(broker, encodeOptions),
        broker,
      );
      const waitedMs = Date.now() - startMs;
      if (outcome.kind === 'created') {
        if (waitingFor !== null) {
          this.logger.info(
            `The previous incarnation's session 0x${waitingFor.toString(16)} ended after ${waitedMs} ms; ${path} is free`,
          );
        }
        this.logger.info(
          `Registered broker ${broker.id} at path ${path}, czxid (broker epoch): ${outcome.stat.czxid}`,
        );
        return outcome.stat.czxid;
      }
      if (waitedMs >= previousIncarnationWaitMs) {
        throw new BrokerIdInUseError(broker.id, outcome.holder, outcome.ownerSessionId, true, waitedMs);
      }
      if (waitingFor !== outcome.ownerSessionId) {
        waitingFor = outcome.ownerSessionId;
        this.logger.warn(
          `${path} is held by session 0x${waitingFor.toString(16)} of a previous incarnation of this broker ` +
            `(registered at ${outcome.holder}); waiting up to ${previousIncarnationWaitMs - waitedMs} ms ` +
            'for ZooKeeper to expire that session before registering',
        );
      }
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(pollIntervalMs, previousIncarnationWaitMs - waitedMs)),
      );
    }
  }

  async updateBrokerInfo(broker: Broker, options: BrokerRegistrationOptions = {}): Promise<void> {
    const path = BrokerIdZNode.path(broker.id);
    maybeThrow(
      await this.retryRequestUntilConnected({
        type: 'setData',
        path,
        data: BrokerIdZNode.encode(broker, options),
        version: -1,
      }),
    );
  }

  async getSortedBrokerList(): Promise<number[]> {
    return (await this.getChildren(BrokerIdsZNode.path())).map(Number).sort((a, b) => a - b);
  }

  async getAllBrokersInCluster(): Promise<Broker[]> {
    return (await this.getAllBrokerAndEpochsInCluster()).map((b) => b.broker);
  }

  /** Live brokers with their epochs (czxid of their registration). */
  async getAllBrokerAndEpochsInCluster(): Promise<Array<{ broker: Broker; epoch: number }>> {
    const ids = await this.getSortedBrokerList();
    const responses = await this.retryRequestsUntilConnected(
      ids.map((id) => ({ type: 'getData' as const, path: BrokerIdZNode.path(id) })),
    );
    const brokers: Array<{ broker: Broker; epoch: number }> = [];
    responses.forEach((response, i) => {
      if (response.code === 'NONODE') return;
      maybeThrow(response);
      brokers.push({
        broker: BrokerIdZNode.decode(ids[i], response.data).broker,
        epoch: response.stat!.czxid,
      });
    });
    return brokers;
  }

  async getBroker(brokerId: number): Promise<Broker | null> {
    const { data, stat } = await this.getDataAndStat(BrokerIdZNode.path(brokerId));
    return stat === null ? null : BrokerIdZNode.decode(brokerId, data).broker;
  }

  /** The next broker id sequence number: the version of /brokers/seqid after bumping it. */
  async generateBrokerSequenceId(): Promise<number> {
    const path = BrokerSequenceIdZNode.path();
    const response = await this.retryRequestUntilConnected({
      type: 'setData',
      path,
      data: Buffer.alloc(0),
      version: -1,
    });
    if (response.code === 'OK') return response.stat!.version;
    if (response.code !== 'NONODE') throw new ZkError(response.code, path);
    await this.createRecursive(path, Buffer.alloc(0), { throwIfPathExists: false });
    return this.generateBrokerSequenceId();
  }

  // ---- controller -------------------------------------------------------------------------------

  /**
   * Tries to become controller: creates the ephemeral /controller and bumps /controller_epoch in one
   * multi, conditional on the epoch znode's version just read (created as 0 if absent). Returns the
   * new epoch and the epoch znode's version, which fences every later controller write. Throws
   * ControllerMovedError when another broker won.
   */
  async registerControllerAndIncrementControllerEpoch(
    controllerId: number,
  ): Promise<{ epoch: number; epochZkVersion: number }> {
    const timestampMs = Date.now();
    const current = await this.getControllerEpoch();
    const [curEpoch, curEpochZkVersion] =
      current === null ? await this.maybeCreateControllerEpochZNode() : [current.epoch, current.stat.version];
    const newControllerEpoch = curEpoch + 1;
    const response = await this.retryRequestUntilConnected({
      type: 'multi',
      path: ControllerZNode.path(),
      ops: [
        {
          type: 'create',
          path: ControllerZNode.path(),
          data: ControllerZNode.encode(controllerId, timestampMs),
          mode: 'EPHEMERAL',
        },
        {
          type: 'setData',
          path: ControllerEpochZNode.path(),
          data: ControllerEpochZNode.encode(newControllerEpoch),
          version: curEpochZkVersion,
        },
      ],
    });
    switch (response.code) {
      case 'OK':
        return { epoch: newControllerEpoch, epochZkVersion: response.results![1].stat!.version };
      case 'NODEEXISTS':
      case 'BADVERSION':
        return this.checkControllerAndEpoch(controllerId, newControllerEpoch);
      default:
        throw new ZkError(response.code, ControllerZNode.path());
    }
  }

  /** After NODEEXISTS/BADVERSION: did our own (resent) multi win after all? */
  private async checkControllerAndEpoch(
    controllerId: number,
    newControllerEpoch: number,
  ): Promise<{ epoch: number; epochZkVersion: number }> {
    const controller = await this.getControllerId();
    if (controller === null) {
      throw new ControllerMovedError(
        `The ephemeral node at ${ControllerZNode.path()} went away while checking whether the controller election succeeds`,
      );
    }
    if (controller === controllerId) {
      const epoch = await this.getControllerEpoch();
      if (epoch === null)
        throw new Error(`${ControllerEpochZNode.path()} existed before but went away while reading it`);
      if (epoch.epoch === newControllerEpoch)
        return { epoch: newControllerEpoch, epochZkVersion: epoch.stat.version };
    }
    throw new ControllerMovedError(
      `Controller moved to broker ${controller}; broker ${controllerId} did not become controller`,
    );
  }

  private async maybeCreateControllerEpochZNode(): Promise<[number, number]> {
    const path = ControllerEpochZNode.path();
    const response = await this.retryRequestUntilConnected({
      type: 'create',
      path,
      data: ControllerEpochZNode.encode(INITIAL_CONTROLLER_EPOCH),
      mode: 'PERSISTENT',
    });
    if (response.code === 'OK') return [INITIAL_CONTROLLER_EPOCH, INITIAL_CONTROLLER_EPOCH_ZK_VERSION];
    if (response.code !== 'NODEEXISTS') throw new ZkError(response.code, path);
    const epoch = await this.getControllerEpoch();
    if (epoch === null) throw new Error(`${path} existed before but went away while reading it`);
    return [epoch.epoch, epoch.stat.version];
  }

  async getControllerId(): Promise<number | null> {
    const { data, stat } = await this.getDataAndStat(ControllerZNode.path());
    return stat === null ? null : ControllerZNode.decode(data);
  }

  async getControllerEpoch(): Promise<{ epoch: number; stat: ZkStat } | null> {
    const { data, stat } = await this.getDataAndStat(ControllerEpochZNode.path());
    return stat === null ? null : { epoch: ControllerEpochZNode.decode(data), stat };
  }

  /** The controller resigning. */
  async deleteController(expectedControllerEpochZkVersion: number): Promise<void> {
    await this.retryRequestUntilConnected(
      { type: 'delete', path: ControllerZNode.path(), version: -1 },
      expectedControllerEpochZkVersion,
    );
  }

  // ---- cluster id -------------------------------------------------------------------------------

  async getClusterId(): Promise<string | null> {
    const { data, stat } = await this.getDataAndStat(ClusterIdZNode.path());
    return stat === null ? null : ClusterIdZNode.decode(data);
  }

  /** Writes `proposedClusterId` unless a cluster id exists; returns the cluster's id either way. */
  async createOrGetClusterId(proposedClusterId: string): Promise<string> {
    try {
      await this.createRecursive(ClusterIdZNode.path(), ClusterIdZNode.encode(proposedClusterId));
      return proposedClusterId;
    } catch (error) {
      if (!ZkError.is(error, 'NODEEXISTS')) throw error;
      const id = await this.getClusterId();
      if (id === null)
        throw new Error(`Failed to get cluster id from ZooKeeper: ${ClusterIdZNode.path()} was deleted`);
      return id;
    }
  }

  // ---- producer id blocks ----------------------------------------------------------------------

  /**
   * /latest_producer_id_block's data and znode version, as Kafka's ProducerIdManager reads them
   * (getDataAndVersion). The data is null when the znode holds none — it is created empty with the
   * other persistent paths, so the first claim finds it so — and the version is
   * ZkVersion.UnknownVersion when the znode does not exist at all.
   */
  async getProducerIdBlockDataAndVersion(): Promise<{ data: Buffer | null; version: number }> {
    const { data, version } = await this.getDataAndVersion(ProducerIdBlockZNode.path());
    return { data: data === null || data.length === 0 ? null : data, version };
  }

  /**
   * Writes a claimed block to /latest_producer_id_block, conditional on the version read with it
   * (Kafka's conditionalUpdatePath with checkProducerIdBlockZkData); when that read found no znode
   * (ZkVersion.UnknownVersion), creates it instead. `succeeded` is false when another broker wrote
   * or created it first: the caller reads again and claims the block after that one. A BADVERSION
   * whose znode holds exactly this block is a success (our own write, resent after a lost answer).
   */
  async setOrCreateProducerIdBlock(
    data: Buffer,
    expectedVersion: number,
  ): Promise<{ succeeded: boolean; version: number }> {
    const path = ProducerIdBlockZNode.path();
    if (expectedVersion === ZkVersion.UnknownVersion) {
      const response = await this.retryRequestUntilConnected({
        type: 'create',
        path,
        data,
        mode: 'PERSISTENT',
      });
      if (response.code === 'NODEEXISTS') return { succeeded: false, version: ZkVersion.UnknownVersion };
      maybeThrow(response);
      return { succeeded: true, version: 0 };
    }
    return this.conditionalUpdatePath(path, data, expectedVersion, async () => {
      const current = await this.getProducerIdBlockDataAndVersion();
      try {
        const written = ProducerIdBlockZNode.decode(data);
        const there = current.data === null ? null : ProducerIdBlockZNode.decode(current.data);
        const same =
          there !== null &&
          there.brokerId === written.brokerId &&
          there.blockStart === written.blockStart &&
          there.blockEnd === written.blockEnd;
        return { succeeded: same, version: same ? current.version : ZkVersion.UnknownVersion };
      } catch (error) {
        this.logger.warn(
          `Error while checking for producerId block Zk data on path ${path}: expected data ${data.toString('utf8')}`,
          error,
        );
        return { succeeded: false, version: ZkVersion.UnknownVersion };
      }
    });
  }

  // ---- ephemerals -------------------------------------------------------------------------------

  /**
   * Creates the broker's ephemeral registration znode (Kafka 2.8 CheckedEphemeral, extended). On
   * NODEEXISTS the znode is read and decideBrokerRegistration says what it is: this session's own
   * (a resent create: fine); left by this client's previous, expired session (deleted and created
   * again, KAFKA-7165); a previous incarnation of this broker (the caller waits); or another broker
   * (BrokerIdInUseError).
   */
  private async checkedEphemeralCreate(
    path: string,
    data: Buffer,
    broker: Broker,
  ): Promise<EphemeralOutcome> {
    const response = await this.retryRequestUntilConnected({
      type: 'multi',
      path,
      ops: [
        { type: 'create', path, data, mode: 'EPHEMERAL' },
        { type: 'setData', path, data, version: 0 },
      ],
    });
    let outcome: EphemeralOutcome;
    if (response.code === 'OK') outcome = { kind: 'created', stat: response.results![1].stat! };
    else if (response.code === 'NODEEXISTS') outcome = await this.getAfterNodeExists(path, data, broker);
    else throw new ZkError(response.code, path);
    if (outcome.kind === 'created') this.registrationSessionId = this.sessionId;
    return outcome;
  }

  private async getAfterNodeExists(path: string, data: Buffer, broker: Broker): Promise<EphemeralOutcome> {
    const existing = await this.getDataAndStat(path);
    if (existing.stat === null) return this.checkedEphemeralCreate(path, data, broker); // went away meanwhile
    const ownerSessionId = existing.stat.ephemeralOwner;
    const decision = decideBrokerRegistration(
      { ownerSessionId, data: existing.data },
      {
        brokerId: broker.id,
        endPoints: broker.endPoints,
        sessionId: this.sessionId,
        previousSessionId: this.registrationSessionId,
      },
    );
    switch (decision.kind) {
      case 'own':
        return { kind: 'created', stat: existing.stat };
      case 'replace': {
        this.logger.info(
          `${path} is left from this client's expired session 0x${ownerSessionId.toString(16)}; re-creating it`,
        );
        const deleted = await this.retryRequestUntilConnected({ type: 'delete', path, version: -1 });
        if (deleted.code !== 'OK' && deleted.code !== 'NONODE') throw new ZkError(deleted.code, path);
        return this.checkedEphemeralCreate(path, data, broker);
      }
      case 'wait':
        return { kind: 'heldByPreviousIncarnation', holder: decision.holder, ownerSessionId };
      case 'fail':
        this.logger.error(
          `Error while creating ephemeral at ${path}: it exists, held by session 0x${ownerSessionId.toString(16)} ` +
            `(not this one, 0x${this.sessionId.toString(16)}) for ${decision.holder}`,
        );
        throw new BrokerIdInUseError(broker.id, decision.holder, ownerSessionId, false);
    }
  }
}

/** registerBroker's options: what the registration JSON carries, and how long to wait for a predecessor. */
export interface RegisterBrokerOptions extends BrokerRegistrationOptions {
  /**
   * How long to wait for ZooKeeper to expire the session of a previous incarnation of this broker
   * that still holds /brokers/ids/<id> (0: fail at once, Kafka's behaviour).
   */
  previousIncarnationWaitMs?: number;
  /** How often to look again while waiting. */
  pollIntervalMs?: number;
}

type EphemeralOutcome =
  | { readonly kind: 'created'; readonly stat: ZkStat }
  | { readonly kind: 'heldByPreviousIncarnation'; readonly holder: string; readonly ownerSessionId: bigint };
