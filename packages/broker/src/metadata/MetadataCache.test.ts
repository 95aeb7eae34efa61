import { updateMetadataContent } from '../testing/controlRequests';
import { ErrorCode } from '@samsa/protocol';
import { LEADER_DURING_DELETE, MetadataCache } from './MetadataCache';

const broker = (id: number, port: number, listener = 'PLAINTEXT') => ({
  id,
  endpoints: [{ port, host: '127.0.0.1', listener, securityProtocol: 0 }],
  rack: null,
});
const part = (partitionIndex: number, leader: number, replicas: number[], isr = replicas) => ({
  partitionIndex,
  controllerEpoch: 1,
  leader,
  leaderEpoch: 0,
  isr,
  zkVersion: 0,
  replicas,
  offlineReplicas: [],
});

describe('MetadataCache', () => {
  it('applies a v5+ UpdateMetadata: brokers, controller, grouped partition states', () => {
    const c = new MetadataCache(1);
    c.updateMetadata(updateMetadataContent({
      controllerId: 2,
      liveBrokers: [broker(1, 9001), broker(2, 9002)],
      topicStates: [{ topicName: 't', partitionStates: [part(0, 1, [1, 2]), part(1, 2, [2, 1])] }],
    }));
    expect(c.controllerId).toBe(2);
    expect(c.aliveEndpoints('PLAINTEXT')).toEqual([
      { id: 1, host: '127.0.0.1', port: 9001, rack: null },
      { id: 2, host: '127.0.0.1', port: 9002, rack: null },
    ]);
    expect(c.partitionCount('t')).toBe(2);
    expect(c.partitionMetadata('t', 'PLAINTEXT', false).map((p) => [p.partitionIndex, p.leaderId, p.errorCode])).toEqual([
      [0, 1, ErrorCode.NONE],
      [1, 2, ErrorCode.NONE],
    ]);
  });

  it('applies a v0–4 UpdateMetadata with ungrouped states and v0 broker hosts', () => {
    const c = new MetadataCache(1);
    c.updateMetadata(updateMetadataContent({
      controllerId: 1,
      liveBrokers: [{ id: 1, v0Host: 'h', v0Port: 9092, endpoints: [] }],
      ungroupedPartitionStates: [{ topicName: 'u', ...part(0, 1, [1]) }],
    }));
    expect(c.aliveEndpoints('PLAINTEXT')).toEqual([{ id: 1, host: 'h', port: 9092, rack: null }]);
    expect(c.contains('u')).toBe(true);
  });

  it('a dead leader is LEADER_NOT_AVAILABLE; a dead replica is REPLICA_NOT_AVAILABLE only for v0', () => {
    const c = new MetadataCache(1);
    c.updateMetadata(updateMetadataContent({
      controllerId: 1,
      liveBrokers: [broker(1, 9001)],
      topicStates: [{ topicName: 't', partitionStates: [part(0, 3, [3, 1]), part(1, 1, [1, 3])] }],
    }));
    const [p0, p1] = c.partitionMetadata('t', 'PLAINTEXT', false);
    expect([p0.errorCode, p0.leaderId]).toEqual([ErrorCode.LEADER_NOT_AVAILABLE, -1]);
    expect([p1.errorCode, p1.replicaNodes]).toEqual([ErrorCode.NONE, [1, 3]]);
    const v0 = c.partitionMetadata('t', 'PLAINTEXT', true)[1];
    expect([v0.errorCode, v0.replicaNodes]).toEqual([ErrorCode.REPLICA_NOT_AVAILABLE, [1]]);
  });

  it('a leader without the listener is LISTENER_NOT_FOUND', () => {
    const c = new MetadataCache(1);
    c.updateMetadata(updateMetadataContent({ controllerId: 1, liveBrokers: [broker(1, 9001, 'INTERNAL')], topicStates: [{ topicName: 't', partitionStates: [part(0, 1, [1])] }] }));
    expect(c.partitionMetadata('t', 'PLAINTEXT', false)[0].errorCode).toBe(ErrorCode.LISTENER_NOT_FOUND);
  });

  it('partitions sent with leader -2 are removed and reported deleted', () => {
    const c = new MetadataCache(1);
    c.updateMetadata(updateMetadataContent({ controllerId: 1, liveBrokers: [broker(1, 9001)], topicStates: [{ topicName: 't', partitionStates: [part(0, 1, [1])] }] }));
    const { deleted } = c.updateMetadata(updateMetadataContent({
      controllerId: 1,
      liveBrokers: [broker(1, 9001)],
      topicStates: [{ topicName: 't', partitionStates: [part(0, LEADER_DURING_DELETE, [1])] }],
    }));
    expect(deleted).toEqual([{ topic: 't', partition: 0 }]);
    expect(c.contains('t')).toBe(false);
  });
});
