import { ErrorCode } from '@samsa/protocol';
import { KafkaApiError, NotConsumerGroupError } from './GroupErrors';
import { exampleCluster, FakeGroupAdmin } from './testing/FakeGroupAdmin';
import { BOOTSTRAP, formatFixture, runCommand } from './testing/runCommand';

/**
 * kafka-consumer-groups against a stand-in Admin: every option's rule and Kafka's message for it,
 * the output of each view compared line for line with src/fixtures/consumer-groups-formats.txt
 * (Kafka 2.8's format strings applied to the same example), and failures worded as Kafka's tool
 * words them.
 */
const fixture = formatFixture();
const section = (name: string): string[] => {
  const lines = fixture.get(name);
  if (lines === undefined) throw new Error(`no fixture section "${name}"`);
  return lines;
};

describe('usage errors: the message on stderr, exit 1, no Admin created', () => {
  test.each([
    [[], 'Missing required argument "[bootstrap-server]"'],
    [['--list'], 'Missing required argument "[bootstrap-server]"'],
    [
      [...BOOTSTRAP],
      'Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets',
    ],
    [
      [...BOOTSTRAP, '--list', '--delete', '--all-groups'],
      'Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets',
    ],
    [[...BOOTSTRAP, '--describe'], 'Option [describe] takes one of these options: [group], [all-groups]'],
    [
      [...BOOTSTRAP, '--describe', '--group', 'g', '--members', '--state'],
      'Option [describe] takes at most one of these options: [members], [offsets], [state]',
    ],
    [
      [...BOOTSTRAP, '--describe', '--group', 'g', '--offsets', '--members'],
      'Option [describe] takes at most one of these options: [members], [offsets], [state]',
    ],
    [
      [...BOOTSTRAP, '--describe', '--group', 'g', '--state', 'Stable'],
      'Option [describe] does not take a value for [state]',
    ],
    [[...BOOTSTRAP, '--delete'], 'Option [delete] takes one of these options: [group], [all-groups]'],
    [
      [...BOOTSTRAP, '--delete', '--group', 'g', '--topic', 't'],
      'The consumer does not support topic-specific offset deletion from a consumer group.',
    ],
    [
      [...BOOTSTRAP, '--delete-offsets', '--group', 'g'],
      'Option [delete-offsets] takes the following options: [group], [topic]',
    ],
    [
      [...BOOTSTRAP, '--delete-offsets', '--topic', 't'],
      'Option [delete-offsets] takes the following options: [group], [topic]',
    ],
    [
      [...BOOTSTRAP, '--reset-offsets', '--group', 'g', '--to-earliest', '--dry-run', '--execute'],
      'Option [reset-offsets] only accepts one of [execute] and [dry-run]',
    ],
    [
      [...BOOTSTRAP, '--reset-offsets', '--to-earliest', '--execute'],
      'Option [reset-offsets] takes one of these options: [group], [all-groups]',
    ],
    [
      [...BOOTSTRAP, '--reset-offsets', '--group', 'g', '--to-earliest', '--to-latest', '--execute'],
      'Option "[to-earliest]" can\'t be used with option "[to-latest]"',
    ],
    // --to-offset is checked first; the first other scenario in the set's order is --by-duration.
    [
      [
        ...BOOTSTRAP,
        '--reset-offsets',
        '--group',
        'g',
        '--shift-by',
        '1',
        '--to-offset',
        '1',
        '--by-duration',
        'PT1H',
      ],
      'Option "[to-offset]" can\'t be used with option "[by-duration]"',
    ],
    [
      [...BOOTSTRAP, '--reset-offsets', '--group', 'g', '--to-current', '--shift-by', '1', '--to-latest'],
      'Option "[to-latest]" can\'t be used with option "[to-current]"',
    ],
    [
      [...BOOTSTRAP, '--describe', '--group', 'g', '--all-groups'],
      'Option "[group]" can\'t be used with option "[all-groups]"',
    ],
    [[...BOOTSTRAP, '--list', '--group', 'g'], 'Option "[group]" can\'t be used with option "[list]"'],
    [
      [...BOOTSTRAP, '--describe', '--group', 'g', '--topic', 't'],
      'Option "[topic]" can\'t be used with option "[describe]"',
    ],
    [[...BOOTSTRAP, '--list', '--topic', 't'], 'Option "[topic]" can\'t be used with option "[list]"'],
    [
      [...BOOTSTRAP, '--list', '--members'],
      'Option(s) [members] are unavailable given other options on the command line',
    ],
    [
      [...BOOTSTRAP, '--delete', '--group', 'g', '--verbose', '--state'],
      'Option(s) [verbose, state] are unavailable given other options on the command line',
    ],
    [[...BOOTSTRAP, '--list', '--frobnicate'], 'frobnicate is not a recognized option'],
    [[...BOOTSTRAP, '--list', 'stray'], 'Unexpected argument: stray'],
    [[...BOOTSTRAP, '--list', '--timeout', 'abc'], "Cannot parse argument 'abc' of option timeout"],
    [
      [...BOOTSTRAP, '--reset-offsets', '--group', 'g', '--to-offset', 'x'],
      "Cannot parse argument 'x' of option to-offset",
    ],
    [
      [...BOOTSTRAP, '--reset-offsets', '--group', 'g', '--shift-by', '9223372036854775808'],
      "Cannot parse argument '9223372036854775808' of option shift-by",
    ],
    [[...BOOTSTRAP, '--describe', '--group'], 'Option group requires an argument'],
  ])('%j', async (args, message) => {
    const admin = new FakeGroupAdmin();
    const run = await runCommand(args, admin, { bare: true });
    expect(run).toMatchObject({ code: 1, out: [], err: [message], created: undefined });
  });

  test('helpPrintsTheOptionsOnStdout', async () => {
    const run = await runCommand(['--help'], new FakeGroupAdmin(), { bare: true });
    expect(run.code).toBe(0);
    expect(run.out[0]).toMatch(/^This tool helps to list all consumer groups/);
    for (const option of ['--bootstrap-server', '--reset-offsets', '--to-datetime', '--state [String]'])
      expect(run.out[0]).toContain(option);
  });
});

