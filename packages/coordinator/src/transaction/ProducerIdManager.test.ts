import { MemoryLogger } from '@samsa/common';
import { ZkVersion } from '@samsa/zk';
import {
  MAX_PRODUCER_ID,
  ProducerIdManager,
  ProducerIdManagerNotStartedError,
  ProducerIdsExhaustedError,
  type ProducerIdBlockZkClient,
} from './ProducerIdManager';

/**
 * /latest_producer_id_block in memory, with ZooKeeper's version rules: created (empty) at version
 * 0, each setData +1, a write with a stale version refused. `beforeWrite` runs between a claim's
 * read and its write (another broker claiming meanwhile).
 */
class FakeProducerIdBlockZk implements ProducerIdBlockZkClient {
  data: Buffer | null = null;
  version: number = ZkVersion.UnknownVersion;
  reads = 0;
  writes: string[] = [];
  beforeWrite: (() => void) | null = null;
  /** Resolves reads only when released (to hold a claim open). */
  gate: Promise<void> | null = null;

  static createdEmpty(): FakeProducerIdBlockZk {
    const zk = new FakeProducerIdBlockZk();
    zk.version = 0;
    return zk;
  }

  async getProducerIdBlockDataAndVersion(): Promise<{ data: Buffer | null; version: number }> {
    this.reads++;
    if (this.gate !== null) await this.gate;
    return { data: this.data, version: this.version };
  }

  async setOrCreateProducerIdBlock(
    data: Buffer,
    expectedVersion: number,
  ): Promise<{ succeeded: boolean; version: number }> {
    await Promise.resolve();
    const hook = this.beforeWrite;
    this.beforeWrite = null;
    hook?.();
    const conflict =
      expectedVersion === ZkVersion.UnknownVersion
        ? this.version !== ZkVersion.UnknownVersion
        : expectedVersion !== this.version;
    if (conflict) return { succeeded: false, version: ZkVersion.UnknownVersion };
    this.data = Buffer.from(data);
    this.version = expectedVersion === ZkVersion.UnknownVersion ? 0 : this.version + 1;
    this.writes.push(data.toString('utf8'));
    return { succeeded: true, version: this.version };
  }

  /** Another broker's claim, written straight into the store. */
  otherBrokerClaims(brokerId: number, start: number, end: number): void {
    this.data = Buffer.from(
      `{"version":1,"broker":${brokerId},"block_start":"${start}","block_end":"${end}"}`,
    );
    this.version = this.version === ZkVersion.UnknownVersion ? 0 : this.version + 1;
  }
}

function manager(zk: ProducerIdBlockZkClient, brokerId = 0, logger = new MemoryLogger()): ProducerIdManager {
  return new ProducerIdManager({ brokerId, zkClient: zk, logger });
}

async function take(m: ProducerIdManager, n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push(await m.generateProducerId());
  return ids;
}

