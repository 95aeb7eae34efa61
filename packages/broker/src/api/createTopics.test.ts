import { updateMetadataContent } from '../testing/controlRequests';
import { InvalidPartitionsError, InvalidReplicationFactorError } from '@samsa/admin-zk';
import { ApiKey, ErrorCode, KafkaError, type Struct } from '@samsa/protocol';
import { createTopicsHandler } from './createTopics';
import { duplicateNames, resolveTopic, type CreatableTopic } from './topicCreation';
import { ctx, fakeDeps, updateMetadataBody } from './testing/fakeDeps';
import { answerOf } from './testing/untypedEntry';

const topic = (t: Partial<CreatableTopic & { name: string }>): CreatableTopic & { name: string } => ({
  name: 't',
  numPartitions: -1,
  replicationFactor: -1,
  assignments: [],
  configs: [],
  ...t,
});
const defaults = { numPartitions: 2, replicationFactor: 1 };
const brokers = [{ id: 0 }, { id: 1 }, { id: 2 }];
const first = () => 0;

describe('resolveTopic', () => {
  test('minusOneTakesBrokerDefaults', () => {
    const r = resolveTopic(topic({}), defaults, brokers, first);
    expect([...r.assignment]).toEqual([
      [0, [0]],
      [1, [1]],
    ]);
    const rf = resolveTopic(topic({ numPartitions: 1, replicationFactor: 3 }), defaults, brokers, first);
    expect([...rf.assignment]).toEqual([[0, [0, 1, 2]]]);
  });

  test('explicitAssignmentsAreTakenAsGivenWithConfigs', () => {
    const r = resolveTopic(
      topic({
        assignments: [
          { partitionIndex: 1, brokerIds: [2, 7] },
          { partitionIndex: 0, brokerIds: [1, 2] },
        ],
        configs: [{ name: 'retention.ms', value: '10' }],
      }),
      defaults,
      brokers,
    );
    expect([...r.assignment]).toEqual([
      [1, [2, 7]],
      [0, [1, 2]],
    ]);
    expect([...r.configs]).toEqual([['retention.ms', '10']]);
  });

  test('invalidRequestsAndNumbers', () => {
    const code = (t: CreatableTopic) => {
      try {
        resolveTopic(t, defaults, brokers, first);
      } catch (e) {
        if (e instanceof KafkaError) return e.code;
        return (e as Error).name;
      }
      return 'ok';
    };
    expect(code(topic({ configs: [{ name: 'retention.ms', value: null }] }))).toBe(ErrorCode.INVALID_REQUEST);
    expect(code(topic({ numPartitions: 1, assignments: [{ partitionIndex: 0, brokerIds: [0] }] }))).toBe(
      ErrorCode.INVALID_REQUEST,
    );
    expect(code(topic({ numPartitions: 0 }))).toBe(new InvalidPartitionsError().name);
    expect(code(topic({ replicationFactor: 0 }))).toBe(new InvalidReplicationFactorError().name);
    expect(code(topic({ replicationFactor: 4 }))).toBe(new InvalidReplicationFactorError().name);
  });

  test('aPartitionCountWhoseAssignmentCannotFitInZooKeeperIsRefusedBeforeAnyPlacement', () => {
    // the wire fuzzer's case (seed 1372912719, case 165): 2,752,515 partitions took 3.3 s to place
    const started = performance.now();
    expect(() => resolveTopic(topic({ numPartitions: 2_752_515 }), defaults, brokers, first)).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_PARTITIONS }),
    );
    expect(() =>
      resolveTopic(topic({ numPartitions: 0x7fffffff, replicationFactor: 3 }), defaults, brokers, first),
    ).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_PARTITIONS }));
    expect(performance.now() - started).toBeLessThan(1000);
    // counts that fit are placed as before (20,000 partitions of 3 replicas: about 400 KB of JSON)
    expect(
      resolveTopic(topic({ numPartitions: 20_000, replicationFactor: 3 }), defaults, brokers, first)
        .assignment.size,
    ).toBe(20_000);
  });

  test('duplicateNames', () => {
    expect([...duplicateNames(['a', 'b', 'a', 'c', 'a'])]).toEqual(['a']);
  });
});

describe('createTopicsHandler', () => {
  const request = (topics: Struct[], extra: Struct = {}) => ({
    topics,
    timeoutMs: 1000,
    validateOnly: false,
    ...extra,
  });

  test('notControllerAnswersNotControllerForEveryTopic', async () => {
    const h = createTopicsHandler(fakeDeps({ isController: () => false }));
    expect(h.maxVersion).toBe(4);
    const r = await answerOf(
      h,
      ctx(ApiKey.CreateTopics, 4),
      request([topic({ name: 'a' }), topic({ name: 'b' })]),
    );
    expect(r.topics.map((t: Struct) => [t.name, t.errorCode])).toEqual([
      ['a', ErrorCode.NOT_CONTROLLER],
      ['b', ErrorCode.NOT_CONTROLLER],
    ]);
  });

  test('anIllegalNameIsRefusedBeforeItsPartitionsArePlaced', async () => {
    const deps = fakeDeps();
    deps.metadataCache.updateMetadata(updateMetadataContent(updateMetadataBody([0], {})));
    const r = await answerOf(
      createTopicsHandler(deps),
      ctx(ApiKey.CreateTopics, 0),
      request([topic({ name: 'fuzz\rabsent\u0000\u0000', numPartitions: 50_000_000 })]),
    );
    expect(r.topics.map((t: Struct) => t.errorCode)).toEqual([ErrorCode.INVALID_TOPIC_EXCEPTION]);
  });

  test('duplicatesExistingAndUnplaceableTopicsFailBeforeZooKeeper', async () => {
    // the fake ZooKeeper client throws if touched: none of these may reach it
    const deps = fakeDeps();
    deps.metadataCache.updateMetadata(updateMetadataContent(updateMetadataBody([0], { exists: [0] })));
    const h = createTopicsHandler(deps);
    const r = await answerOf(
      h,
      ctx(ApiKey.CreateTopics, 4),
      request([
        topic({ name: 'dup' }),
        topic({ name: 'exists' }),
        topic({ name: 'dup' }),
        topic({ name: 'rf', replicationFactor: 2 }),
      ]),
    );
    expect(r.topics.map((t: Struct) => [t.name, t.errorCode])).toEqual([
      ['dup', ErrorCode.INVALID_REQUEST],
      ['exists', ErrorCode.TOPIC_ALREADY_EXISTS],
      ['dup', ErrorCode.INVALID_REQUEST],
      ['rf', ErrorCode.INVALID_REPLICATION_FACTOR],
    ]);
    expect(r.topics[0].errorMessage).toBe('Found multiple entries for this topic.');
    expect(r.topics[3].errorMessage).toBe('Replication factor: 2 larger than available brokers: 1.');
  });
});
