#!/usr/bin/env bash
# Kafka's start script, for Samsa: kafka-server-start.sh server.properties [--override k=v]...
here="$(cd "$(dirname "$0")/.." && pwd)"
. "$here/bin/samsa-node-options.sh"
# shellcheck disable=SC2086 # the options are separate words
exec node $SAMSA_NODE_PERFORMANCE_OPTS "$here/packages/broker/dist/bin/samsa-broker.js" "$@"