describe('ProducerIdManager', () => {
  test('theFirstClaimOnAnEmptyZnodeIsBlock0To999WithKafkasExactJson', async () => {
    const zk = FakeProducerIdBlockZk.createdEmpty();
    const logger = new MemoryLogger();
    const m = manager(zk, 0, logger);
    await m.startup();
    expect(zk.writes).toEqual(['{"version":1,"broker":0,"block_start":"0","block_end":"999"}']);
    expect(zk.version).toBe(1);
    expect(await take(m, 3)).toEqual([0, 1, 2]);
    expect(logger.matching(/Acquired new producerId block/)).toEqual([
      'INFO Acquired new producerId block (brokerId:0,blockStartProducerId:0,blockEndProducerId:999) ' +
        'by writing to Zk with path version 1',
    ]);
  });

  test('anAbsentZnodeIsCreatedWithTheFirstBlock', async () => {
    const zk = new FakeProducerIdBlockZk();
    const m = manager(zk, 2);
    await m.startup();
    expect(zk.writes).toEqual(['{"version":1,"broker":2,"block_start":"0","block_end":"999"}']);
    expect(zk.version).toBe(0);
    expect(await m.generateProducerId()).toBe(0);
  });

  test('eachStartClaimsTheBlockAfterTheLastOneClaimed', async () => {
    const zk = FakeProducerIdBlockZk.createdEmpty();
    const first = manager(zk, 0);
    await first.startup();
    expect(await take(first, 2)).toEqual([0, 1]);
    first.shutdown();
    const restarted = manager(zk, 0);
    await restarted.startup();
    expect(zk.writes[1]).toBe('{"version":1,"broker":0,"block_start":"1000","block_end":"1999"}');
    expect(zk.version).toBe(2);
    expect(await restarted.generateProducerId()).toBe(1000);
  });

  test('crossingABlockBoundaryClaimsTheNextBlock', async () => {
    const zk = FakeProducerIdBlockZk.createdEmpty();
    const m = manager(zk, 1);
    await m.startup();
    const ids = await take(m, 1001);
    expect(ids[0]).toBe(0);
    expect(ids[999]).toBe(999);
    expect(ids[1000]).toBe(1000);
    expect(new Set(ids).size).toBe(1001);
    expect(zk.writes).toEqual([
      '{"version":1,"broker":1,"block_start":"0","block_end":"999"}',
      '{"version":1,"broker":1,"block_start":"1000","block_end":"1999"}',
    ]);
    expect(m.currentProducerIdBlock).toEqual({ brokerId: 1, blockStart: 1000, blockEnd: 1999 });
  });

  test('anotherBrokersClaimBetweenReadAndWriteIsAVersionConflictAndTheClaimRetries', async () => {
    const zk = FakeProducerIdBlockZk.createdEmpty();
    zk.otherBrokerClaims(1, 0, 999); // version 1
    zk.beforeWrite = () => zk.otherBrokerClaims(2, 1000, 1999); // version 2: our write of v1 is stale
    const m = manager(zk, 0);
    await m.startup();
    expect(zk.reads).toBe(2);
    expect(zk.writes).toEqual(['{"version":1,"broker":0,"block_start":"2000","block_end":"2999"}']);
    expect(zk.version).toBe(3);
    expect(await m.generateProducerId()).toBe(2000);
  });

  test('aCreateRaceOnAnAbsentZnodeRetriesAfterTheOtherBrokersBlock', async () => {
    const zk = new FakeProducerIdBlockZk();
    zk.beforeWrite = () => zk.otherBrokerClaims(1, 0, 999);
    const m = manager(zk, 0);
    await m.startup();
    expect(zk.writes).toEqual(['{"version":1,"broker":0,"block_start":"1000","block_end":"1999"}']);
    expect(await m.generateProducerId()).toBe(1000);
  });

  test('concurrentCallersDuringAClaimWaitOnThatClaimAndGetDistinctIds', async () => {
    const zk = FakeProducerIdBlockZk.createdEmpty();
    const m = manager(zk, 0);
    await m.startup();
    await take(m, 998); // 0..997 handed out; 998 and 999 remain
    let release!: () => void;
    zk.gate = new Promise<void>((resolve) => (release = resolve));
    const readsBefore = zk.reads;
    const pending = Array.from({ length: 50 }, () => m.generateProducerId());
    await new Promise((resolve) => setImmediate(resolve));
    expect(zk.reads).toBe(readsBefore + 1); // one claim, however many callers
    zk.gate = null;
    release();
    const ids = await Promise.all(pending);
    expect(new Set(ids).size).toBe(50);
    expect(ids.slice().sort((a, b) => a - b)).toEqual([
      998,
      999,
      ...Array.from({ length: 48 }, (_, i) => 1000 + i),
    ]);
    expect(zk.writes).toHaveLength(2);
  });

  test('concurrentCallersAcrossManyBlocksNeverShareAnId', async () => {
    const zk = FakeProducerIdBlockZk.createdEmpty();
    const m = manager(zk, 0);
    await m.startup();
    const ids = await Promise.all(Array.from({ length: 3500 }, () => m.generateProducerId()));
    expect(new Set(ids).size).toBe(3500);
    expect(Math.max(...ids)).toBe(3499);
    expect(zk.writes).toHaveLength(4);
  });

  test('twoBrokersSharingTheZnodeNeverHandOutTheSameId', async () => {
    const zk = FakeProducerIdBlockZk.createdEmpty();
    const a = manager(zk, 0);
    const b = manager(zk, 1);
    await Promise.all([a.startup(), b.startup()]);
    const ids = await Promise.all(
      Array.from({ length: 2500 }, (_, i) => (i % 2 === 0 ? a : b).generateProducerId()),
    );
    expect(new Set(ids).size).toBe(2500);
  });

  test('pastTheLastRepresentableIdTheClaimFailsFatallyAndHandsOutNothing', async () => {
    const zk = FakeProducerIdBlockZk.createdEmpty();
    zk.otherBrokerClaims(1, MAX_PRODUCER_ID - 1999, MAX_PRODUCER_ID - 999);
    const logger = new MemoryLogger();
    const m = manager(zk, 0, logger);
    await expect(m.startup()).rejects.toBeInstanceOf(ProducerIdsExhaustedError);
    expect(logger.matching(/^ERROR Exhausted all producerIds/)).toHaveLength(1);
    expect(zk.writes).toEqual([]);
  });

  test('theLastFullBlockBelowTheBoundCanStillBeClaimed', async () => {
    const zk = FakeProducerIdBlockZk.createdEmpty();
    zk.otherBrokerClaims(1, MAX_PRODUCER_ID - 2000, MAX_PRODUCER_ID - 1000);
    const m = manager(zk, 0);
    await m.startup();
    expect(m.currentProducerIdBlock).toEqual({
      brokerId: 0,
      blockStart: MAX_PRODUCER_ID - 999,
      blockEnd: MAX_PRODUCER_ID,
    });
  });

  test('aFailedClaimReachesEveryWaiterAndTheNextCallClaimsAgain', async () => {
    const zk = FakeProducerIdBlockZk.createdEmpty();
    const m = manager(zk, 0);
    await m.startup();
    await take(m, 1000);
    zk.data = Buffer.from('not json');
    const waiters = [m.generateProducerId(), m.generateProducerId()];
    for (const w of waiters) await expect(w).rejects.toThrow();
    zk.otherBrokerClaims(1, 1000, 1999);
    expect(await m.generateProducerId()).toBe(2000);
  });

  test('beforeStartupNoIdIsHandedOut', async () => {
    const m = manager(FakeProducerIdBlockZk.createdEmpty());
    await expect(m.generateProducerId()).rejects.toBeInstanceOf(ProducerIdManagerNotStartedError);
  });
});
