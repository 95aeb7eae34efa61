import { ControlRequestFence } from '../controlRequestFence';

/**
 * A ControlRequestFence whose "ZooKeeper" holds controller `controllerId` at `controllerEpoch` (the
 * values fakeDeps' request bodies carry), and whose broker has epoch `brokerEpoch` (none by default):
 * the requests of a handler test pass it as a real controller's would.
 */
export function fakeControlRequestFence({
  controllerEpoch = 1,
  controllerId = 0,
  knownControllerEpoch = () => 0,
  brokerEpoch = -1,
} = {}): ControlRequestFence {
  return new ControlRequestFence({
    brokerEpoch: () => brokerEpoch,
    knownControllerEpoch,
    readController: () => Promise.resolve({ epoch: controllerEpoch, controllerId }),
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
}
