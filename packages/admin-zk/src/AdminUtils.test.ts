import {
  assignReplicasForNewPartitions,
  assignReplicasToBrokers,
  getRackAlternatedBrokerList,
  parseReplicaAssignment,
  type BrokerMetadata,
  type ReplicaAssignmentMap,
} from './AdminUtils';
import {
  AdminCommandFailedError,
  AdminOperationError,
  InvalidPartitionsError,
  InvalidReplicationFactorError,
} from './errors';

/**
 * Expected assignments are worked out by hand from Kafka 2.8's algorithm (protocol-matrix §12.2,
 * AdminUtils.scala) — the n=5 table of its doc comment, its rack example, and cases shaped like
 * Kafka's AdminUtilsTest / AdminRackAwareTest, whose expected values are derived here, not copied.
 */
const brokers = (...ids: number[]): BrokerMetadata[] => ids.map((id) => ({ id }));
const racked = (racks: Record<number, string>): BrokerMetadata[] =>
  Object.entries(racks).map(([id, rack]) => ({ id: Number(id), rack }));
const asObject = (m: ReplicaAssignmentMap): Record<number, number[]> => Object.fromEntries(m);

/** A fixed sequence of "random" draws, checking each bound. */
function draws(...values: Array<[value: number, bound: number]>): (bound: number) => number {
  return (bound) => {
    const next = values.shift();
    if (next === undefined) throw new Error('more random draws than expected');
    expect(bound).toBe(next[1]);
    return next[0];
  };
}

describe('rack-unaware assignment', () => {
  test('fiveBrokersFromIndexZeroFollowKafkasTable', () => {
    expect(asObject(assignReplicasToBrokers(brokers(0, 1, 2, 3, 4), 10, 3, 0))).toEqual({
      0: [0, 1, 2],
      1: [1, 2, 3],
      2: [2, 3, 4],
      3: [3, 4, 0],
      4: [4, 0, 1],
      5: [0, 2, 3], // a full round done: the followers shift by one more
      6: [1, 3, 4],
      7: [2, 4, 0],
      8: [3, 0, 1],
      9: [4, 1, 2],
    });
  });

  test('startIndexThenShiftAreDrawnInKafkasOrder', () => {
    // start index 2, shift 1, over brokers [10, 11, 12]
    const rng = draws([2, 3], [1, 3]);
    expect(asObject(assignReplicasToBrokers(brokers(10, 11, 12), 3, 2, -1, -1, rng))).toEqual({
      0: [12, 11],
      1: [10, 12],
      2: [11, 10],
    });
  });

  test('theBrokerListOrderIsKept', () => {
    expect(asObject(assignReplicasToBrokers(brokers(5, 1, 3), 3, 3, 0))).toEqual({
      0: [5, 1, 3],
      1: [1, 3, 5],
      2: [3, 5, 1],
    });
  });

  test('startPartitionIdNumbersFromThereAndCountsRoundsFromZero', () => {
    // p=3 of 3 brokers completes a round, so the shift (1) goes to 2 before p3
    expect(asObject(assignReplicasToBrokers(brokers(0, 1, 2), 2, 3, 1, 3))).toEqual({
      3: [1, 2, 0],
      4: [2, 0, 1],
    });
  });

  test('replicationFactorOneIsTheLeaderAlone', () => {
    expect(asObject(assignReplicasToBrokers(brokers(7), 2, 1, 0))).toEqual({ 0: [7], 1: [7] });
  });
});

describe('rack-aware assignment', () => {
  const docRacks = { 0: 'rack1', 1: 'rack3', 2: 'rack3', 3: 'rack2', 4: 'rack2', 5: 'rack1' };

  test('rackAlternatedListTakesOneBrokerPerRackInTurn', () => {
    const map = (r: Record<number, string>) =>
      new Map(Object.entries(r).map(([id, rack]) => [Number(id), rack]));
    expect(getRackAlternatedBrokerList(map(docRacks))).toEqual([0, 3, 1, 5, 4, 2]);
    expect(
      getRackAlternatedBrokerList(
        map({ 0: 'a', 1: 'a', 2: 'a', 3: 'b', 4: 'b', 5: 'b', 6: 'c', 7: 'c', 8: 'c' }),
      ),
    ).toEqual([0, 3, 6, 1, 4, 7, 2, 5, 8]);
    // a rack running out is skipped
    expect(
      getRackAlternatedBrokerList(map({ 0: 'rack1', 1: 'rack3', 2: 'rack3', 3: 'rack2', 4: 'rack2' })),
    ).toEqual([0, 3, 1, 4, 2]);
  });

  test('kafkasDocExampleSevenPartitions', () => {
    expect(asObject(assignReplicasToBrokers(racked(docRacks), 7, 3, 0, 0))).toEqual({
      0: [0, 3, 1],
      1: [3, 1, 5],
      2: [1, 5, 4],
      3: [5, 4, 2],
      4: [4, 2, 0],
      5: [2, 0, 3],
      6: [0, 4, 2], // second round: followers shifted by the number of racks
    });
  });

  test('brokersAlreadyHoldingAReplicaAreSkippedUntilAllHaveOne', () => {
    // racks a: 0,3,4  b: 1  c: 2 → alternated list 0,1,2,3,4; 4 replicas over 3 racks, start 2
    const assignment = assignReplicasToBrokers(racked({ 0: 'a', 1: 'b', 2: 'c', 3: 'a', 4: 'a' }), 6, 4, 2);
    expect(asObject(assignment)).toEqual({
      0: [2, 0, 1, 3],
      1: [3, 1, 2, 4],
      2: [4, 2, 1, 3],
      3: [0, 1, 2, 3],
      4: [1, 4, 2, 3],
      5: [2, 4, 1, 3],
    });
    const rackOf: Record<number, string> = { 0: 'a', 1: 'b', 2: 'c', 3: 'a', 4: 'a' };
    for (const replicas of assignment.values()) {
      expect(new Set(replicas.map((r) => rackOf[r])).size).toBe(3);
      expect(new Set(replicas).size).toBe(4);
    }
  });

  test('fewerReplicasThanRacksPutsAtMostOnePerRack', () => {
    const rackOf: Record<number, string> = {
      0: 'rack1',
      1: 'rack2',
      2: 'rack2',
      3: 'rack3',
      4: 'rack3',
      5: 'rack2',
    };
    for (let start = 0; start < 6; start++) {
      for (const replicas of assignReplicasToBrokers(racked(rackOf), 6, 2, start).values()) {
        expect(new Set(replicas.map((r) => rackOf[r])).size).toBe(2);
      }
    }
  });

  test('aSingleRackDegeneratesToRoundRobin', () => {
    const all = racked({ 0: 'r', 1: 'r', 2: 'r' });
    expect(asObject(assignReplicasToBrokers(all, 3, 2, 0))).toEqual(
      asObject(assignReplicasToBrokers(brokers(0, 1, 2), 3, 2, 0)),
    );
  });
});

