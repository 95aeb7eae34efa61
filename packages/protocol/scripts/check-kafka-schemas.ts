/**
 * Checks every message spec of ours field by field against Kafka 2.8's message JSON and, with
 * --write-fingerprints, records what was verified in src/schema/kafka-2.8-fingerprints.json (only when
 * no unaccepted difference remains). Kafka's files are read from <dir>, never copied into this repo:
 *
 *   npx tsx packages/protocol/scripts/check-kafka-schemas.ts /work/kafka-2.8-messages [--write-fingerprints]
 *
 * <dir> holds the *.json of Kafka 2.8.2's clients/src/main/resources/common/message/ and
 * core/src/main/resources/common/message/ (the __consumer_offsets key/value schemas), flat.
 * Exit status 1 when there are differences; the unit test kafkaSchemaCheck.test.ts runs the same check.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FINGERPRINT_FILE_COMMENT,
  checkAgainstKafka,
  checkedSpecs,
  fingerprintsOf,
  kafkaMessagesByName,
  type KafkaFingerprintFile,
} from '../src/schema/kafkaSchemaSpecs';

const FINGERPRINT_PATH = join(__dirname, '..', 'src', 'schema', 'kafka-2.8-fingerprints.json');

function main(argv: readonly string[]): number {
  const write = argv.includes('--write-fingerprints');
  const dir = argv.find((a) => !a.startsWith('--'));
  if (!dir) {
    console.error('usage: check-kafka-schemas.ts <kafka-message-json-dir> [--write-fingerprints]');
    return 2;
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  const kafka = kafkaMessagesByName(files.map((f) => readFileSync(join(dir, f), 'utf8')));
  const result = checkAgainstKafka(kafka);
  const ours = new Set(checkedSpecs().map((s) => s.name));
  const notOurs = [...kafka.keys()].filter((n) => !ours.has(n)).sort();

  console.log(`checked ${result.checked} messages against ${kafka.size} Kafka messages in ${dir}`);
  for (const e of result.accepted) console.log(`accepted: ${e.difference}  (${e.reason})`);
  for (const e of result.unusedExceptions) console.log(`stale exception (matches nothing): ${e.difference}`);
  for (const d of result.differences) console.log(`DIFFERENCE: ${d}`);
  console.log(`Kafka messages without a spec of ours (not checked): ${notOurs.join(', ') || 'none'}`);

  const clean = result.differences.length === 0 && result.unusedExceptions.length === 0;
  if (!clean) {
    console.log(
      `${result.differences.length} difference(s), ${result.unusedExceptions.length} stale exception(s)`,
    );
    if (write) console.log('fingerprints NOT written');
    return 1;
  }
  console.log('no unaccepted differences');
  if (write) {
    const file: KafkaFingerprintFile = {
      comment: FINGERPRINT_FILE_COMMENT,
      kafka: '2.8.2',
      messages: fingerprintsOf(checkedSpecs()),
    };
    writeFileSync(FINGERPRINT_PATH, `${JSON.stringify(file, null, 2)}\n`);
    console.log(`wrote ${Object.keys(file.messages).length} fingerprints to ${FINGERPRINT_PATH}`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
