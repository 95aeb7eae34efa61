import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, KafkaError } from '@samsa/protocol';
import { partitionDirIn } from './LogFiles';
import { LogManager } from './LogManager';
import { tempDir, testEnv } from './testing/helpers';

/**
 * Issue 13 row 2, defence in depth: whatever a request handler lets through, the LogManager never
 * makes a directory for a partition whose name is not a legal topic partition directly inside its
 * log dir.
 */
describe('partitionDirIn', () => {
  const parent = path.resolve('/var/kafka-logs');

  test('aLegalPartitionLivesDirectlyInsideTheLogDir', () => {
    expect(partitionDirIn(parent, { topic: 'orders', partition: 3 })).toBe(path.join(parent, 'orders-3'));
    expect(partitionDirIn(parent, { topic: '__consumer_offsets', partition: 49 })).toBe(path.join(parent, '__consumer_offsets-49'));
    expect(partitionDirIn(parent, { topic: 'a.b_c-D9', partition: 0 })).toBe(path.join(parent, 'a.b_c-D9-0'));
    expect(partitionDirIn(`${parent}/`, { topic: 't', partition: 0 })).toBe(path.join(parent, 't-0'));
    expect(partitionDirIn(parent, { topic: 'x'.repeat(249), partition: 0 })).toBe(path.join(parent, `${'x'.repeat(249)}-0`));
  });

  test.each([
    ['../victim', 0],
    ['..', 0],
    ['.', 0],
    ['', 0],
    ['a/b', 0],
    ['..\\victim', 0],
    ['/etc/passwd', 0],
    ['x'.repeat(250), 0],
    ['t\u0000', 0],
    ['ünïcode', 0],
    ['t', -1],
    ['t', 1.5],
    ['t', Number.NaN],
  ])('refuses %j partition %p', (topic, partition) => {
    expect(partitionDirIn(parent, { topic, partition })).toBeNull();
  });
});

describe('LogManager with an illegal partition name', () => {
  test('refusesWithInvalidTopicAndTouchesNoDisk', async () => {
    const { dir: root, cleanup } = tempDir();
    try {
      const env = testEnv();
      const logDir = path.join(root, 'logs');
      const m = new LogManager({
        logDirs: [logDir],
        brokerId: 1,
        clusterId: 'cluster-A',
        time: env.time,
        logger: env.logger,
        scheduler: env.scheduler,
        failureChannel: env.failureChannel,
        initialTaskDelayMs: 0,
        cleaner: { enable: false },
      });
      await m.startup();
      const before = readdirSync(logDir).sort();
      for (const topic of ['../victim', '..', 'a/b']) {
        const sync = (() => {
          try {
            m.getOrCreateLog({ topic, partition: 0 });
            return null;
          } catch (e) {
            return e;
          }
        })();
        expect(sync).toBeInstanceOf(KafkaError);
        expect((sync as KafkaError).code).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
        await expect(m.getOrCreateLogAsync({ topic, partition: 0 })).rejects.toMatchObject({
          code: ErrorCode.INVALID_TOPIC_EXCEPTION,
        });
      }
      await expect(m.getOrCreateLogAsync({ topic: 'ok', partition: -1 })).rejects.toMatchObject({
        code: ErrorCode.INVALID_TOPIC_EXCEPTION,
      });
      expect(existsSync(path.join(root, 'victim-0'))).toBe(false);
      expect(readdirSync(root)).toEqual(['logs']);
      expect(readdirSync(logDir).sort()).toEqual(before);
      // the log dir is still online: a legal partition is created as before
      expect(m.getOrCreateLog({ topic: 'ok', partition: 0 }).dir).toBe(path.join(path.resolve(logDir), 'ok-0'));
      await m.shutdown();
    } finally {
      cleanup();
    }
  });
});
