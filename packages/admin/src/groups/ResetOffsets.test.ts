import { parseResetPlan, parseTopicPartitionsArg } from './ResetOffsets';
import { exampleCluster, FakeGroupAdmin } from './testing/FakeGroupAdmin';
import { formatFixture, runCommand } from './testing/runCommand';

/**
 * --reset-offsets against the stand-in Admin: each scenario's offsets, the range check with
 * Kafka's WARN, dry run versus --execute, the refusal for an active group, --export and
 * --from-file, and the errors Kafka gives on the way.
 */
const fixture = formatFixture();
const NOW = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
const orders = (partition: number) => ({ topic: 'orders', partition });
const planRow = (group: string, topic: string, partition: number, offset: bigint | number): string =>
  `${group.padEnd(30)} ${topic.padEnd(30)} ${String(partition).padEnd(10)} ${String(offset).padEnd(15)}`;
/** The blank line and header before a plan (the fixture's refused reset is exactly these). */
const HEADER = fixture
  .get('reset-offsets --group my-group --all-topics --to-latest --execute (stdout)')!
  .slice(2);

/** The WARN lines a reset printed (stderr), without their timestamps. */
const warnings = (err: string[]): string[] =>
  err.filter((l) => l.startsWith('[')).map((l) => l.replace(/^\[[^\]]+\] /, ''));

describe('the plan', () => {
  test('dryRunMatchesTheFixtureAndCommitsNothing', async () => {
    const admin = exampleCluster();
    const run = await runCommand(
      ['--reset-offsets', '--group', 'idle', '--topic', 'orders', '--to-earliest', '--dry-run'],
      admin,
    );
    expect(run).toMatchObject({
      code: 0,
      out: fixture.get('reset-offsets --group idle --topic orders --to-earliest --dry-run (stdout)'),
      err: [],
    });
    expect(admin.callsOf('alterConsumerGroupOffsets')).toEqual([]);
  });

  test('withoutExecuteOrDryRunKafkaWarnsAndOnlyPlans', async () => {
    const admin = exampleCluster();
    const run = await runCommand(
      ['--reset-offsets', '--group', 'idle', '--topic', 'orders', '--to-earliest'],
      admin,
    );
    expect(run.err).toEqual([
      'WARN: No action will be performed as the --execute option is missing.In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.',
    ]);
    expect(run.out).toEqual(
      fixture.get('reset-offsets --group idle --topic orders --to-earliest --dry-run (stdout)'),
    );
    expect(admin.callsOf('alterConsumerGroupOffsets')).toEqual([]);
  });

  test('executeCommitsThePlan', async () => {
    const admin = exampleCluster();
    const run = await runCommand(
      ['--reset-offsets', '--group', 'idle', '--all-topics', '--to-latest', '--execute'],
      admin,
    );
    expect(run.out).toEqual([...HEADER, planRow('idle', 'orders', 0, 10)]);
    expect(admin.callsOf('alterConsumerGroupOffsets')).toEqual([
      { groupId: 'idle', offsets: [[orders(0), 10n]] },
    ]);
  });

  test('anActiveGroupIsRefusedAndTheHeaderStandsAlone', async () => {
    const admin = exampleCluster();
    const run = await runCommand(
      ['--reset-offsets', '--group', 'my-group', '--all-topics', '--to-latest', '--execute'],
      admin,
    );
    expect(run).toMatchObject({
      code: 0,
      out: fixture.get('reset-offsets --group my-group --all-topics --to-latest --execute (stdout)'),
      err: [],
    });
    expect(admin.callsOf('alterConsumerGroupOffsets')).toEqual([]);
    expect(admin.callsOf('listConsumerGroupOffsets')).toEqual([]);
  });

  test('aGroupThatNeverExistedIsReset', async () => {
    const admin = exampleCluster();
    const run = await runCommand(
      ['--reset-offsets', '--group', 'fresh', '--topic', 'payments', '--to-latest', '--execute'],
      admin,
    );
    expect(run.out).toEqual([...HEADER, planRow('fresh', 'payments', 0, 3)]);
    expect(admin.committed.get('fresh')?.get({ topic: 'payments', partition: 0 })).toBe(3n);
  });

  test('allGroupsResetsEachInactiveGroup', async () => {
    const run = await runCommand(
      ['--reset-offsets', '--all-groups', '--topic', 'orders:1', '--to-offset', '2', '--dry-run'],
      exampleCluster(),
    );
    expect(run.out).toEqual([
      '',
      "Error: Assignments can only be reset if the group 'my-group' is inactive, but the current state is Stable.",
      ...HEADER,
      planRow('idle', 'orders', 1, 2),
    ]);
  });

  test('partitionsAreListedByTopicThenPartition', async () => {
    const admin = exampleCluster();
    admin.topics.set('a', [0]);
    admin.logEnd.set({ topic: 'a', partition: 0 }, 1n);
    const run = await runCommand(
      [
        '--reset-offsets',
        '--group',
        'idle',
        '--topic',
        'orders:1,0',
        '--topic',
        'a',
        '--to-latest',
        '--dry-run',
      ],
      admin,
    );
    expect(run.out.slice(2).map((l) => l.split(/ +/).slice(1, 3).join('-'))).toEqual([
      'a-0',
      'orders-0',
      'orders-1',
    ]);
  });
});

