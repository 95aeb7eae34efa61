#!/usr/bin/env bash
# Installs what Samsa needs on a Debian 12 machine, idempotently and quietly when all is there:
# Debian packages (a C compiler for the protocol package's CRC-32C addon, ZooKeeper, kcat, the
# Python Kafka clients and their codecs, Chromium for the dashboard's browser tests) and the npm
# workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(gcc libc6-dev zookeeper kcat python3-kafka python3-confluent-kafka python3-snappy python3-lz4 python3-zstandard default-jre-headless chromium)
missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# A JRE may come from another package (Java 17 is preinstalled on our machines): skip default-jre then.
if command -v java >/dev/null 2>&1; then
  tmp=(); for p in "${missing[@]}"; do [ "$p" = default-jre-headless ] || tmp+=("$p"); done; missing=("${tmp[@]+"${tmp[@]}"}")
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# docker-compose (v1, Debian's) only checks deploy/docker-compose.yml (`config` needs no engine):
# without its recommends, which would bring a Docker engine this machine does not run.
if ! dpkg-query -W -f='${Status}' docker-compose 2>/dev/null | grep -q 'install ok installed'; then
  echo "setup: installing Debian package: docker-compose (without recommends)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
fi

# npm workspace: reinstall only when the lockfile changed since the last install.
stamp=node_modules/.samsa-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
