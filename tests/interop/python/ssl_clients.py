#!/usr/bin/python3
"""Produce then consume over SSL with kafka-python 2.0.2 or confluent-kafka (librdkafka).

Run it with /usr/bin/python3 (the Debian packages). Usage:

  ssl_clients.py CLIENT BOOTSTRAP TOPIC COUNT TAG CAFILE [CERTFILE KEYFILE]

CLIENT is kafka-python or confluent. With CERTFILE and KEYFILE the client presents a certificate
(mutual TLS). Values are TAG-0 … TAG-(COUNT-1). Prints one JSON document: the values produced and
the values consumed (partition 0, from the beginning), or {"error": "..."} and exit code 2 when the broker cannot be used.
"""
import json
import sys
import time


def kafka_python(bootstrap, topic, count, tag, ca, cert, key):
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    ssl = dict(security_protocol='SSL', ssl_cafile=ca, ssl_check_hostname=True)
    if cert:
        ssl.update(ssl_certfile=cert, ssl_keyfile=key)
    producer = KafkaProducer(bootstrap_servers=bootstrap.split(','), acks='all', retries=5,
                             request_timeout_ms=15000, max_block_ms=20000, **ssl)
    values = ['%s-%d' % (tag, i) for i in range(count)]
    for v in values:
        producer.send(topic, value=v.encode(), key=b'k').get(timeout=30)
    producer.close()
    consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(','), enable_auto_commit=False,
                             consumer_timeout_ms=10000, **ssl)
    tp = TopicPartition(topic, 0)
    consumer.assign([tp])
    consumer.seek_to_beginning(tp)
    end = consumer.end_offsets([tp])[tp]
    got = []
    deadline = time.time() + 30
    while consumer.position(tp) < end and time.time() < deadline:
        for records in consumer.poll(timeout_ms=1000).values():
            got.extend(r.value.decode() for r in records)
    consumer.close()
    return values, got


def confluent(bootstrap, topic, count, tag, ca, cert, key):
    from confluent_kafka import Consumer, Producer, TopicPartition
    ssl = {'bootstrap.servers': bootstrap, 'security.protocol': 'SSL', 'ssl.ca.location': ca,
           'ssl.endpoint.identification.algorithm': 'https'}
    if cert:
        ssl.update({'ssl.certificate.location': cert, 'ssl.key.location': key})
    errors = []
    producer = Producer(dict(ssl, **{'acks': 'all', 'message.timeout.ms': 20000,
                                     'error_cb': lambda e: errors.append(str(e))}))
    values = ['%s-%d' % (tag, i) for i in range(count)]
    delivered = []
    for v in values:
        producer.produce(topic, value=v.encode(), key=b'k', partition=0,
                         on_delivery=lambda err, msg: delivered.append(err))
    producer.flush(30)
    if len(delivered) != count or any(e is not None for e in delivered):
        raise SystemExit(json.dumps({'error': 'delivery failed: %s %s' % ([str(e) for e in delivered], errors)}))
    consumer = Consumer(dict(ssl, **{'group.id': 'ssl-' + topic, 'enable.auto.commit': False,
                                     'auto.offset.reset': 'earliest'}))
    consumer.assign([TopicPartition(topic, 0, 0)])
    got = []
    deadline = time.time() + 30
    while not set(values) <= set(got) and time.time() < deadline:
        m = consumer.poll(1.0)
        if m is not None and m.error() is None:
            got.append(m.value().decode())
    consumer.close()
    return values, got


def main():
    client, bootstrap, topic, count, tag, ca = sys.argv[1:7]
    cert, key = (sys.argv[7], sys.argv[8]) if len(sys.argv) > 8 else (None, None)
    run = kafka_python if client == 'kafka-python' else confluent
    try:
        produced, consumed = run(bootstrap, topic, int(count), tag, ca, cert, key)
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001 - the test reads the error
        print(json.dumps({'error': '%s: %s' % (type(e).__name__, e)}))
        sys.exit(2)
    print(json.dumps({'produced': produced, 'consumed': consumed}))


if __name__ == '__main__':
    main()