describe('scenarios', () => {
  const reset = async (admin: FakeGroupAdmin, ...scenario: string[]) =>
    runCommand(['--reset-offsets', '--group', 'idle', '--topic', 'orders', ...scenario, '--dry-run'], admin);
  const newOffsets = (out: string[]): string[] => out.slice(2).map((l) => l.split(/ +/)[3]);

  test('toOffsetWithinTheLog', async () => {
    expect(newOffsets((await reset(exampleCluster(), '--to-offset', '4')).out)).toEqual(['4', '4']);
  });

  test('toOffsetPastTheEndIsTheEndWithKafkasWarning', async () => {
    const run = await reset(exampleCluster(), '--to-offset', '9223372036854775807');
    expect(newOffsets(run.out)).toEqual(['10', '7']);
    expect(warnings(run.err)).toEqual([
      'WARN New offset (9223372036854775807) is higher than latest offset for topic partition orders-0. Value will be set to 10 (kafka.admin.ConsumerGroupCommand$)',
      'WARN New offset (9223372036854775807) is higher than latest offset for topic partition orders-1. Value will be set to 7 (kafka.admin.ConsumerGroupCommand$)',
    ]);
    expect(run.err[0]).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] WARN /);
  });

  test('toOffsetBeforeTheStartIsTheStart', async () => {
    const admin = exampleCluster();
    admin.logStart.set(orders(0), 3n);
    const run = await reset(admin, '--to-offset', '1');
    expect(newOffsets(run.out)).toEqual(['3', '1']);
    expect(warnings(run.err)).toEqual([
      'WARN New offset (1) is lower than earliest offset for topic partition orders-0. Value will be set to 3 (kafka.admin.ConsumerGroupCommand$)',
    ]);
  });

  test('toEarliestAndToLatest', async () => {
    const admin = exampleCluster();
    admin.logStart.set(orders(1), 2n);
    expect(newOffsets((await reset(admin, '--to-earliest')).out)).toEqual(['0', '2']);
    expect(newOffsets((await reset(admin, '--to-latest')).out)).toEqual(['10', '7']);
  });

  test('shiftByMovesTheCommittedOffsetWithinTheLog', async () => {
    const admin = exampleCluster();
    admin.committed.get('idle')!.set(orders(1), 6n);
    expect(newOffsets((await reset(admin, '--shift-by', '-2')).out)).toEqual(['6', '4']);
    expect(newOffsets((await reset(admin, '--shift-by', '5')).out)).toEqual(['10', '7']);
  });

  test('shiftByWithoutACommittedOffsetIsAUsageError', async () => {
    const run = await reset(exampleCluster(), '--shift-by', '1');
    expect(run).toMatchObject({
      code: 1,
      out: [],
      err: ['Cannot shift offset for partition orders-1 since there is no current committed offset'],
    });
  });

  test('toCurrentKeepsCommittedOffsetsAndTakesTheEndElsewhere', async () => {
    expect(newOffsets((await reset(exampleCluster(), '--to-current')).out)).toEqual(['8', '7']);
  });

  test('toDatetimeAsksForThatTimestampAndFallsBackToTheEnd', async () => {
    const admin = exampleCluster();
    const asked: number[] = [];
    admin.offsetForTimestamp = (tp, ts) => {
      asked.push(ts);
      return tp.partition === 0 ? 4n : -1n;
    };
    const run = await reset(admin, '--to-datetime', '2024-01-02T03:04:05.678+01:00');
    expect(newOffsets(run.out)).toEqual(['4', '7']);
    expect(asked).toEqual([Date.UTC(2024, 0, 2, 2, 4, 5, 678), Date.UTC(2024, 0, 2, 2, 4, 5, 678)]);
  });

  test('byDurationCountsBackFromNow', async () => {
    const admin = exampleCluster();
    const asked: number[] = [];
    admin.offsetForTimestamp = (_tp, ts) => {
      asked.push(ts);
      return 1n;
    };
    const run = await reset(admin, '--by-duration', 'P1DT1H30M0.5S');
    expect(newOffsets(run.out)).toEqual(['1', '1']);
    expect(asked[0]).toBe(NOW - (86_400_000 + 5_400_000 + 500));
  });

  test.each([
    [
      ['--to-datetime', '2024-01-02'],
      "Error parsing timestamp. It does not contain a 'T' according to ISO8601 format",
    ],
    [['--to-datetime', '2024-13-02T00:00:00.000'], 'Unparseable date: "2024-13-02T00:00:00.000Z"'],
    [['--by-duration', '1h'], 'Text cannot be parsed to a Duration'],
  ])('badTimeArgumentsFailTheCommand %j', async (scenario, message) => {
    const run = await reset(exampleCluster(), ...scenario);
    expect(run).toMatchObject({
      code: 0,
      out: ['', `Error: Executing consumer group command failed due to ${message}`],
    });
  });

  test('noScenarioIsKafkasUsageError', async () => {
    const run = await runCommand(
      ['--reset-offsets', '--group', 'idle', '--all-topics', '--execute'],
      exampleCluster(),
    );
    expect(run).toMatchObject({
      code: 1,
      err: [
        "Option '[reset-offsets]' requires one of the following scenarios: HashSet([by-duration], [to-offset], [from-file], [to-datetime], [to-earliest], [to-current], [shift-by], [to-latest])",
      ],
    });
  });

  test('noScopeIsKafkasUsageError', async () => {
    const run = await runCommand(
      ['--reset-offsets', '--group', 'idle', '--to-latest', '--execute'],
      exampleCluster(),
    );
    expect(run).toMatchObject({
      code: 1,
      out: [],
      err: ['One of the reset scopes should be defined: --all-topics, --topic.'],
    });
  });

  test('aPartitionWithoutAnOffsetIsKafkasUsageError', async () => {
    const run = await runCommand(
      ['--reset-offsets', '--group', 'idle', '--topic', 'orders:5', '--to-earliest', '--execute'],
      exampleCluster(),
    );
    expect(run).toMatchObject({
      code: 1,
      err: ['Error getting starting offset of topic partition: orders-5'],
    });
  });

  test('anUnknownTopicFailsTheCommand', async () => {
    const run = await runCommand(
      ['--reset-offsets', '--group', 'idle', '--topic', 'gone', '--to-earliest', '--execute'],
      exampleCluster(),
    );
    expect(run.out).toEqual([
      '',
      'Error: Executing consumer group command failed due to org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.',
    ]);
  });

  test('aBadPartitionListFailsTheCommand', async () => {
    const run = await runCommand(
      ['--reset-offsets', '--group', 'idle', '--topic', 'orders:x', '--to-earliest', '--execute'],
      exampleCluster(),
    );
    expect(run.out).toEqual([
      '',
      'Error: Executing consumer group command failed due to For input string: "x"',
    ]);
  });
});

