import { ApiKey, ErrorCode, type RequestInputFor, type ResponseFor, type Struct } from '@samsa/protocol';
import { AdminApiError, AdminClient, AdminTimeoutError } from './AdminClient';
import type { BrokerAddress } from './ClientUtils';
import { ClusterClient } from './ClusterClient';
import { DisconnectedError } from './errors';
import { SaslAuthenticationFailedError } from './SaslClientAuthenticator';

/** A three-broker cluster answered at the request level; `controllerId` and the answers are the test's. */
class FakeCluster extends ClusterClient {
  readonly sent: Array<{ nodeId: number; apiKey: number }> = [];
  controllerId = 1;

  constructor(private readonly answer: (nodeId: number, apiKey: number, body: Struct) => Struct) {
    super({ bootstrap: [{ host: 'b', port: 9092 }], clientId: 'test', requestTimeoutMs: 1000 });
  }

  override async send<K extends number>(target: BrokerAddress, apiKey: K, _v: number, body: RequestInputFor<K>): Promise<ResponseFor<K>> {
    const nodeId = target.port - 9092;
    this.sent.push({ nodeId, apiKey });
    const response =
      apiKey === ApiKey.Metadata
        ? { brokers: [0, 1, 2].map((id) => ({ nodeId: id, host: 'b', port: 9092 + id, rack: null })), controllerId: this.controllerId, topics: [] }
        : this.answer(nodeId, apiKey, body as Struct);
    return response as unknown as ResponseFor<K>;
  }
}

const to = (cluster: FakeCluster, apiKey: number) => cluster.sent.filter((s) => s.apiKey === apiKey).map((s) => s.nodeId);
const deleteAnswer = (errorCode: number) => ({ responses: [{ name: 't', errorCode }] });

test('controllerRequestsFollowTheControllerAfterNotController', async () => {
  const cluster = new FakeCluster((nodeId) => {
    cluster.controllerId = 2;
    return deleteAnswer(nodeId === 2 ? ErrorCode.NONE : ErrorCode.NOT_CONTROLLER);
  });
  const admin = new AdminClient(cluster, () => Date.now() + 5000);
  const response = await admin.sendToController(ApiKey.DeleteTopics, 3, { topicNames: ['t'], timeoutMs: 1 }, (r) => r.responses.map((t) => t.errorCode));
  expect(response.responses[0]!.errorCode).toBe(ErrorCode.NONE);
  expect(to(cluster, ApiKey.DeleteTopics)).toEqual([1, 2]);
});

test('noControllerUntilTheDeadlineTimesOutWaitingForANodeAssignment', async () => {
  const cluster = new FakeCluster(() => deleteAnswer(0));
  cluster.controllerId = -1;
  const deadline = Date.now() + 250;
  const admin = new AdminClient(cluster, () => deadline);
  const error = await admin.sendToController(ApiKey.DeleteTopics, 3, { topicNames: ['t'], timeoutMs: 1 }, () => []).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AdminTimeoutError);
  expect((error as Error).message).toBe('Timed out waiting for a node assignment. Call: deleteTopics');
  expect(to(cluster, ApiKey.DeleteTopics)).toEqual([]);
});

const refused = (nodeId: number) => new DisconnectedError(`cannot connect to b:${9092 + nodeId}: connect ECONNREFUSED`);

test('aControllerThatCannotBeReachedIsLookedUpAgainAndTheRequestRetried', async () => {
  const cluster = new FakeCluster((nodeId) => {
    if (nodeId === 1) {
      cluster.controllerId = 2;
      throw refused(nodeId);
    }
    return deleteAnswer(ErrorCode.NONE);
  });
  const admin = new AdminClient(cluster, () => Date.now() + 5000);
  const response = await admin.sendToController(ApiKey.DeleteTopics, 3, { topicNames: ['t'], timeoutMs: 1 }, (r) => r.responses.map((t) => t.errorCode));
  expect(response.responses[0]!.errorCode).toBe(ErrorCode.NONE);
  expect(to(cluster, ApiKey.DeleteTopics)).toEqual([1, 2]);
  expect(to(cluster, ApiKey.Metadata).length).toBeGreaterThanOrEqual(2);
});

