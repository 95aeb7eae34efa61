#!/usr/bin/env bash
# Kafka's kafka-server-stop.sh, for Samsa: sends SIGTERM (or $SIGNAL) to every Samsa broker
# process on this machine (node running packages/broker/dist/bin/samsa-broker.js), which then
# shuts down cleanly (controlled shutdown, logs flushed and closed), as Kafka's script does with
# its kafka.Kafka JVMs. "No kafka server to stop" and exit 1 when there is none.
#
# SAMSA_SERVER_STOP_MATCH=<text> stops only the brokers whose command line contains <text> (for
# example the path of their server.properties): several brokers on one machine, or tests.
SIGNAL=${SIGNAL:-TERM}
match=${SAMSA_SERVER_STOP_MATCH:-}
PIDS=$(ps ax -o pid= -o args= \
  | awk -v me="$$" '$1 != me && $2 ~ /(^|\/)node$/ && index($0, "samsa-broker.js") > 0' \
  | { if [[ -n "$match" ]]; then grep -F -- "$match"; else cat; fi; } \
  | awk '{print $1}')

if [[ -z "$PIDS" ]]; then
  echo "No kafka server to stop"
  exit 1
fi
# shellcheck disable=SC2086 # one word per pid
kill -s "$SIGNAL" $PIDS