describe('--export and --from-file', () => {
  test('exportWritesTopicPartitionOffsetForOneGroup', async () => {
    const run = await runCommand(
      ['--reset-offsets', '--group', 'idle', '--topic', 'orders', '--to-latest', '--dry-run', '--export'],
      exampleCluster(),
    );
    expect(run.out).toEqual(['orders,0,10', 'orders,1,7', '']);
  });

  test('exportNamesTheGroupForSeveral', async () => {
    const run = await runCommand(
      [
        '--reset-offsets',
        '--group',
        'idle',
        '--group',
        'fresh',
        '--topic',
        'orders:0',
        '--to-latest',
        '--dry-run',
        '--export',
      ],
      exampleCluster(),
    );
    expect(run.out).toEqual(['idle,orders,0,10', 'fresh,orders,0,10', '']);
  });

  test('fromFileAppliesThePlanWithinTheLog', async () => {
    const admin = exampleCluster();
    const run = await runCommand(
      ['--reset-offsets', '--group', 'idle', '--from-file', 'plan.csv', '--execute'],
      admin,
      {
        readFile: (path) => {
          expect(path).toBe('plan.csv');
          return 'orders,0,3\norders,1,70\n';
        },
      },
    );
    expect(run.out).toEqual([...HEADER, planRow('idle', 'orders', 0, 3), planRow('idle', 'orders', 1, 7)]);
    expect(warnings(run.err)).toHaveLength(1);
    expect(admin.callsOf('alterConsumerGroupOffsets')).toEqual([
      {
        groupId: 'idle',
        offsets: [
          [orders(0), 3n],
          [orders(1), 7n],
        ],
      },
    ]);
  });

  test('fromFileWithoutAPlanForTheGroup', async () => {
    const run = await runCommand(
      ['--reset-offsets', '--group', 'idle', '--group', 'fresh', '--from-file', 'plan.csv', '--dry-run'],
      exampleCluster(),
      { readFile: () => 'idle,orders,0,1\n' },
    );
    expect(run.out).toEqual([
      '',
      'Error: No reset plan for group fresh found',
      ...HEADER,
      planRow('idle', 'orders', 0, 1),
    ]);
  });

  test('aMissingFileFailsWithItsPath', async () => {
    const run = await runCommand(
      ['--reset-offsets', '--group', 'idle', '--from-file', '/no/such.csv', '--dry-run'],
      exampleCluster(),
    );
    expect(run.out).toEqual(['', 'Error: Executing consumer group command failed due to /no/such.csv']);
  });

  test('parseResetPlanReadsBothFormats', () => {
    expect(parseResetPlan('t,0,5\nt,1,6', 'g').get('g')?.entries()).toEqual([
      [{ topic: 't', partition: 0 }, 5n],
      [{ topic: 't', partition: 1 }, 6n],
    ]);
    const several = parseResetPlan('g1,t,0,5\r\n"g,2",t,1,6\r\n', 'g1');
    expect([...several.keys()]).toEqual(['g1', 'g,2']);
    expect(() => parseResetPlan('g1,t,x,5', undefined)).toThrow(/Line 1 of the reset plan/);
  });

  test('parseTopicPartitionsArgReadsAsKafka', () => {
    expect(parseTopicPartitionsArg('t:0,2,')).toEqual([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 2 },
    ]);
    expect(() => parseTopicPartitionsArg('t:')).toThrow('Index 1 out of bounds for length 1');
    expect(() => parseTopicPartitionsArg('t:1,,2')).toThrow('For input string: ""');
  });
});