test('aDisconnectUntilTheDeadlineTimesOutWithTheLastFailureAsCause', async () => {
  const cluster = new FakeCluster((nodeId) => {
    throw refused(nodeId);
  });
  const deadline = Date.now() + 250;
  const admin = new AdminClient(cluster, () => deadline);
  const error = await admin.sendToController(ApiKey.DeleteTopics, 3, { topicNames: ['t'], timeoutMs: 1 }, () => []).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AdminTimeoutError);
  expect((error as Error).message).toMatch(/^Call\(callName=deleteTopics, deadlineMs=\d+, tries=\d+\) timed out at \d+ after \d+ attempt\(s\): cannot connect/);
  expect((error as Error).cause).toBeInstanceOf(DisconnectedError);
  expect(to(cluster, ApiKey.DeleteTopics).length).toBeGreaterThan(1);
});

test('anAuthenticationFailureIsNotRetried', async () => {
  const cluster = new FakeCluster(() => {
    throw new SaslAuthenticationFailedError('bad password');
  });
  const admin = new AdminClient(cluster, () => Date.now() + 5000);
  const error = await admin.sendToController(ApiKey.DeleteTopics, 3, { topicNames: ['t'], timeoutMs: 1 }, () => []).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SaslAuthenticationFailedError);
  expect(to(cluster, ApiKey.DeleteTopics)).toEqual([1]);
});

test('anyBrokerFallsBackOverTheKnownBrokers', async () => {
  const cluster = new FakeCluster((nodeId) => {
    if (nodeId < 2) throw refused(nodeId);
    return { errorCode: 0, errorMessage: null, nodeId: 2, host: 'b', port: 9094 };
  });
  const admin = new AdminClient(cluster, () => Date.now() + 5000);
  const found = await admin.sendToAnyBroker(ApiKey.FindCoordinator, 1, { key: 'g', keyType: 0 });
  expect(found.nodeId).toBe(2);
  expect(to(cluster, ApiKey.FindCoordinator)).toEqual([0, 1, 2]);
});

test('aCoordinatorThatCannotBeReachedIsFoundAgainAndTheRequestRetried', async () => {
  let down = true;
  const cluster = new FakeCluster((nodeId, apiKey) => {
    if (apiKey === ApiKey.FindCoordinator) return { errorCode: 0, errorMessage: null, nodeId: down ? 1 : 2, host: 'b', port: down ? 9093 : 9094 };
    if (nodeId === 1) {
      down = false;
      throw new DisconnectedError('connection to b:9093 was closed by the broker');
    }
    return { errorCode: 0, groups: [] };
  });
  const admin = new AdminClient(cluster, () => Date.now() + 5000);
  const { coordinator, response } = await admin.sendToCoordinator('g', ApiKey.ListGroups, 2, {}, (r) => r.errorCode);
  expect(response.errorCode).toBe(ErrorCode.NONE);
  expect(coordinator.id).toBe(2);
  expect(to(cluster, ApiKey.FindCoordinator)).toEqual([0, 0]);
  expect(to(cluster, ApiKey.ListGroups)).toEqual([1, 2]);
});

test('coordinatorRequestsFindTheCoordinatorAgainAfterACoordinatorError', async () => {
  const codes = [ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.NONE];
  let coordinator = 0;
  const cluster = new FakeCluster((_n, apiKey) =>
    apiKey === ApiKey.FindCoordinator
      ? { errorCode: 0, errorMessage: null, nodeId: ++coordinator % 3, host: 'b', port: 9092 + (coordinator % 3) }
      : { errorCode: codes.shift(), groups: [] },
  );
  const admin = new AdminClient(cluster, () => Date.now() + 5000);
  const { coordinator: node, response } = await admin.sendToCoordinator('g', ApiKey.ListGroups, 2, {}, (r) => r.errorCode);
  expect(response.errorCode).toBe(ErrorCode.NONE);
  expect(node.id).toBe(0);
  expect(to(cluster, ApiKey.ListGroups)).toEqual([1, 2, 0]);
});

