import { updateMetadataContent } from '../testing/controlRequests';
import { ApiKey, ErrorCode } from '@samsa/protocol';
import { CLUSTER_OPERATIONS, describeClusterHandler } from './describeCluster';
import { answerOf } from './testing/untypedEntry';
import { ctx, fakeDeps, updateMetadataBody } from './testing/fakeDeps';

describe('describeClusterHandler', () => {
  test('brokersControllerAndClusterIdFromTheMetadataCache', async () => {
    const deps = fakeDeps();
    deps.metadataCache.updateMetadata(updateMetadataContent(updateMetadataBody([2, 0], {}, 2)));
    const h = describeClusterHandler(deps);
    const r = await answerOf(h, ctx(ApiKey.DescribeCluster, 0), {
      includeClusterAuthorizedOperations: false,
    });
    expect(r).toEqual({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      clusterId: 'test-cluster',
      controllerId: 2,
      brokers: [
        { brokerId: 0, host: 'h0', port: 9092, rack: null },
        { brokerId: 2, host: 'h2', port: 9094, rack: null },
      ],
      clusterAuthorizedOperations: -2147483648,
    });
    const withOps = await answerOf(h, ctx(ApiKey.DescribeCluster, 0), {
      includeClusterAuthorizedOperations: true,
    });
    expect(withOps.clusterAuthorizedOperations).toBe(CLUSTER_OPERATIONS);
    expect(CLUSTER_OPERATIONS).toBe(8096);
  });
});
