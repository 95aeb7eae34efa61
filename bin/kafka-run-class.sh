#!/usr/bin/env bash
# Samsa's kafka-run-class.sh for the Kafka tool classes Samsa has as commands of its own:
# 'kafka-run-class.sh kafka.tools.GetOffsetShell --bootstrap-server … --topic …' runs
# kafka-get-offsets.sh, as scripts written for Kafka call it. Other classes are refused.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ $# -lt 1 ]]; then
  echo "USAGE: $0 [-daemon] [-name servicename] [-loggc] classname [opts]" >&2
  exit 1
fi
class="$1"
shift
case "$class" in
  kafka.tools.GetOffsetShell) exec "$here/kafka-get-offsets.sh" "$@" ;;
  kafka.tools.ConsoleProducer) exec "$here/kafka-console-producer.sh" "$@" ;;
  kafka.tools.ConsoleConsumer) exec "$here/kafka-console-consumer.sh" "$@" ;;
  kafka.tools.ReplicaVerificationTool) exec "$here/kafka-replica-verification.sh" "$@" ;;
  kafka.admin.BrokerApiVersionsCommand) exec "$here/kafka-broker-api-versions.sh" "$@" ;;
  kafka.admin.DeleteRecordsCommand) exec "$here/kafka-delete-records.sh" "$@" ;;
  kafka.admin.LogDirsCommand) exec "$here/kafka-log-dirs.sh" "$@" ;;
  *)
    echo "kafka-run-class: Samsa has no class $class (it runs only the Kafka tools it has as bin/ commands)" >&2
    exit 1
    ;;
esac
