#!/usr/bin/python3
"""One kafka-python 2.0.2 (Debian's python3-kafka) consumer-group member, streaming what it does.

  kafka_python_group.py BOOTSTRAP GROUP TOPIC [SESSION_MS [METADATA_MAX_AGE_MS]]

Subscribes TOPIC in GROUP (auto offset reset earliest, auto commit every 500 ms) and prints one JSON
object per line: {"event":"assigned","partitions":[...]} on every assignment, {"event":"record",
"p","o","k"} per record, {"event":"closed"} after SIGTERM (close() commits and leaves the group).
Run it with /usr/bin/python3: the Debian packages are visible only to that interpreter.
"""
import json
import signal
import sys

from kafka import KafkaConsumer
from kafka.consumer.subscription_state import ConsumerRebalanceListener


def emit(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


class Listener(ConsumerRebalanceListener):
    def on_partitions_revoked(self, revoked):
        emit({'event': 'revoked', 'partitions': sorted(tp.partition for tp in revoked)})

    def on_partitions_assigned(self, assigned):
        emit({'event': 'assigned', 'partitions': sorted(tp.partition for tp in assigned)})


def main(argv):
    bootstrap, group, topic = argv[1], argv[2], argv[3]
    session_ms = int(argv[4]) if len(argv) > 4 else 6000
    # kafka-python notices new partitions of a subscribed topic on a metadata refresh (default 300000)
    metadata_age = {'metadata_max_age_ms': int(argv[5])} if len(argv) > 5 else {}
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap.split(','),
        group_id=group,
        auto_offset_reset='earliest',
        enable_auto_commit=True,
        auto_commit_interval_ms=500,
        session_timeout_ms=session_ms,
        heartbeat_interval_ms=max(300, session_ms // 6),
        max_poll_interval_ms=30000,
        retry_backoff_ms=100,
        **metadata_age
    )
    consumer.subscribe([topic], listener=Listener())
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    while not stopping:
        for tp, batch in consumer.poll(timeout_ms=200).items():
            for m in batch:
                emit({'event': 'record', 'p': m.partition, 'o': m.offset,
                      'k': None if m.key is None else m.key.decode('utf-8')})
    consumer.close(autocommit=True)
    emit({'event': 'closed'})


if __name__ == '__main__':
    main(sys.argv)