describe('--list', () => {
  test('printsTheGroupIdsAsListed', async () => {
    const admin = exampleCluster();
    const run = await runCommand(['--list'], admin);
    expect(run).toMatchObject({ code: 0, out: ['my-group', 'idle'], err: [] });
    expect(admin.callsOf('listConsumerGroups')).toEqual([{}]);
    expect(admin.closed).toBe(true);
  });

  test('withStateMatchesTheFixture', async () => {
    const run = await runCommand(['--list', '--state'], exampleCluster());
    expect(run).toMatchObject({ code: 0, out: section('list --state (stdout)'), err: [] });
  });

  test('withStatesKeepsOnlyThoseStates', async () => {
    const run = await runCommand(['--list', '--state', 'Empty,Dead'], exampleCluster());
    expect(run.out).toEqual(['GROUP           STATE', 'idle            Empty']);
  });

  test('anEmptyStateListShowsEveryState', async () => {
    const run = await runCommand(['--list', '--state='], exampleCluster());
    expect(run.out).toEqual(section('list --state (stdout)'));
  });

  test('aLongGroupIdWidensTheColumn', async () => {
    const admin = exampleCluster();
    admin.groups.set('a-rather-long-group-name', {
      ...admin.groups.get('idle')!,
      groupId: 'a-rather-long-group-name',
    });
    const run = await runCommand(['--list', '--state', 'Empty'], admin);
    expect(run.out).toEqual([
      'GROUP                    STATE',
      'idle                     Empty',
      'a-rather-long-group-name Empty',
    ]);
  });

  test('stateNamesAreKafkasExactly', async () => {
    const run = await runCommand(['--list', '--state', 'stable,empty'], exampleCluster());
    expect(run).toMatchObject({
      code: 1,
      out: [],
      err: [
        "Invalid state list 'stable,empty'. Valid states are: PreparingRebalance, CompletingRebalance, Stable, Dead, Empty",
      ],
    });
  });
});

