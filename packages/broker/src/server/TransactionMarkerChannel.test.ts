import { topicPartition } from '@samsa/common';
import { quietLogger, updateMetadataBody } from '../api/testing/fakeDeps';
import { MetadataCache } from '../metadata/MetadataCache';
import { updateMetadataContent } from '../testing/controlRequests';
import { TransactionMarkerChannel, type TransactionMarkerChannelOptions } from './TransactionMarkerChannel';

function channel(listenerName = 'PLAINTEXT', writeLocally?: TransactionMarkerChannelOptions['writeLocally']) {
  const metadataCache = new MetadataCache(0);
  // t-0 led by broker 1, t-1 without a leader
  metadataCache.updateMetadata(updateMetadataContent(updateMetadataBody([0, 1], { t: [1, -1] })));
  return new TransactionMarkerChannel({ brokerId: 0, metadataCache, listenerName, requestTimeoutMs: 1000, logger: quietLogger, writeLocally });
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

  test('markersForThisBrokerAreWrittenLocallyAFailureThereIsNullAndOtherBrokersAreNotAskedLocally', async () => {
    const written: number[] = [];
    let fail = false;
    const c = channel('PLAINTEXT', async (request) => {
      if (fail) throw new Error('disk gone');
      written.push(...request.markers.map((m) => m.producerId));
      return { markers: request.markers.map((m) => ({ producerId: m.producerId, topics: [] })) };
    });
    const marker = { producerId: 5, producerEpoch: 0, transactionResult: true, coordinatorEpoch: 0, topics: [{ name: 't', partitionIndexes: [0] }] };
    await expect(c.sendWriteTxnMarkers(0, { markers: [marker] })).resolves.toEqual({ markers: [{ producerId: 5, topics: [] }] });
    fail = true;
    await expect(c.sendWriteTxnMarkers(0, { markers: [marker] })).resolves.toBeNull();
    // broker 7 is not alive: no request, and the local writer is not asked either
    fail = false;
    await expect(c.sendWriteTxnMarkers(7, { markers: [marker] })).resolves.toBeNull();
    expect(written).toEqual([5]);
    c.close();
    await expect(c.sendWriteTxnMarkers(0, { markers: [marker] })).resolves.toBeNull();
    expect(written).toEqual([5]);
  });
});
