#!/usr/bin/python3
"""SASL_PLAINTEXT or SASL_SSL produce-then-consume with confluent-kafka (librdkafka) or kafka-python 2.0.2.

Run it with /usr/bin/python3 (Debian's python3-confluent-kafka and python3-kafka).

  roundtrip LIB BOOTSTRAP TOPIC MECHANISM USER PASSWORD COUNT [CAFILE]
      LIB is confluent or kafka-python. Produces COUNT keyed records (acks all), then reads the
      topic's partition 0 from the beginning until it has them. With CAFILE (a PEM CA) the
      client speaks SASL_SSL and verifies the broker's certificate and host name against it.
      Prints one JSON document:
      {"produced": N, "consumed": [values…]} or {"error": "<message>"} when authentication fails;
      kafka-python adds "connection_errors": the errors its connections were closed with
      ("<type>: <message>"), since it raises only NoBrokersAvailable for a refused login.
"""
import json
import logging
import sys
import time


class ConnectionErrors(logging.Handler):
    """The errors kafka-python's BrokerConnection.close(error) logs ("<conn>: Closing connection. <error>")."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.errors = []

    def emit(self, record):
        args = record.args if isinstance(record.args, tuple) else ()
        if record.msg == '%s: Closing connection. %s' and len(args) == 2 and isinstance(args[1], Exception):
            error = args[1]
            self.errors.append('%s: %s' % (type(error).__name__, error.args[0] if error.args else ''))


def confluent_roundtrip(bootstrap, topic, mechanism, user, password, count, ca=None):
    from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

    sasl = {
        'bootstrap.servers': bootstrap,
        'security.protocol': 'SASL_SSL' if ca else 'SASL_PLAINTEXT',
        'sasl.mechanisms': mechanism,
        'sasl.username': user,
        'sasl.password': password,
    }
    if ca:
        sasl.update({'ssl.ca.location': ca, 'ssl.endpoint.identification.algorithm': 'https'})
    errors = []
    producer = Producer(dict(sasl, **{'acks': 'all', 'error_cb': lambda e: errors.append(str(e))}))
    delivered = []
    for i in range(count):
        producer.produce(topic, key=b'k-%d' % i, value=b'v-%d' % i, partition=0,
                         on_delivery=lambda err, msg: delivered.append(err))
    deadline = time.time() + 60
    while len(delivered) < count and time.time() < deadline:
        producer.poll(0.2)
        if errors and any('Authentication' in e or 'SASL' in e for e in errors):
            return {'error': errors[0]}
    if len(delivered) < count or any(d is not None for d in delivered):
        return {'error': 'not delivered: %s %s' % (delivered, errors)}
    consumer = Consumer(dict(sasl, **{'group.id': 'sasl-%s' % topic, 'enable.auto.commit': False}))
    consumer.assign([TopicPartition(topic, 0, 0)])
    values = []
    while len(values) < count and time.time() < deadline:
        m = consumer.poll(0.5)
        if m is None:
            continue
        if m.error():
            raise KafkaException(m.error())
        values.append(m.value().decode())
    consumer.close()
    return {'produced': count, 'consumed': values}


def kafka_python_roundtrip(bootstrap, topic, mechanism, user, password, count, ca=None):
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.errors import KafkaError

    sasl = dict(bootstrap_servers=bootstrap.split(','), security_protocol='SASL_SSL' if ca else 'SASL_PLAINTEXT',
                sasl_mechanism=mechanism, sasl_plain_username=user, sasl_plain_password=password)
    if ca:
        sasl.update(ssl_cafile=ca, ssl_check_hostname=True)
    closed = ConnectionErrors()
    conn_log = logging.getLogger('kafka.conn')
    conn_log.setLevel(logging.INFO)
    conn_log.addHandler(closed)
    try:
        producer = KafkaProducer(acks='all', retries=5, max_block_ms=30000, **sasl)
    except KafkaError as e:
        return {'error': repr(e), 'connection_errors': closed.errors}
    futures = [producer.send(topic, key=b'k-%d' % i, value=b'v-%d' % i, partition=0) for i in range(count)]
    producer.flush(timeout=60)
    for f in futures:
        f.get(timeout=60)
    producer.close(timeout=10)
    consumer = KafkaConsumer(consumer_timeout_ms=20000, **sasl)
    tp = TopicPartition(topic, 0)
    consumer.assign([tp])
    consumer.seek_to_beginning(tp)
    values = []
    for m in consumer:
        values.append(m.value.decode())
        if len(values) >= count:
            break
    consumer.close()
    return {'produced': count, 'consumed': values}


def main(argv):
    if len(argv) not in (9, 10) or argv[1] != 'roundtrip':
        raise SystemExit(__doc__)
    lib, bootstrap, topic, mechanism, user, password, count = argv[2:9]
    ca = argv[9] if len(argv) == 10 else None
    fn = confluent_roundtrip if lib == 'confluent' else kafka_python_roundtrip
    try:
        result = fn(bootstrap, topic, mechanism, user, password, int(count), ca)
    except Exception as e:  # authentication failures surface as exceptions in kafka-python
        result = {'error': '%s: %s' % (type(e).__name__, e)}
    print(json.dumps(result))


if __name__ == '__main__':
    main(sys.argv)