describe('--describe', () => {
  test('offsetsOfAStableGroupMatchTheFixture', async () => {
    const admin = exampleCluster();
    const run = await runCommand(['--describe', '--group', 'my-group'], admin);
    expect(run).toMatchObject({ code: 0, out: section('describe --group my-group (stdout)'), err: [] });
    expect(run.created).toEqual({ bootstrapServer: 'localhost:9092', timeoutMs: 5000 });
  });

  test('offsetsIsTheDefaultView', async () => {
    const a = await runCommand(['--describe', '--group', 'my-group', '--offsets'], exampleCluster());
    expect(a.out).toEqual(section('describe --group my-group (stdout)'));
  });

  test('anEmptyGroupIsNotedOnStderrAndItsCommittedOffsetsListed', async () => {
    const run = await runCommand(['--describe', '--group', 'idle'], exampleCluster());
    expect(run).toMatchObject({
      code: 0,
      out: section('describe --group idle (stdout)'),
      err: section('describe --group idle (stderr)'),
    });
  });

  test('anEmptyGroupWithoutOffsetsPrintsOnlyTheNote', async () => {
    const admin = exampleCluster();
    admin.committed.delete('idle');
    const run = await runCommand(['--describe', '--group', 'idle'], admin);
    expect(run).toMatchObject({ code: 0, out: [], err: section('describe --group idle (stderr)') });
  });

  test('anUnknownGroupIsDeadAndAnErrorOnStdout', async () => {
    const run = await runCommand(['--describe', '--group', 'nobody'], exampleCluster());
    expect(run).toMatchObject({ code: 0, out: section('describe --group nobody (stdout)'), err: [] });
  });

  test('aRebalancingGroupIsWarnedAbout', async () => {
    const admin = exampleCluster();
    admin.groups.set('my-group', { ...admin.groups.get('my-group')!, state: 'PreparingRebalance' });
    const run = await runCommand(['--describe', '--group', 'my-group'], admin);
    expect(run.err).toEqual(['', "Warning: Consumer group 'my-group' is rebalancing."]);
    expect(run.out).toEqual(section('describe --group my-group (stdout)'));
  });

  test('severalGroupsPrintInGroupIdOrderEachWithItsOwnTable', async () => {
    const run = await runCommand(['--describe', '--group', 'my-group', '--group', 'idle'], exampleCluster());
    expect(run.out).toEqual([
      ...section('describe --group idle (stdout)'),
      ...section('describe --group my-group (stdout)'),
    ]);
    expect(run.err).toEqual(section('describe --group idle (stderr)'));
  });

  test('allGroupsDescribesEveryListedGroup', async () => {
    const admin = exampleCluster();
    const run = await runCommand(['--describe', '--all-groups'], admin);
    expect(run.out).toEqual([
      ...section('describe --group idle (stdout)'),
      ...section('describe --group my-group (stdout)'),
    ]);
    expect(admin.callsOf('describeConsumerGroups')).toEqual([['my-group', 'idle']]);
  });

  test('lagIsLogEndMinusCommittedAndOnlyTheLogEndIsAsked', async () => {
    const admin = exampleCluster();
    admin.logEnd.set({ topic: 'orders', partition: 0 }, 1234567890123n);
    const run = await runCommand(['--describe', '--group', 'my-group'], admin);
    const row = run.out.find((l) => l.startsWith('my-group        orders          0 '))!;
    expect(row.split(/ +/).slice(3, 6)).toEqual(['5', '1234567890123', '1234567890118']);
    expect(admin.callsOf('listOffsets')).toEqual([
      {
        partitions: [
          { topic: 'orders', partition: 1 },
          { topic: 'orders', partition: 0 },
          { topic: 'payments', partition: 0 },
        ],
        spec: { kind: 'latest' },
      },
    ]);
  });

  test('membersMatchTheFixture', async () => {
    const run = await runCommand(['--describe', '--group', 'my-group', '--members'], exampleCluster());
    expect(run).toMatchObject({
      code: 0,
      out: section('describe --group my-group --members (stdout)'),
      err: [],
    });
  });

  test('membersVerboseListsAssignmentsAsKafka', async () => {
    const run = await runCommand(
      ['--describe', '--group', 'my-group', '--members', '--verbose'],
      exampleCluster(),
    );
    expect(run.out).toEqual(section('describe --group my-group --members --verbose (stdout)'));
  });

  test('aStaticMemberAddsTheGroupInstanceIdColumn', async () => {
    const admin = exampleCluster();
    const group = admin.groups.get('my-group')!;
    admin.groups.set('my-group', {
      ...group,
      members: [{ ...group.members[0], groupInstanceId: 'instance-1' }, group.members[1]],
    });
    const run = await runCommand(['--describe', '--group', 'my-group', '--members'], admin);
    expect(run.out[1]).toBe(
      'GROUP           CONSUMER-ID                                     GROUP-INSTANCE-ID HOST            CLIENT-ID       #PARTITIONS     ',
    );
    expect(run.out[3]).toBe(
      'my-group        consumer-2-77c1e0d4-0f55-4a63-8d2b-5d1c9e0a6f31                   /127.0.0.2      consumer-2      0               ',
    );
  });

  test('stateMatchesTheFixture', async () => {
    const run = await runCommand(['--describe', '--group', 'my-group', '--state'], exampleCluster());
    expect(run).toMatchObject({
      code: 0,
      out: section('describe --group my-group --state (stdout)'),
      err: [],
    });
  });

  test('stateOfAnEmptyGroupIsPrintedAfterTheNote', async () => {
    const run = await runCommand(['--describe', '--group', 'idle', '--state'], exampleCluster());
    expect(run.err).toEqual(section('describe --group idle (stderr)'));
    expect(run.out).toEqual([
      '',
      'GROUP                     COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE           #MEMBERS',
      'idle                      127.0.0.1:9092 (0)                             Empty           0',
    ]);
  });

  test('stateOfAnUnknownGroupIsTheDeadError', async () => {
    const run = await runCommand(['--describe', '--group', 'nobody', '--state'], exampleCluster());
    expect(run.out).toEqual(section('describe --group nobody (stdout)'));
  });

  test('aStateOutsideKafkasFiveFailsTheCommand', async () => {
    const admin = exampleCluster();
    admin.groups.set('my-group', { ...admin.groups.get('my-group')!, state: 'Unknown' });
    const run = await runCommand(['--describe', '--group', 'my-group'], admin);
    expect(run).toMatchObject({
      code: 0,
      out: [
        '',
        "Error: Executing consumer group command failed due to Expected a valid consumer group state, but found 'Unknown'.",
      ],
    });
  });
});

