import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TopicDescription } from '@samsa/admin-zk';
import { describeLines, TopicOutput } from './TopicOutput';

/** The Kafka 2.1.1 capture these lines must reproduce byte for byte. */
const capture = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'topics-cli.txt'), 'utf8');
const captured = (line: string): void => expect(capture.split('\n')).toContain(line);

const none = { underReplicated: false, unavailable: false, topicsWithOverrides: false };

const topicT = (isrs: number[][], leaders: Array<number | null>, marked = false): TopicDescription => ({
  topic: 'T',
  partitions: [
    [0, 1, 2],
    [1, 2, 0],
    [2, 0, 1],
  ].map((replicas, partition) => ({ partition, replicas, leader: leaders[partition], isr: isrs[partition] })),
  configs: new Map(),
  markedForDeletion: marked,
});

describe('kafka-topics lines', () => {
  test('createdAndDeletedAndListedAsKafka21PrintsThem', () => {
    captured(TopicOutput.created('T'));
    captured(TopicOutput.created('T2'));
    for (const line of TopicOutput.markedForDeletion('T')) captured(line);
    captured(TopicOutput.listed('T', true));
    captured(TopicOutput.listed('segdemo', false));
    captured(TopicOutput.partitionsWarning);
    captured(TopicOutput.partitionsAdded);
  });

  test('describeOfAHealthyTopicIsTheCapture', () => {
    const lines = describeLines(
      [
        topicT(
          [
            [0, 1, 2],
            [1, 2, 0],
            [2, 0, 1],
          ],
          [0, 1, 2],
        ),
      ],
      none,
      new Set([0, 1, 2]),
    );
    expect(lines).toEqual([
      'Topic:T\tPartitionCount:3\tReplicationFactor:3\tConfigs:',
      '\tTopic: T\tPartition: 0\tLeader: 0\tReplicas: 0,1,2\tIsr: 0,1,2',
      '\tTopic: T\tPartition: 1\tLeader: 1\tReplicas: 1,2,0\tIsr: 1,2,0',
      '\tTopic: T\tPartition: 2\tLeader: 2\tReplicas: 2,0,1\tIsr: 2,0,1',
    ]);
    lines.forEach(captured);
  });

  test('configsPrintInTheGivenOrder', () => {
    const segdemo: TopicDescription = {
      topic: 'segdemo',
      partitions: [{ partition: 0, replicas: [0, 1, 2], leader: 0, isr: [0, 1, 2] }],
      configs: new Map([
        ['segment.bytes', '16384'],
        ['retention.ms', '3600000'],
        ['index.interval.bytes', '1024'],
      ]),
      markedForDeletion: false,
    };
    const line = TopicOutput.topicLine({
      ...segdemo,
      partitions: [...segdemo.partitions, { ...segdemo.partitions[0], partition: 1 }],
    });
    expect(line).toBe(
      'Topic:segdemo\tPartitionCount:2\tReplicationFactor:3\tConfigs:segment.bytes=16384,retention.ms=3600000,index.interval.bytes=1024',
    );
    captured(line);
  });

  test('aBrokerDownShowsInIsrAndTheFilters', () => {
    const t = topicT(
      [
        [0, 1],
        [1, 0],
        [0, 1],
      ],
      [0, 1, 0],
    );
    describeLines([t], none, new Set([0, 1])).forEach(captured);
    expect(describeLines([t], { ...none, underReplicated: true }, new Set([0, 1]))).toHaveLength(3);
    expect(describeLines([t], { ...none, unavailable: true }, new Set([0, 1]))).toEqual([]);
    // leader 2 not live, and a partition without state (no leader): both unavailable
    const down = topicT([[2], [], [0, 1, 2]], [2, null, 0]);
    expect(describeLines([down], { ...none, unavailable: true }, new Set([0, 1]))).toEqual([
      '\tTopic: T\tPartition: 0\tLeader: 2\tReplicas: 0,1,2\tIsr: 2',
      '\tTopic: T\tPartition: 1\tLeader: none\tReplicas: 1,2,0\tIsr: ',
    ]);
  });

  test('deletionMarkAndOverridesFilter', () => {
    const marked = topicT([[0], [1], [2]], [0, 1, 2], true);
    expect(describeLines([marked], none, new Set([0, 1, 2]))[0]).toBe(
      'Topic:T\tPartitionCount:3\tReplicationFactor:3\tConfigs:\tMarkedForDeletion:true',
    );
    // partition lines carry the mark only when the topic line is not printed
    expect(describeLines([marked], { ...none, underReplicated: true }, new Set([0, 1, 2]))[0]).toBe(
      '\tTopic: T\tPartition: 0\tLeader: 0\tReplicas: 0,1,2\tIsr: 0\tMarkedForDeletion: true',
    );
    // --topics-with-overrides: topic lines of topics with overrides only, no partitions
    const withConfig = { ...topicT([[0], [1], [2]], [0, 1, 2]), topic: 'C', configs: new Map([['a', 'b']]) };
    expect(describeLines([marked, withConfig], { ...none, topicsWithOverrides: true }, new Set())).toEqual([
      'Topic:C\tPartitionCount:3\tReplicationFactor:3\tConfigs:a=b',
    ]);
  });
});
