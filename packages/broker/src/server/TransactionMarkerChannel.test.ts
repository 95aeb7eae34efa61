import { topicPartition } from '@samsa/common';
import { quietLogger, updateMetadataBody } from '../api/testing/fakeDeps';
import { MetadataCache } from '../metadata/MetadataCache';
import { updateMetadataContent } from '../testing/controlRequests';
import { TransactionMarkerChannel } from './TransactionMarkerChannel';

function channel(listenerName = 'PLAINTEXT') {
  const metadataCache = new MetadataCache(0);
  // t-0 led by broker 1, t-1 without a leader
  metadataCache.updateMetadata(updateMetadataContent(updateMetadataBody([0, 1], { t: [1, -1] })));
  return new TransactionMarkerChannel({ brokerId: 0, metadataCache, listenerName, requestTimeoutMs: 1000, logger: quietLogger });
}

describe('TransactionMarkerChannel', () => {
  test('aPartitionsMarkerGoesToItsLeaderWaitsWithoutOneAndIsDroppedWhenThePartitionIsUnknown', () => {
    const c = channel();
    expect(c.partitionLeader(topicPartition('t', 0))).toEqual({ brokerId: 1 });
    expect(c.partitionLeader(topicPartition('t', 1))).toBe('noNode');
    expect(c.partitionLeader(topicPartition('gone', 0))).toBe('unknown');
  });

  test('aLeaderWithoutAnEndpointOnTheInterBrokerListenerIsNoNode', () => {
    expect(channel('INTERNAL').partitionLeader(topicPartition('t', 0))).toBe('noNode');
  });

  test('aBrokerNotAliveGetsNoRequestAndTheAnswerIsNull', async () => {
    const c = channel();
    await expect(c.sendWriteTxnMarkers(7, { markers: [] })).resolves.toBeNull();
    c.close();
    await expect(c.sendWriteTxnMarkers(1, { markers: [] })).resolves.toBeNull();
  });
});
