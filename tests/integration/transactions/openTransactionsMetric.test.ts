import { ApiKey } from '@samsa/protocol';
import { ErrorCode, errorName, expectEventually, rawRequest } from '../../fault/support';
import { startSingleBroker, stopSingleBroker, type SingleBroker } from '../hardening/support';

/**
 * The gauges the dashboard shows as a broker's open transactions
 * (kafka.log:type=ProducerStateManager OngoingTransactionCount, OldestOngoingTransactionAgeMs),
 * read on a real broker's metrics endpoint: none open at first; a TxnOffsetCommit opens its
 * producer's transaction in the group's __consumer_offsets partition, led here, and the oldest
 * open transaction then ages with the clock.
 */
jest.setTimeout(90_000);

const GROUP = 'g-open';
let env: SingleBroker;

beforeAll(async () => {
  env = await startSingleBroker('open-txns', {
    overrides: { 'offsets.topic.num.partitions': 1, 'offsets.topic.replication.factor': 1 },
  });
  await expectEventually(async () => {
    const r = await rawRequest(env.broker.port, ApiKey.FindCoordinator, 2, { key: GROUP, keyType: 0 });
    if (r.errorCode !== ErrorCode.NONE) throw new Error(`FindCoordinator: ${errorName(r.errorCode)}`);
    const f = await rawRequest(env.broker.port, ApiKey.OffsetFetch, 5, { groupId: GROUP, topics: null });
    if (f.errorCode !== ErrorCode.NONE) throw new Error(`OffsetFetch: ${errorName(f.errorCode)}`);
  }, 60_000);
});

afterAll(async () => {
  await stopSingleBroker(env ?? {});
});

async function gauge(name: string): Promise<number> {
  const r = await fetch(
    `${env.broker.metricsUrl}/jolokia/read/kafka.log:type=ProducerStateManager,name=${name}/Value`,
  );
  const body = (await r.json()) as { status: number; value?: unknown };
  if (body.status !== 200) throw new Error(`read ${name}: ${JSON.stringify(body)}`);
  return Number(body.value);
}

test('aTransactionOpenedOnAPartitionLedHereIsCountedAndAges', async () => {
  expect([await gauge('OngoingTransactionCount'), await gauge('OldestOngoingTransactionAgeMs')]).toEqual([
    0, 0,
  ]);
  const commit = await rawRequest(env.broker.port, ApiKey.TxnOffsetCommit, 3, {
    transactionalId: 'tx-open',
    groupId: GROUP,
    producerId: 4000,
    producerEpoch: 0,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [
      {
        name: 'open-txns',
        partitions: [
          { partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null },
        ],
      },
    ],
  });
  expect(errorName(commit.topics[0].partitions[0].errorCode)).toBe('NONE');
  const openedBy = Date.now();
  await expectEventually(async () => {
    expect(await gauge('OngoingTransactionCount')).toBe(1);
    // the gauges are cached for half a second: the age follows the clock after that
    expect(await gauge('OldestOngoingTransactionAgeMs')).toBeGreaterThanOrEqual(1000);
  });
  expect(await gauge('OldestOngoingTransactionAgeMs')).toBeLessThanOrEqual(Date.now() - openedBy + 60_000);
});
