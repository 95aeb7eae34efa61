#!/usr/bin/env bash
# Runs the unit project (parallel workers), then the integration project one file at a time (its
# suites start ZooKeeper, brokers and clients; on 2 cores they must not compete), and prints a
# plain closing line: "tests: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
unit=$(mktemp); integ=$(mktemp)
npx jest --ci --selectProjects unit --json --outputFile="$unit" "$@"
rc_unit=$?
npx jest --ci --selectProjects integration --runInBand --json --outputFile="$integ" "$@"
rc_integ=$?
node -e '
const fs = require("fs");
let p = 0, f = 0, s = 0;
for (const file of process.argv.slice(1)) {
  try {
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    p += r.numPassedTests; f += r.numFailedTests; s += r.numPendingTests;
  } catch { f += 1; console.error(`no jest results in ${file}`); }
}
console.log(`tests: ${p} passed, ${f} failed, ${s} skipped`);
' "$unit" "$integ" || true
rm -f "$unit" "$integ"
[ $rc_unit -eq 0 ] && [ $rc_integ -eq 0 ]
