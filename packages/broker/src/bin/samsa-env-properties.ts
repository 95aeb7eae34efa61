#!/usr/bin/env node
/**
 * `samsa-env-properties` — prints the server.properties that the KAFKA_* environment describes
 * (Confluent's image convention: KAFKA_ADVERTISED_LISTENERS → advertised.listeners, `__` → `_`,
 * `___` → `-`), one `key=value` line per variable in name order, after checking it as the broker
 * would (unknown key, bad value, no zookeeper.connect: `ERROR: …` on stderr, exit 1). The Docker
 * image's entrypoint writes its output to the file the broker is started with.
 */
import { ConfigError, configFromEnv, KafkaConfig } from '../config/KafkaConfig';
import { formatProperties } from '../config/properties';

try {
  KafkaConfig.load({ env: process.env });
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  process.stderr.write(`ERROR: ${e.message}\n`);
  process.exit(1);
}
process.stdout.write(
  formatProperties(configFromEnv(process.env).map(({ key, value }) => [key, value] as const)),
);
