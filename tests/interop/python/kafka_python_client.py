#!/usr/bin/python3
"""kafka-python 2.0.2 (Debian's python3-kafka) as a driver for the interop suite.

Run it with /usr/bin/python3: the Debian packages are visible only to that interpreter.
Every mode prints exactly one JSON document on stdout; bytes travel as base64.

  produce  BOOTSTRAP TOPIC COUNT [ACKS [COMPRESSION [FIRST]]]
                                         keyed records kp-FIRST… (acks all, no compression by
                                         default), one send per record; prints each record's key,
                                         value and RecordMetadata (partition, offset)
  consume  BOOTSTRAP TOPIC               assign mode (no group): every partition from the
                                         beginning to its end offset; prints every record
  offsets  BOOTSTRAP TOPIC TS[,TS…]      beginning_offsets, end_offsets and offsets_for_times

KAFKA_PYTHON_API_VERSION=0.10.1 pins the broker version kafka-python assumes (and so its request
versions: 0.10.1 means Produce v2 with magic 1 message sets, Fetch v3, ListOffsets v1) instead of
inferring it from ApiVersions.
"""
import base64
import json
import os
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition


def api_version():
    pinned = os.environ.get('KAFKA_PYTHON_API_VERSION')
    return {} if not pinned else {'api_version': tuple(int(x) for x in pinned.split('.'))}


def b64(data):
    return None if data is None else base64.b64encode(data).decode('ascii')


def record_value(i):
    # every byte value, a NUL, and a length that varies with i: text-safe transports would break it
    return bytes((i + j) % 256 for j in range(i % 300)) + b'\x00' + str(i).encode()


def partitions_of(consumer, topic, timeout_s=30):
    deadline = time.time() + timeout_s
    while True:
        found = consumer.partitions_for_topic(topic)
        if found:
            return sorted(TopicPartition(topic, p) for p in found)
        if time.time() > deadline:
            raise SystemExit('no partitions for %s after %ss' % (topic, timeout_s))
        consumer.topics()  # refresh metadata
        time.sleep(0.2)


def produce(bootstrap, topic, count, acks='all', compression='none', first=0):
    producer = KafkaProducer(
        bootstrap_servers=bootstrap.split(','),
        acks=acks if acks == 'all' else int(acks),
        compression_type=None if compression == 'none' else compression,
        linger_ms=5,
        retries=10,
        max_block_ms=30000,
        **api_version()
    )
    futures = []
    for i in range(first, first + count):
        key = ('kp-%d' % i).encode()
        futures.append((key, record_value(i), producer.send(topic, key=key, value=record_value(i))))
    producer.flush(timeout=60)
    records = []
    for key, value, future in futures:
        md = future.get(timeout=60)
        records.append({'p': md.partition, 'o': md.offset, 'k': b64(key), 'v': b64(value), 'ts': md.timestamp})
    result = {'apiVersion': list(producer.config['api_version']), 'records': records}
    producer.close(timeout=10)
    return result


def consume(bootstrap, topic, timeout_s=60):
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap.split(','),
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset='earliest',
        **api_version()
    )
    tps = partitions_of(consumer, topic)
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    end = consumer.end_offsets(tps)
    records = []
    deadline = time.time() + timeout_s
    while any(consumer.position(tp) < end[tp] for tp in tps):
        if time.time() > deadline:
            raise SystemExit('consume timed out at %s of %s' % (
                {tp.partition: consumer.position(tp) for tp in tps}, {tp.partition: o for tp, o in end.items()}))
        for tp, batch in consumer.poll(timeout_ms=500).items():
            for m in batch:
                records.append({'p': m.partition, 'o': m.offset, 'k': b64(m.key), 'v': b64(m.value), 'ts': m.timestamp,
                                'h': [[k, b64(v)] for k, v in (m.headers or [])]})
    result = {'apiVersion': list(consumer.config['api_version']),
              'end': {str(tp.partition): o for tp, o in end.items()}, 'records': records}
    consumer.close()
    return result


def offsets(bootstrap, topic, timestamps):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(','), group_id=None, enable_auto_commit=False)
    tps = partitions_of(consumer, topic)
    by_time = {}
    for ts in timestamps:
        found = consumer.offsets_for_times({tp: ts for tp in tps})
        by_time[str(ts)] = {str(tp.partition): (None if f is None else {'offset': f.offset, 'timestamp': f.timestamp})
                            for tp, f in found.items()}
    result = {
        'beginning': {str(tp.partition): o for tp, o in consumer.beginning_offsets(tps).items()},
        'end': {str(tp.partition): o for tp, o in consumer.end_offsets(tps).items()},
        'byTime': by_time,
    }
    consumer.close()
    return result


def main(argv):
    mode, bootstrap, topic = argv[1], argv[2], argv[3]
    if mode == 'produce':
        out = produce(bootstrap, topic, int(argv[4]), argv[5] if len(argv) > 5 else 'all',
                      argv[6] if len(argv) > 6 else 'none', int(argv[7]) if len(argv) > 7 else 0)
    elif mode == 'consume':
        out = consume(bootstrap, topic)
    elif mode == 'offsets':
        out = offsets(bootstrap, topic, [int(t) for t in argv[4].split(',')])
    else:
        raise SystemExit('unknown mode %s' % mode)
    sys.stdout.write(json.dumps(out) + '\n')


if __name__ == '__main__':
    main(sys.argv)
