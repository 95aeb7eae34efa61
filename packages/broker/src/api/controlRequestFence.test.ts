import { ErrorCode } from '@samsa/protocol';
import { ControlRequestFence, isBrokerEpochStale } from './controlRequestFence';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A fence over a fake ZooKeeper: `zk` is what /controller_epoch and /controller hold, `reads` counts reads. */
function fence(opts: { brokerEpoch?: number; known?: number; zk?: { epoch: number | null; controllerId: number | null }[] }) {
  const answers = opts.zk ?? [{ epoch: 5, controllerId: 1 }];
  const state = { reads: 0, known: opts.known ?? 5 };
  const f = new ControlRequestFence({
    brokerEpoch: () => opts.brokerEpoch ?? 100,
    knownControllerEpoch: () => state.known,
    readController: async () => answers[Math.min(state.reads++, answers.length - 1)],
    logger: quiet,
    lagRetryMs: 1,
  });
  return { f, state };
}

const request = (controllerEpoch: number, brokerEpoch: number, controllerId = 1) => ({
  apiName: 'LeaderAndIsr',
  controllerId,
  controllerEpoch,
  brokerEpoch,
});

describe('isBrokerEpochStale (Kafka KafkaApis.isBrokerEpochStale)', () => {
  test('onlyAKnownOlderEpochIsStale', () => {
    expect(isBrokerEpochStale(99, 100)).toBe(true);
    expect(isBrokerEpochStale(100, 100)).toBe(false);
    expect(isBrokerEpochStale(101, 100)).toBe(false); // the controller may learn a re-registration first
    expect(isBrokerEpochStale(-1, 100)).toBe(false); // unknown: accepted
  });
});

describe('ControlRequestFence', () => {
  test('aStaleBrokerEpochIsRefusedBeforeTheControllerEpochIsLookedAt', async () => {
    const { f, state } = fence({ brokerEpoch: 100 });
    expect(await f.check(request(2 ** 31 - 1, 99))).toBe(ErrorCode.STALE_BROKER_EPOCH);
    expect(state.reads).toBe(0);
  });

  test('theKnownEpochOrAnOlderOneCostsNoZooKeeperRead', async () => {
    const { f, state } = fence({ known: 5 });
    expect(await f.check(request(5, 100))).toBe(ErrorCode.NONE);
    expect(await f.check(request(4, -1))).toBe(ErrorCode.NONE); // the ReplicaManager answers STALE for it
    expect(state.reads).toBe(0);
  });

  test('aNewEpochIsAcceptedOnceZooKeeperHoldsItForThatController', async () => {
    const { f, state } = fence({ known: 5, zk: [{ epoch: 6, controllerId: 2 }] });
    expect(await f.check(request(6, 100, 2))).toBe(ErrorCode.NONE);
    expect(state.reads).toBe(1);
    // confirmed: the next request of that epoch (before the ReplicaManager took it) reads nothing
    expect(await f.check(request(6, 100, 2))).toBe(ErrorCode.NONE);
    expect(state.reads).toBe(1);
    // another controller id claiming the confirmed epoch is not believed
    expect(await f.check(request(6, 100, 3))).toBe(ErrorCode.STALE_CONTROLLER_EPOCH);
  });

  test('aForgedMaximumEpochIsRefused', async () => {
    const { f, state } = fence({ known: 5, zk: [{ epoch: 5, controllerId: 1 }] });
    expect(await f.check(request(2 ** 31 - 1, -1))).toBe(ErrorCode.STALE_CONTROLLER_EPOCH);
    expect(state.reads).toBe(2); // read again once, in case this ZooKeeper server lagged
    // and the real controller's requests still pass
    expect(await f.check(request(5, 100))).toBe(ErrorCode.NONE);
  });

  test('aLaggingZooKeeperServerIsReadAgain', async () => {
    const { f, state } = fence({ known: 5, zk: [{ epoch: 5, controllerId: 1 }, { epoch: 6, controllerId: 2 }] });
    expect(await f.check(request(6, 100, 2))).toBe(ErrorCode.NONE);
    expect(state.reads).toBe(2);
  });

  test('anEpochBetweenTheKnownAndZooKeepersIsADeposedControllers', async () => {
    const { f } = fence({ known: 5, zk: [{ epoch: 8, controllerId: 2 }] });
    expect(await f.check(request(7, 100, 1))).toBe(ErrorCode.STALE_CONTROLLER_EPOCH);
  });

  test('noControllerInZooKeeperConfirmsNothing', async () => {
    const { f } = fence({ known: 0, zk: [{ epoch: null, controllerId: null }] });
    expect(await f.check(request(1, -1, 0))).toBe(ErrorCode.STALE_CONTROLLER_EPOCH);
  });

  test('beforeRegistrationARequestWaitsForTheNewEpochAndOneForThePreviousIncarnationIsThenStale', async () => {
    let epoch = -1;
    let register: () => void = () => undefined;
    const registered = new Promise<void>((resolve) => (register = resolve));
    const f = new ControlRequestFence({
      brokerEpoch: () => epoch,
      registered: () => registered,
      knownControllerEpoch: () => 5,
      readController: async () => ({ epoch: 5, controllerId: 1 }),
      logger: quiet,
    });
    // addressed to the previous incarnation (epoch 90) and to this one (epoch 120, as the controller will learn)
    const old = f.check(request(5, 90));
    const current = f.check(request(5, 120));
    let settled = false;
    void Promise.all([old, current]).then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    epoch = 120;
    register();
    expect(await old).toBe(ErrorCode.STALE_BROKER_EPOCH);
    expect(await current).toBe(ErrorCode.NONE);
  });

  test('aZooKeeperFailureRefuses', async () => {
    const f = new ControlRequestFence({
      brokerEpoch: () => 1,
      knownControllerEpoch: () => 0,
      readController: () => Promise.reject(new Error('connection loss')),
      logger: quiet,
    });
    expect(await f.check(request(1, 1))).toBe(ErrorCode.STALE_CONTROLLER_EPOCH);
  });

  test('concurrentRequestsShareOneRead', async () => {
    const { f, state } = fence({ known: 5, zk: [{ epoch: 6, controllerId: 2 }] });
    const answers = await Promise.all([f.check(request(6, 100, 2)), f.check(request(6, 100, 2)), f.check(request(6, 100, 2))]);
    expect(answers).toEqual([ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE]);
    expect(state.reads).toBe(1);
  });
});