test('aCoordinatorErrorPastTheDeadlineIsReturnedForTheCallerToReport', async () => {
  const cluster = new FakeCluster((_n, apiKey) =>
    apiKey === ApiKey.FindCoordinator
      ? { errorCode: 0, errorMessage: null, nodeId: 1, host: 'b', port: 9093 }
      : { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, groups: [] },
  );
  const admin = new AdminClient(cluster, () => 0);
  const { response } = await admin.sendToCoordinator('g', ApiKey.ListGroups, 2, {}, (r) => r.errorCode);
  expect(response.errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  expect(to(cluster, ApiKey.ListGroups)).toEqual([1]);
});

test('aFindCoordinatorRefusalIsAnAdminApiError', async () => {
  const cluster = new FakeCluster(() => ({ errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: 'no', nodeId: -1, host: '', port: -1 }));
  const admin = new AdminClient(cluster, () => Date.now() + 5000);
  const error = await admin.findCoordinator('g').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AdminApiError);
  expect(error).toMatchObject({ code: ErrorCode.GROUP_AUTHORIZATION_FAILED, brokerMessage: 'no' });
});

test('allBrokersAreAskedOnce', async () => {
  const cluster = new FakeCluster((nodeId) => ({ errorCode: 0, groups: [{ groupId: `g${nodeId}`, protocolType: 'consumer' }] }));
  const answers = await new AdminClient(cluster, () => Date.now() + 5000).sendToAllBrokers(ApiKey.ListGroups, 2, {});
  expect([...answers.keys()].sort()).toEqual([0, 1, 2]);
  expect(to(cluster, ApiKey.ListGroups).sort()).toEqual([0, 1, 2]);
});

test('aBrokerThatCannotBeReachedOrIsLoadingIsAskedAgain', async () => {
  const broker1: Array<() => Struct> = [
    () => {
      throw refused(1);
    },
    () => ({ errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, groups: [] }),
  ];
  const cluster = new FakeCluster((nodeId) => {
    const next = nodeId === 1 ? broker1.shift() : undefined;
    return next !== undefined ? next() : { errorCode: 0, groups: [{ groupId: `g${nodeId}`, protocolType: 'consumer' }] };
  });
  const answers = await new AdminClient(cluster, () => Date.now() + 5000).sendToAllBrokers(ApiKey.ListGroups, 2, {}, (r) => r.errorCode);
  expect(answers.get(1)).toEqual({ errorCode: 0, groups: [{ groupId: 'g1', protocolType: 'consumer' }] });
  expect(to(cluster, ApiKey.ListGroups).sort()).toEqual([0, 1, 1, 1, 2]);
});

test('aBrokerStillLoadingAtTheDeadlineIsReturnedForTheCallerToReport', async () => {
  const cluster = new FakeCluster(() => ({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] }));
  const answers = await new AdminClient(cluster, () => 0).sendToAllBrokers(ApiKey.ListGroups, 2, {}, (r) => r.errorCode);
  expect([...answers.values()].map((r) => r.errorCode)).toEqual([15, 15, 15]);
});

test('aRetryStillPendingAtTheDeadlineEndsTheCallWithTheLastFailure', async () => {
  let tries = 0;
  const cluster = new FakeCluster((nodeId) => {
    tries += 1;
    if (tries === 1) throw refused(nodeId);
    return new Promise<never>(() => undefined) as unknown as Struct;
  });
  const deadline = Date.now() + 300;
  const admin = new AdminClient(cluster, () => deadline);
  const error = await admin.sendToController(ApiKey.DeleteTopics, 3, { topicNames: ['t'], timeoutMs: 1 }, () => []).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AdminTimeoutError);
  expect((error as Error).cause).toBeInstanceOf(DisconnectedError);
  expect(tries).toBe(2);
});
