import { ApiKey } from '@samsa/protocol';
import { FakeClusterClient, type FakeClusterState } from './testing/FakeClusterClient';
import { RecordProducer } from './RecordProducer';

const state = (): FakeClusterState => ({
  brokers: [0, 1],
  controllerId: 0,
  topics: new Map([['t', [{ partition: 0, leader: 1, replicas: [1], isr: [1] }]]]),
});

function producer(client: FakeClusterClient, acks: number): RecordProducer {
  return new RecordProducer({ client, acks, requestTimeoutMs: 1000, compression: 0, lingerMs: 0, batchSize: 16384, retries: 0, retryBackoffMs: 10 });
}

test('acksZeroIsSentAsAcksZeroWithoutWaitingForAnAnswer', async () => {
  const client = new FakeClusterClient(state(), () => {
    throw new Error('an acks=0 Produce gets no answer');
  });
  const p = producer(client, 0);
  const sent = p.send({ topic: 't', key: null, value: Buffer.from('v') });
  await p.close();
  expect(await sent).toEqual({ topic: 't', partition: 0, offset: -1 });
  const produce = client.sentOf(ApiKey.Produce);
  expect(produce.map((r) => [r.nodeId, r.body.acks, r.expectResponse])).toEqual([[1, 0, false]]);
});

test('acksOneAndAllWaitForTheLeadersAnswer', async () => {
  for (const acks of [1, -1]) {
    const client = new FakeClusterClient(state(), () => ({
      responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 41, logAppendTimeMs: -1, logStartOffset: 0 }] }],
      throttleTimeMs: 0,
    }));
    const p = producer(client, acks);
    const sent = p.send({ topic: 't', key: null, value: Buffer.from('v') });
    await p.close();
    expect(await sent).toEqual({ topic: 't', partition: 0, offset: 41 });
    expect(client.sentOf(ApiKey.Produce).map((r) => [r.body.acks, r.expectResponse])).toEqual([[acks, true]]);
  }
});
