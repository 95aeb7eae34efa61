#!/usr/bin/env bash
# Runs the unit project (parallel workers), then the integration project, and prints a plain
# closing line: "tests: N passed, N failed, N skipped".
#
# Integration suites start ZooKeeper, brokers and clients, so each lane runs its files one at a
# time. There are two lanes side by side (SAMSA_TEST_LANES=1 for one): the real-client and fault
# suites (tests/interop, tests/fault), whose output streams live, and all the others, whose output
# follows when both are done. Most of a suite's time is spent waiting (timeouts, rebalances,
# session expiry), which is why two lanes fit on 2 cores.
set -uo pipefail
cd "$(dirname "$0")/.."
lanes=${SAMSA_TEST_LANES:-2}
unit=$(mktemp); integ_a=$(mktemp); integ_b=$(mktemp); log_b=$(mktemp)
results=("$unit" "$integ_a")
integration() { npx jest --ci --selectProjects integration --runInBand --json --outputFile="$@"; }

npx jest --ci --selectProjects unit --json --outputFile="$unit" "$@"
rc_unit=$?
rc_b=0
if [ "$lanes" = 1 ]; then
  integration "$integ_a" "$@"
  rc_a=$?
else
  results+=("$integ_b")
  integration "$integ_b" "$@" --testPathIgnorePatterns '/node_modules/' '/tests/(fault|interop)/' >"$log_b" 2>&1 &
  pid_b=$!
  integration "$integ_a" "$@" --testPathPattern '/tests/(fault|interop)/'
  rc_a=$?
  wait "$pid_b"
  rc_b=$?
  echo "---- the other integration suites (run beside the ones above) ----"
  cat "$log_b"
fi
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
' "${results[@]}" || true
rm -f "$unit" "$integ_a" "$integ_b" "$log_b"
[ $rc_unit -eq 0 ] && [ $rc_a -eq 0 ] && [ $rc_b -eq 0 ]
