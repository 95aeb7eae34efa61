#!/usr/bin/env bash
# make stop: stops a `make run` started elsewhere (SIGTERM lets it shut the brokers down cleanly).
cd "$(dirname "$0")/.."
pidfile=.samsa/run.pid
[ -f "$pidfile" ] || { echo "no running cluster (no $pidfile)"; exit 0; }
pid=$(cat "$pidfile")
if kill -0 "$pid" 2>/dev/null; then
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  echo "stopped $pid"
else
  echo "stale $pidfile removed"
fi
rm -f "$pidfile"
