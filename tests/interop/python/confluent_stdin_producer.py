#!/usr/bin/python3
"""python3-confluent-kafka (librdkafka) as a long-running producer driven through stdin.

Run it with /usr/bin/python3: the Debian packages are visible only to that interpreter.

  confluent_stdin_producer.py BOOTSTRAP TOPIC [KEY=VALUE ...]

KEY=VALUE pairs are librdkafka configuration (e.g. enable.idempotence=true acks=all).
Each stdin line "PARTITION VALUE" is produced as one record (no key) to that partition, at once.
Every delivery report is one JSON line on stdout, in the order librdkafka reports them:
  {"value": V, "partition": P, "offset": O | null, "error": null | "NAME: description"}
(offset null: delivered, but librdkafka has no offset for it)
At stdin's end it flushes (up to 120 s) and prints {"done": true, "undelivered": N}.
"""
import json
import os
import select
import sys

from confluent_kafka import Producer


def report(err, msg):
    print(json.dumps({
        'value': msg.value().decode('utf-8'),
        'partition': msg.partition(),
        'offset': msg.offset() if err is None else None,
        'error': None if err is None else '%s: %s' % (err.name(), err.str()),
    }), flush=True)


def main():
    bootstrap, topic = sys.argv[1], sys.argv[2]
    conf = {'bootstrap.servers': bootstrap}
    for pair in sys.argv[3:]:
        key, _, value = pair.partition('=')
        conf[key] = value
    producer = Producer(conf)

    fd = sys.stdin.fileno()
    pending = b''
    while True:
        # select, not sys.stdin's buffered reads: delivery reports must be served while stdin is idle
        ready, _, _ = select.select([fd], [], [], 0.05)
        producer.poll(0)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b'\n')
        for line in lines:
            if not line:
                continue
            partition, value = line.decode('utf-8').split(' ', 1)
            while True:
                try:
                    producer.produce(topic, value=value.encode('utf-8'), partition=int(partition), on_delivery=report)
                    break
                except BufferError:  # local queue full: serve delivery reports, then try again
                    producer.poll(0.1)
    undelivered = producer.flush(120)
    print(json.dumps({'done': True, 'undelivered': undelivered}), flush=True)


if __name__ == '__main__':
    main()
