import { ClusterClient, DisconnectedError, type BrokerAddress } from '@samsa/client';
import { ApiKey, ErrorCode, errorInfo, type RequestInputFor, type ResponseFor, type Struct } from '@samsa/protocol';
import { ClusterGroupsAdmin } from './ClusterGroupsAdmin';
import { readGroups } from './GroupsReader';

/**
 * The groups view's Admin calls against a fake two-broker cluster answering at the request level
 * (ClusterClient.send): broker 1 coordinates every group and leads partition 1 of "orders".
 */
interface Sent {
  readonly nodeId: number;
  readonly apiKey: number;
  readonly body: Struct;
}

const BASE = 9092;

class FakeCluster extends ClusterClient {
  readonly sent: Sent[] = [];
  coordinatorErrors: number[] = [];
  /** What broker 1 answers ListGroups with before its groups: an error code, or a failure to throw. */
  listGroupsAnswers: Array<number | Error> = [];

  constructor() {
    super({ bootstrap: [{ host: '127.0.0.1', port: BASE }], clientId: 'test', requestTimeoutMs: 1000 });
  }

  override async send<K extends number>(target: BrokerAddress, apiKey: K, _v: number, input: RequestInputFor<K>): Promise<ResponseFor<K>> {
    const nodeId = target.port - BASE;
    const body = input as Struct;
    this.sent.push({ nodeId, apiKey, body });
    return this.answer(nodeId, apiKey, body) as unknown as ResponseFor<K>;
  }

  private answer(nodeId: number, apiKey: number, body: Struct): Struct {
    switch (apiKey) {
      case ApiKey.Metadata:
        return {
          brokers: [0, 1].map((id) => ({ nodeId: id, host: '127.0.0.1', port: BASE + id, rack: null })),
          controllerId: 0,
          clusterId: 'c',
          topics: ((body.topics as Struct[] | null) ?? []).map((t) => ({
            errorCode: t.name === 'orders' ? 0 : 3,
            name: t.name,
            isInternal: false,
            partitions:
              t.name === 'orders'
                ? [0, 1].map((p) => ({ errorCode: 0, partitionIndex: p, leaderId: p, leaderEpoch: 0, replicaNodes: [p], isrNodes: [p], offlineReplicas: [] }))
                : [],
          })),
        };
      case ApiKey.ListGroups: {
        const first = nodeId === 1 ? this.listGroupsAnswers.shift() : undefined;
        if (first instanceof Error) throw first;
        if (first !== undefined) return { errorCode: first, groups: [] };
        return { errorCode: 0, groups: nodeId === 0 ? [{ groupId: 'billing', protocolType: 'consumer' }] : [{ groupId: 'archive', protocolType: 'consumer' }] };
      }
      case ApiKey.FindCoordinator:
        return { errorCode: 0, errorMessage: null, nodeId: 1, host: '127.0.0.1', port: BASE + 1 };
      case ApiKey.DescribeGroups:
        return {
          groups: (body.groups as string[]).map((groupId) => ({
            errorCode: this.coordinatorErrors.shift() ?? 0,
            groupId,
            groupState: groupId === 'billing' ? 'Stable' : 'Empty',
            protocolType: 'consumer',
            protocolData: groupId === 'billing' ? 'range' : '',
            members: groupId === 'billing' ? [{ memberId: 'm-0', groupInstanceId: null, clientId: 'app', clientHost: '/127.0.0.1', memberMetadata: Buffer.alloc(0), memberAssignment: Buffer.alloc(0) }] : [],
          })),
        };
      case ApiKey.OffsetFetch:
        return body.groupId === 'billing'
          ? {
              errorCode: 0,
              topics: [
                {
                  name: 'orders',
                  partitions: [
                    { partitionIndex: 0, committedOffset: 90, metadata: null, errorCode: 0 },
                    { partitionIndex: 1, committedOffset: -1, metadata: null, errorCode: 0 },
                  ],
                },
              ],
            }
          : { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] };
      case ApiKey.ListOffsets:
        return {
          topics: (body.topics as Struct[]).map((t) => ({
            name: t.name,
            partitions: (t.partitions as Struct[]).map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0, timestamp: -1, offset: p.partitionIndex === 0 ? 100 : 40 })),
          })),
        };
      default:
        throw new Error(`unexpected api key ${apiKey}`);
    }
  }
}

test('readsEveryBrokersGroupsAndTheirLagThroughTheCoordinatorAndTheLeaders', async () => {
  const cluster = new FakeCluster();
  const snapshot = await readGroups(new ClusterGroupsAdmin(cluster, 1000), () => 7);
  expect(snapshot.groups.map((g) => [g.groupId, g.state, g.error])).toEqual([
    ['archive', 'Empty', errorInfo(ErrorCode.GROUP_AUTHORIZATION_FAILED).message],
    ['billing', 'Stable', null],
  ]);
  expect(snapshot.groups[1]).toMatchObject({
    protocol: 'range',
    members: [{ memberId: 'm-0', clientId: 'app', clientHost: '/127.0.0.1' }],
    totalLag: 10,
    partitions: [
      { topic: 'orders', partition: 0, committedOffset: 90, logEndOffset: 100, lag: 10 },
      { topic: 'orders', partition: 1, committedOffset: null, logEndOffset: 40, lag: null },
    ],
  });
  const to = (apiKey: number) => cluster.sent.filter((s) => s.apiKey === apiKey).map((s) => s.nodeId);
  expect(to(ApiKey.ListGroups).sort()).toEqual([0, 1]);
  expect(to(ApiKey.DescribeGroups)).toEqual([1, 1]);
  expect(to(ApiKey.OffsetFetch)).toEqual([1, 1]);
  expect(to(ApiKey.ListOffsets).sort()).toEqual([0, 1]);
});

test('aLoadingCoordinatorIsAskedAgain', async () => {
  const cluster = new FakeCluster();
  cluster.coordinatorErrors = [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS];
  const { groups } = await new ClusterGroupsAdmin(cluster, 1000).describeGroups(['billing']);
  expect(groups[0]!.state).toBe('Stable');
  expect(cluster.sent.filter((s) => s.apiKey === ApiKey.FindCoordinator)).toHaveLength(2);
});

test('aBrokerStillLoadingItsGroupsOrUnreachableIsAskedForThemAgain', async () => {
  const cluster = new FakeCluster();
  const closed = new DisconnectedError('connection to 127.0.0.1:9093 was closed by the broker');
  cluster.listGroupsAnswers = [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, closed, ErrorCode.COORDINATOR_NOT_AVAILABLE];
  const { groups } = await new ClusterGroupsAdmin(cluster, 1000).listGroups();
  expect(groups.map((g) => g.groupId).sort()).toEqual(['archive', 'billing']);
  expect(cluster.sent.filter((s) => s.apiKey === ApiKey.ListGroups).map((s) => s.nodeId).sort()).toEqual([0, 1, 1, 1, 1]);
});

test('aListGroupsRefusalThatIsNotRetriableFailsTheRead', async () => {
  const cluster = new FakeCluster();
  cluster.listGroupsAnswers = [ErrorCode.CLUSTER_AUTHORIZATION_FAILED];
  await expect(new ClusterGroupsAdmin(cluster, 1000).listGroups()).rejects.toThrow(errorInfo(ErrorCode.CLUSTER_AUTHORIZATION_FAILED).message);
});

test('aClosedAdminCannotReconnect', async () => {
  const admin = ClusterGroupsAdmin.connect(['127.0.0.1:1'], { clientId: 'test', requestTimeoutMs: 1000 });
  admin.close();
  await expect(admin.listGroups()).rejects.toThrow(/closed/);
});
