import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logging, kafkaTimestamp } from './logging';

describe('Kafka-style logging', () => {
  it('formats timestamps as log4j does', () => {
    expect(kafkaTimestamp(new Date(2026, 10, 21, 9, 5, 7, 42))).toBe('2026-11-21 09:05:07,042');
  });

  it('writes server.log and state-change.log lines in Kafka layout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-log-'));
    const logging = new Logging({ logDir: dir, console: false });
    logging.logger('[KafkaServer id=1]', 'kafka.server.KafkaServer').info('started');
    logging.logger('[ReplicaManager broker=1]').warn('disk trouble', new Error('EIO'));
    logging.stateChangeLogger('[Controller id=1 epoch=3]').info('Changed partition t-0 state from NewPartition to OnlinePartition');
    await logging.close();
    const server = readFileSync(join(dir, 'server.log'), 'utf8').trim().split('\n');
    expect(server[0]).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] INFO \[KafkaServer id=1\] started \(kafka\.server\.KafkaServer\)$/);
    expect(server[1]).toMatch(/WARN \[ReplicaManager broker=1\] disk trouble$/);
    expect(server[2]).toMatch(/^Error: EIO/);
    const sc = readFileSync(join(dir, 'state-change.log'), 'utf8');
    expect(sc).toMatch(/INFO \[Controller id=1 epoch=3\] Changed partition t-0 state from NewPartition to OnlinePartition \(state\.change\.logger\)/);
    expect(readFileSync(join(dir, 'server.log'), 'utf8')).not.toMatch(/Changed partition/);
  });
});
