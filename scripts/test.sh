#!/usr/bin/env bash
# Runs every jest project and prints a plain closing line ("tests: N passed, N failed, N skipped").
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
npx jest --ci --json --outputFile="$out" "$@"
rc=$?
node -e '
const r = require(process.argv[1]);
console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
' "$out" || true
rm -f "$out"
exit $rc
