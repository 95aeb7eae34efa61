#!/usr/bin/env bash
# Samsa's ops dashboard (packages/dashboard), run from the built JavaScript; 'make build' (or
# 'npx tsc -b') builds it. samsa-dashboard.sh --zookeeper HOST:PORT [--bootstrap-server H:P,...] [--port N]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
js="$here/../packages/dashboard/dist/bin/samsa-dashboard.js"
if [[ ! -f "$js" ]]; then
  echo "samsa-dashboard: $js is missing; run 'make build' (or 'npx tsc -b') in $here/.. first" >&2
  exit 1
fi
exec node "$js" "$@"