describe('refusals', () => {
  test('partitionsAndReplicationFactorMustBePositiveAndFit', () => {
    const five = brokers(0, 1, 2, 3, 4);
    expect(() => assignReplicasToBrokers(five, 0, 1)).toThrow(
      new InvalidPartitionsError('Number of partitions must be larger than 0.'),
    );
    expect(() => assignReplicasToBrokers(five, 10, 0)).toThrow(
      new InvalidReplicationFactorError('Replication factor must be larger than 0.'),
    );
    expect(() => assignReplicasToBrokers(five, 10, 6)).toThrow(
      new InvalidReplicationFactorError('Replication factor: 6 larger than available brokers: 5.'),
    );
    expect(() => assignReplicasToBrokers([], 1, 1)).toThrow(InvalidReplicationFactorError);
  });

  test('mixedRackInformationIsRefused', () => {
    expect(() => assignReplicasToBrokers([{ id: 0, rack: 'a' }, { id: 1 }], 1, 1)).toThrow(
      new AdminOperationError('Not all brokers have rack information for replica rack aware assignment.'),
    );
    expect(() =>
      assignReplicasToBrokers(
        [
          { id: 0, rack: 'a' },
          { id: 1, rack: null },
        ],
        1,
        1,
      ),
    ).toThrow(AdminOperationError);
  });
});

describe('adding partitions', () => {
  test('continuesFromTheFirstBrokerAtOrAfterPartitionZerosLeader', () => {
    // segdemo in the Kafka 2.1 capture: 1 partition [0,1,2] raised to 2 → partition 1 is [1,2,0]
    const existing = new Map([[0, [0, 1, 2]]]);
    expect(asObject(assignReplicasForNewPartitions('segdemo', existing, brokers(0, 1, 2), 2))).toEqual({
      1: [1, 2, 0],
    });
    // partition 0 led by 1: start index 1 (and shift 1), numbering from 3
    const three = new Map([
      [0, [1, 2, 0]],
      [1, [2, 0, 1]],
      [2, [0, 1, 2]],
    ]);
    expect(asObject(assignReplicasForNewPartitions('t', three, brokers(0, 1, 2), 5))).toEqual({
      3: [1, 2, 0],
      4: [2, 0, 1],
    });
    // partition 0's leader gone: the first broker with a larger id
    expect(asObject(assignReplicasForNewPartitions('t', new Map([[0, [2]]]), brokers(1, 3, 5), 2))).toEqual({
      1: [5],
    });
  });

  test('onlyAnIncreaseIsAllowed', () => {
    const existing = new Map([
      [0, [0]],
      [1, [1]],
    ]);
    expect(() => assignReplicasForNewPartitions('T', existing, brokers(0, 1), 2)).toThrow(
      new InvalidPartitionsError(
        'The number of partitions for a topic can only be increased. Topic T currently has 2 partitions, 2 would not be an increase.',
      ),
    );
    expect(() => assignReplicasForNewPartitions('T', new Map([[1, [0]]]), brokers(0), 3)).toThrow(
      AdminOperationError,
    );
  });
});

describe('parseReplicaAssignment', () => {
  test('partitionsByCommaReplicasByColon', () => {
    expect(asObject(parseReplicaAssignment('0:1, 1:2 ,2:0'))).toEqual({ 0: [0, 1], 1: [1, 2], 2: [2, 0] });
    expect(asObject(parseReplicaAssignment('3:4', 2))).toEqual({ 2: [3, 4] });
  });

  test('duplicatesUnevenListsAndGarbageAreRefused', () => {
    expect(() => parseReplicaAssignment('0:0')).toThrow(
      new AdminCommandFailedError('Partition replica lists may not contain duplicate entries: 0'),
    );
    expect(() => parseReplicaAssignment('0:1,2')).toThrow(AdminOperationError);
    expect(() => parseReplicaAssignment('0:x')).toThrow(new AdminCommandFailedError('For input string: "x"'));
  });
});
