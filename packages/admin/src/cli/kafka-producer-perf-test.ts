#!/usr/bin/env node
/** kafka-producer-perf-test: Kafka 2.8's ProducerPerformance, its flags, window lines and summary line. */
import { runProducerPerformance } from '../perf/ProducerPerformance';

runProducerPerformance(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kafka-producer-perf-test: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
