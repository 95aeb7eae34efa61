#!/usr/bin/env node
/** kafka-consumer-perf-test: Kafka 2.8's ConsumerPerformance, its flags, header and summary line. */
import { runConsumerPerformance } from '../perf/ConsumerPerformance';

runConsumerPerformance(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kafka-consumer-perf-test: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
