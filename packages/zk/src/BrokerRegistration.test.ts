import { BrokerIdZNode, type Broker, type EndPoint } from './BrokerInfo';
import {
  BrokerIdInUseError,
  decideBrokerRegistration,
  type BrokerRegistrationContext,
} from './BrokerRegistration';
import { ZkError } from './ZkErrors';

const plaintext = (host: string, port: number): EndPoint => ({
  host,
  port,
  listenerName: 'PLAINTEXT',
  securityProtocol: 'PLAINTEXT',
});

const ourEndPoints = [plaintext('127.0.0.1', 9093)];
const registration = (endPoints: EndPoint[]): Buffer => {
  const broker: Broker = { id: 1, endPoints, rack: null, features: {} };
  return BrokerIdZNode.encode(broker, { timestampMs: 1 });
};

const context: BrokerRegistrationContext = {
  brokerId: 1,
  endPoints: ourEndPoints,
  sessionId: 0x100n,
  previousSessionId: -1n,
};

test('aZnodeOwnedByThisSessionIsAlreadyOurRegistration', () => {
  expect(
    decideBrokerRegistration({ ownerSessionId: 0x100n, data: registration(ourEndPoints) }, context),
  ).toEqual({ kind: 'own' });
});

test('aZnodeLeftByThisClientsExpiredSessionIsReplaced', () => {
  expect(
    decideBrokerRegistration(
      { ownerSessionId: 0x99n, data: registration(ourEndPoints) },
      { ...context, previousSessionId: 0x99n },
    ),
  ).toEqual({ kind: 'replace' });
});

test('anotherSessionsZnodeNamingOurHostAndPortIsAPreviousIncarnationToWaitFor', () => {
  expect(
    decideBrokerRegistration({ ownerSessionId: 0x77n, data: registration(ourEndPoints) }, context),
  ).toEqual({
    kind: 'wait',
    holder: '127.0.0.1:9093',
  });
});

test('oneSharedHostAndPortAmongSeveralListenersIsEnoughToWait', () => {
  const registered = [
    plaintext('10.0.0.5', 9092),
    { ...plaintext('127.0.0.1', 9093), listenerName: 'INTERNAL' },
  ];
  expect(
    decideBrokerRegistration({ ownerSessionId: 0x77n, data: registration(registered) }, context),
  ).toEqual({
    kind: 'wait',
    holder: '10.0.0.5:9092, 127.0.0.1:9093',
  });
});

test('anotherBrokerOnAnotherPortFailsFastNamingItsHostAndPort', () => {
  expect(
    decideBrokerRegistration(
      { ownerSessionId: 0x77n, data: registration([plaintext('127.0.0.1', 9094)]) },
      context,
    ),
  ).toEqual({ kind: 'fail', holder: '127.0.0.1:9094' });
});

test('anotherBrokerOnAnotherHostWithTheSamePortFailsFast', () => {
  expect(
    decideBrokerRegistration(
      { ownerSessionId: 0x77n, data: registration([plaintext('10.0.0.9', 9093)]) },
      context,
    ),
  ).toEqual({ kind: 'fail', holder: '10.0.0.9:9093' });
});

test('aPersistentZnodeNeverExpiresSoItIsNotWaitedFor', () => {
  expect(decideBrokerRegistration({ ownerSessionId: 0n, data: registration(ourEndPoints) }, context)).toEqual(
    {
      kind: 'fail',
      holder: '127.0.0.1:9093',
    },
  );
});

test('anUnreadableRegistrationFailsFast', () => {
  expect(decideBrokerRegistration({ ownerSessionId: 0x77n, data: Buffer.from('not json') }, context)).toEqual(
    {
      kind: 'fail',
      holder: 'an unreadable registration',
    },
  );
  expect(decideBrokerRegistration({ ownerSessionId: 0x77n, data: null }, context).kind).toBe('fail');
});

test('noPreviousSessionNeverMatchesAnOwner', () => {
  // previousSessionId -1 (none yet) must not be taken for an owner's session id.
  expect(
    decideBrokerRegistration(
      { ownerSessionId: -1n, data: registration([plaintext('127.0.0.1', 9094)]) },
      context,
    ).kind,
  ).toBe('fail');
});

test('ipv6HostsAreBracketed', () => {
  const v6 = [plaintext('::1', 9093)];
  expect(
    decideBrokerRegistration(
      { ownerSessionId: 0x77n, data: registration(v6) },
      { ...context, endPoints: v6 },
    ),
  ).toEqual({ kind: 'wait', holder: '[::1]:9093' });
});

test('brokerIdInUseErrorIsANodeExistsZkErrorThatNamesTheHolder', () => {
  const other = new BrokerIdInUseError(1, '127.0.0.1:9094', 0x77n, false);
  expect(ZkError.is(other, 'NODEEXISTS')).toBe(true);
  expect(other.message).toBe(
    'KeeperErrorCode = NodeExists for /brokers/ids/1: held by another broker at 127.0.0.1:9094 (session 0x77) ' +
      'that uses broker.id 1',
  );
  const previous = new BrokerIdInUseError(1, '127.0.0.1:9093', 0x77n, true, 11_000);
  expect(previous.message).toContain('still held after 11000 ms by session 0x77 of a previous incarnation');
  expect(previous.message).toContain('127.0.0.1:9093');
});
