#!/usr/bin/env bash
# Kafka's zookeeper-shell.sh, for Samsa: ZooKeeper's own shell (Debian's zkCli.sh,
# org.apache.zookeeper.ZooKeeperMain, which Kafka's ZooKeeperMainWithTlsSupportForKafka wraps)
# on zookeeper_host:port[/path]; with a command after it (ls /brokers/ids, get /controller, …) it
# runs that command and exits, without one it is interactive.
#
# -zk-tls-config-file <file>: the zookeeper.ssl.* / zookeeper.clientCnxnSocket /
# zookeeper.client.secure properties of that file become the JVM system properties ZooKeeper's
# client reads, as Kafka's wrapper does.
set -euo pipefail
ZKCLI=${SAMSA_ZKCLI:-/usr/share/zookeeper/bin/zkCli.sh}
if [[ $# -lt 1 ]]; then
  echo "USAGE: $0 zookeeper_host:port[/path] [-zk-tls-config-file file] [args...]" >&2
  exit 1
fi
if [[ ! -x "$ZKCLI" ]]; then
  echo "zookeeper-shell: ZooKeeper's zkCli.sh is not at $ZKCLI (install Debian's zookeeper package or set SAMSA_ZKCLI)" >&2
  exit 1
fi
server="$1"
shift
flags=()
if [[ "${1:-}" == "-zk-tls-config-file" ]]; then
  if [[ $# -lt 2 || ! -r "$2" ]]; then
    echo "zookeeper-shell: -zk-tls-config-file needs a readable properties file" >&2
    exit 1
  fi
  while IFS= read -r line || [[ -n "$line" ]]; do
    line="${line%%#*}"
    [[ "$line" =~ ^[[:space:]]*(zookeeper\.[A-Za-z.]+)[[:space:]]*[=:][[:space:]]*(.*[^[:space:]])[[:space:]]*$ ]] || continue
    flags+=("-D${BASH_REMATCH[1]}=${BASH_REMATCH[2]}")
  done <"$2"
  shift 2
fi
export CLIENT_JVMFLAGS="${CLIENT_JVMFLAGS:-} ${flags[*]:-}"
# the client's own log lines go to a file, as Kafka's tools-log4j keeps them off the console
export ZOO_LOG_DIR="${ZOO_LOG_DIR:-${TMPDIR:-/tmp}}"
exec "$ZKCLI" -server "$server" "$@"
