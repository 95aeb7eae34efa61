#!/usr/bin/env bash
# Kafka's start script, for Samsa: kafka-server-start.sh server.properties [--override k=v]...
here="$(cd "$(dirname "$0")/.." && pwd)"
exec node "$here/packages/broker/dist/bin/samsa-broker.js" "$@"