describe('failures: Kafka reports them on stdout and exits 0', () => {
  test('aBrokerErrorIsItsJavaException', async () => {
    const admin = exampleCluster();
    admin.failures.set('describeConsumerGroups', new KafkaApiError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
    const run = await runCommand(['--describe', '--group', 'my-group'], admin);
    expect(run).toMatchObject({
      code: 0,
      out: [
        '',
        'Error: Executing consumer group command failed due to org.apache.kafka.common.errors.CoordinatorNotAvailableException: The coordinator is not available.',
      ],
      err: [],
    });
    expect(admin.closed).toBe(true);
  });

  test('aGroupOfAnotherProtocolTypeIsRefused', async () => {
    const admin = exampleCluster();
    admin.failures.set('describeConsumerGroups', new NotConsumerGroupError('connect-cluster', 'connect'));
    const run = await runCommand(['--describe', '--group', 'connect-cluster'], admin);
    expect(run.out).toEqual([
      '',
      'Error: Executing consumer group command failed due to java.lang.IllegalArgumentException: GroupId connect-cluster is not a consumer group (connect).',
    ]);
  });

  test('aCallLongerThanTimeoutFails', async () => {
    const admin = exampleCluster();
    admin.failures.set('listConsumerGroups', 'hang');
    const run = await runCommand(['--list', '--timeout', '50'], admin);
    expect(run).toMatchObject({
      code: 0,
      out: [
        '',
        'Error: Executing consumer group command failed due to org.apache.kafka.common.errors.TimeoutException: Call(callName=listConsumerGroups) timed out after 50 ms',
      ],
    });
    expect(run.created?.timeoutMs).toBe(50);
    expect(admin.closed).toBe(true);
  });

  test('aConnectionFailureShowsItsMessage', async () => {
    const admin = exampleCluster();
    admin.failures.set(
      'listConsumerGroups',
      new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'),
    );
    const run = await runCommand(['--list'], admin);
    expect(run.out).toEqual([
      '',
      'Error: Executing consumer group command failed due to Connection error: connect ECONNREFUSED 127.0.0.1:9092',
    ]);
  });
});

describe('--delete', () => {
  test('anEmptyGroupIsDeleted', async () => {
    const admin = exampleCluster();
    const run = await runCommand(['--delete', '--group', 'idle'], admin);
    expect(run).toMatchObject({ code: 0, out: section('delete --group idle (stdout)'), err: [] });
    expect(admin.groups.has('idle')).toBe(false);
  });

  test('eachFailureIsListedWithItsCause', async () => {
    const run = await runCommand(['--delete', '--group', 'idle', '--group', 'my-group'], exampleCluster());
    expect(run).toMatchObject({ code: 0, out: section('delete --group idle --group my-group (stdout)') });
  });

  test('anUnknownGroupIsNotFound', async () => {
    const run = await runCommand(['--delete', '--group', 'nobody'], exampleCluster());
    expect(run.out).toEqual([
      '',
      'Error: Deletion of some consumer groups failed:',
      "* Group 'nobody' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.",
    ]);
  });

  test('allGroupsWithNoGroupsPrintsKafkasEmptyQuotes', async () => {
    const run = await runCommand(['--delete', '--all-groups'], new FakeGroupAdmin());
    expect(run.out).toEqual(["Deletion of requested consumer groups ('') was successful."]);
  });
});

describe('--delete-offsets', () => {
  test('aWholeTopicIsDeletedPartitionByPartition', async () => {
    const admin = exampleCluster();
    const run = await runCommand(['--delete-offsets', '--group', 'idle', '--topic', 'orders'], admin);
    expect(run).toMatchObject({
      code: 0,
      out: section('delete-offsets --group idle --topic orders (stdout)'),
    });
    expect(admin.callsOf('deleteConsumerGroupOffsets')).toEqual([
      {
        groupId: 'idle',
        partitions: [
          { topic: 'orders', partition: 0 },
          { topic: 'orders', partition: 1 },
        ],
      },
    ]);
  });

  test('partitionErrorsAreListed', async () => {
    const admin = exampleCluster();
    admin.offsetDeleteErrors.set({ topic: 'orders', partition: 0 }, ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
    admin.offsetDeleteErrors.set({ topic: 'orders', partition: 1 }, ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
    const run = await runCommand(['--delete-offsets', '--group', 'my-group', '--topic', 'orders'], admin);
    expect(run.out).toEqual(section('delete-offsets --group my-group --topic orders (stdout)'));
  });

  test('namedPartitionsAndAnUnknownTopic', async () => {
    const admin = exampleCluster();
    const run = await runCommand(
      ['--delete-offsets', '--group', 'idle', '--topic', 'orders:1', '--topic', 'gone'],
      admin,
    );
    expect(run.out).toEqual([
      'Request succeed for deleting offsets with topic orders:1, gone group idle',
      '',
      'TOPIC                          PARTITION       STATUS         ',
      'gone                           Not Provided    Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.',
      'orders                         1               Successful     ',
    ]);
    expect(admin.callsOf('describeTopics')).toEqual([['gone']]);
  });

  test('aGroupLevelErrorFailsEveryPartition', async () => {
    const run = await runCommand(
      ['--delete-offsets', '--group', 'nobody', '--topic', 'payments'],
      exampleCluster(),
    );
    expect(run.out).toEqual([
      '',
      "Error: 'nobody' does not exist.",
      '',
      'TOPIC                          PARTITION       STATUS         ',
      'payments                       0               Error: org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.',
    ]);
  });

  test('partitionsSortAsKafkaSortsThemByTopicAndPartitionText', async () => {
    const admin = exampleCluster();
    admin.topics.set('t', [0, 1, 2, 10]);
    const run = await runCommand(['--delete-offsets', '--group', 'idle', '--topic', 't'], admin);
    expect(run.out.slice(3).map((l) => l.split(/ +/)[1])).toEqual(['0', '1', '10', '2']);
  });

  test('twoGroupsAreAFailure', async () => {
    const run = await runCommand(
      ['--delete-offsets', '--group', 'a', '--group', 'b', '--topic', 't'],
      exampleCluster(),
    );
    expect(run.out).toEqual([
      '',
      'Error: Executing consumer group command failed due to Found multiple arguments for option group, but you asked for only one',
    ]);
  });
});
