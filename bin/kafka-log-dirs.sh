#!/usr/bin/env bash
# Samsa's kafka-log-dirs (packages/admin), run from the built JavaScript; 'make build' (or
# 'npx tsc -b') builds it. Arguments and output are Kafka 2.8's; see 'kafka-log-dirs.sh --help'.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
js="$here/../packages/admin/dist/cli/kafka-log-dirs.js"
if [[ ! -f "$js" ]]; then
  echo "kafka-log-dirs: $js is missing; run 'make build' (or 'npx tsc -b') in $here/.. first" >&2
  exit 1
fi
exec node "$js" "$@"
