#!/usr/bin/env bash
# make run: the cluster in the foreground (Ctrl-C stops it), by the samsa-cluster launcher
# (packages/cluster). Setup and build ran before (Makefile).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node packages/cluster/dist/bin/samsa-cluster.js "$@"
