#!/usr/bin/env bash
# make run: the cluster in the foreground (Ctrl-C stops it). Setup and build ran before (Makefile).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx scripts/run.ts
