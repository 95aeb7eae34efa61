#!/bin/sh
# TLS material and the admin password for a SASL_SSL listener, made with openssl only (the one-shot
# service of deploy/docker-compose.sasl-ssl.yml and the init container of deploy/k8s/sasl-ssl run it;
# so can an operator, anywhere openssl is):
#
#   make-tls.sh <dir> [host ...]
#
# Writes into <dir>, keeping what is there already (a rerun changes nothing, so clients keep
# trusting the CA and the admin keeps the password):
#   ca.pem, ca.key            a certificate authority of this deployment (ca.key never leaves <dir>)
#   broker.pem                the brokers' PEM keystore: private key (PKCS#8, unencrypted) followed by
#                             the certificate chain; SANs: every <host>, localhost and 127.0.0.1.
#                             Broker: ssl.keystore.type=PEM, ssl.keystore.location=<dir>/broker.pem
#   admin.password            a random password for the SCRAM user `admin`
#   client-sasl_ssl.properties     Kafka tools' client config (--command-config, --producer.config)
#   librdkafka-sasl_ssl.properties kcat -F / librdkafka clients
# $TLS_BOOTSTRAP, when set, is written as bootstrap.servers in both client configs.
# New hosts on a rerun: delete broker.pem first (the CA is kept).
set -eu

if [ $# -lt 1 ]; then
  echo "usage: $0 <dir> [host ...]" >&2
  exit 2
fi
dir="$1"
shift
command -v openssl >/dev/null 2>&1 || { echo "ERROR: openssl is not installed" >&2; exit 1; }
umask 077
mkdir -p "$dir"
cd "$dir"

if [ ! -s ca.pem ] || [ ! -s ca.key ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj '/CN=Samsa deployment CA' \
    -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' \
    -keyout ca.key -out ca.pem 2>/dev/null
  rm -f broker.pem
  echo "make-tls: made a new CA in $dir/ca.pem"
fi

if [ ! -s broker.pem ]; then
  sans="DNS:localhost,IP:127.0.0.1"
  for host in "$@"; do
    case "$host" in
      *[!0-9.]*) sans="$sans,DNS:$host" ;;
      *) sans="$sans,IP:$host" ;;
    esac
  done
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$sans" > broker.ext
  openssl req -newkey rsa:2048 -nodes -subj '/O=Samsa/CN=broker' -keyout broker.key -out broker.csr 2>/dev/null
  openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
    -extfile broker.ext -out broker.crt 2>/dev/null
  # openssl 1.1 writes a traditional RSA key: make it PKCS#8, as Kafka's PEM keystore wants
  openssl pkcs8 -topk8 -nocrypt -in broker.key -out broker.p8
  cat broker.p8 broker.crt ca.pem > broker.pem.tmp
  mv broker.pem.tmp broker.pem
  rm -f broker.key broker.p8 broker.csr broker.crt broker.ext ca.srl
  echo "make-tls: made the broker keystore $dir/broker.pem for $sans"
fi

if [ ! -s admin.password ]; then
  openssl rand -hex 18 > admin.password
  echo "make-tls: made the admin password in $dir/admin.password"
fi
password="$(cat admin.password)"

bootstrap_line=""
[ -n "${TLS_BOOTSTRAP:-}" ] && bootstrap_line="bootstrap.servers=$TLS_BOOTSTRAP"
{
  [ -n "$bootstrap_line" ] && echo "$bootstrap_line"
  echo "security.protocol=SASL_SSL"
  echo "sasl.mechanism=SCRAM-SHA-512"
  echo "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$password\";"
  echo "ssl.truststore.type=PEM"
  echo "ssl.truststore.location=$(pwd)/ca.pem"
} > client-sasl_ssl.properties
{
  [ -n "$bootstrap_line" ] && echo "$bootstrap_line"
  echo "security.protocol=SASL_SSL"
  echo "sasl.mechanisms=SCRAM-SHA-512"
  echo "sasl.username=admin"
  echo "sasl.password=$password"
  echo "ssl.ca.location=$(pwd)/ca.pem"
} > librdkafka-sasl_ssl.properties
# Only the CA certificate is for everyone; the brokers run as the same user as this script.
chmod 644 ca.pem
chmod 600 ca.key broker.pem admin.password client-sasl_ssl.properties librdkafka-sasl_ssl.properties
