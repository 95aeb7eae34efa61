#!/bin/sh
# Entrypoint of the Samsa broker image, configured like Confluent's Kafka images: every KAFKA_*
# variable is a server.properties entry (KAFKA_ stripped, lower case, "_" → ".", "__" → "_",
# "___" → "-"; launcher variables such as KAFKA_HEAP_OPTS excepted). The properties are written to
# $SAMSA_CONFIG_DIR/server.properties, shown, and the broker is started on that file; arguments are
# passed on to it (e.g. --override key=value).
#
#   entrypoint.sh --print-properties   prints the properties the environment gives, and exits
#
# Besides KAFKA_*:
#   SAMSA_BROKER_ID_FROM_HOSTNAME=true  broker.id is the number after the host name's last "-" (the
#                                       ordinal of a Kubernetes StatefulSet pod) unless KAFKA_BROKER_ID is set
#   SAMSA_CONFIG_DIR                    where server.properties goes (default /etc/samsa)
# KAFKA_ZOOKEEPER_CONNECT is required; KAFKA_LOG_DIRS defaults to /var/lib/samsa/data (the volume).
set -eu

here="$(cd "$(dirname "$0")" && pwd)"
app="${SAMSA_HOME:-$(dirname "$here")}"
broker_bin="$app/packages/broker/dist/bin"

print_only=false
if [ "${1:-}" = "--print-properties" ]; then
  print_only=true
  shift
fi

if [ "${SAMSA_BROKER_ID_FROM_HOSTNAME:-false}" = "true" ] && [ -z "${KAFKA_BROKER_ID:-}" ]; then
  host="${HOSTNAME:-$(hostname)}"
  ordinal="${host##*-}"
  case "$ordinal" in
    '' | *[!0-9]*)
      echo "ERROR: SAMSA_BROKER_ID_FROM_HOSTNAME is set but host name '$host' does not end in -<number>" >&2
      exit 1
      ;;
  esac
  KAFKA_BROKER_ID="$ordinal"
  export KAFKA_BROKER_ID
fi

if [ -z "${KAFKA_ZOOKEEPER_CONNECT:-}" ]; then
  echo "ERROR: KAFKA_ZOOKEEPER_CONNECT is required (the ZooKeeper connect string host:port[/chroot])" >&2
  exit 1
fi
: "${KAFKA_LOG_DIRS:=/var/lib/samsa/data}"
export KAFKA_LOG_DIRS

if [ "$print_only" = true ]; then
  exec node "$broker_bin/samsa-env-properties.js"
fi

config_dir="${SAMSA_CONFIG_DIR:-/etc/samsa}"
mkdir -p "$config_dir"
node "$broker_bin/samsa-env-properties.js" > "$config_dir/server.properties.tmp"
mv "$config_dir/server.properties.tmp" "$config_dir/server.properties"
echo "===> server.properties ($config_dir/server.properties):"
cat "$config_dir/server.properties"
echo "===> starting samsa-broker"
. "$app/bin/samsa-node-options.sh"
# shellcheck disable=SC2086 # the options are separate words
exec node $SAMSA_NODE_PERFORMANCE_OPTS "$broker_bin/samsa-broker.js" "$config_dir/server.properties" "$@"
