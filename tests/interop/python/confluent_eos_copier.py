#!/usr/bin/python3
"""A consume-transform-produce loop with python3-confluent-kafka's transactions (exactly-once).

Run it with /usr/bin/python3: the Debian packages are visible only to that interpreter.

  confluent_eos_copier.py BOOTSTRAP INPUT OUTPUT GROUP TRANSACTIONAL_ID TXN_SIZE PAUSE_MS [ABORT_EVERY]

Reads INPUT as a member of GROUP with isolation.level=read_committed and copies each record to
OUTPUT (same key, value "copy:<value>", same partition number) in transactions of up to TXN_SIZE
records, each of which also commits the group's position through send_offsets_to_transaction.
PAUSE_MS is slept between transactions (so a test can break brokers in the middle of the run).
With ABORT_EVERY = k > 0, every k-th transaction is aborted on purpose once its records and offsets
are sent (and its records copied again in a later one), so the output holds aborted records too.
As the librdkafka transactional API prescribes: an error that requires an abort aborts the
transaction and rewinds the consumer to the group's committed offsets; a retriable commit error
retries the commit; a fatal error ends the run (exit 2).
It stops once the group's committed offsets reach INPUT's high watermarks (the input is written
before the copier starts). One JSON line per event on stdout:
  {"committed": <records in this transaction>, "total": <records committed so far>}
  {"aborted": "<error>"}   {"abortedOnPurpose": <records in it>}
  {"done": true, "total": N, "aborts": A}  or  {"fatal": "<error>"}
"""
import json
import sys
import time

from confluent_kafka import (OFFSET_BEGINNING, OFFSET_INVALID, Consumer, KafkaError, KafkaException, Producer,
                             TopicPartition)

TIMEOUT = 60
COORDINATOR_MOVES = (KafkaError.NOT_COORDINATOR, KafkaError.COORDINATOR_NOT_AVAILABLE,
                     KafkaError.COORDINATOR_LOAD_IN_PROGRESS, KafkaError._WAIT_COORD, KafkaError._TRANSPORT,
                     KafkaError._TIMED_OUT)


def say(obj):
    print(json.dumps(obj), flush=True)


def main():
    bootstrap, source, sink, group, txid = sys.argv[1:6]
    txn_size, pause = int(sys.argv[6]), int(sys.argv[7]) / 1000.0
    abort_every = int(sys.argv[8]) if len(sys.argv) > 8 else 0
    consumer = Consumer({
        'bootstrap.servers': bootstrap,
        'group.id': group,
        'isolation.level': 'read_committed',
        'enable.auto.commit': False,
        'auto.offset.reset': 'earliest',
        'session.timeout.ms': 30000,
    })
    producer = Producer({
        'bootstrap.servers': bootstrap,
        'transactional.id': txid,
        'transaction.timeout.ms': 60000,
        'message.timeout.ms': 60000,
    })
    producer.init_transactions(TIMEOUT)
    consumer.subscribe([source])
    total, aborts, deliberate, transactions = 0, 0, 0, 0

    def committed_offsets(assigned):
        # librdkafka hands OffsetFetch's NOT_COORDINATOR (a coordinator restarting or moving) to
        # the caller after re-querying the coordinator, without marking it retriable: ask again,
        # as an application must, until the deadline.
        deadline = time.time() + TIMEOUT
        while True:
            try:
                return consumer.committed(assigned, timeout=TIMEOUT)
            except KafkaException as e:
                code = e.args[0].code()
                if time.time() >= deadline or code not in COORDINATOR_MOVES:
                    raise
                time.sleep(0.2)

    def rewind():
        assigned = consumer.assignment()
        if not assigned:
            return
        for tp in committed_offsets(assigned):
            consumer.seek(TopicPartition(tp.topic, tp.partition,
                                         OFFSET_BEGINNING if tp.offset == OFFSET_INVALID else tp.offset))

    def finished():
        assigned = consumer.assignment()
        if len(assigned) == 0:
            return False
        for tp in committed_offsets(assigned):
            _, high = consumer.get_watermark_offsets(TopicPartition(source, tp.partition), timeout=TIMEOUT, cached=False)
            if tp.offset < high:
                return False
        return True

    while True:
        batch = [m for m in consumer.consume(txn_size, timeout=1.0) if m.error() is None]
        if not batch:
            try:
                if finished():
                    break
            except KafkaException:
                pass  # a broker is down: ask again on the next round
            continue
        try:
            producer.begin_transaction()
            for m in batch:
                producer.produce(sink, key=m.key(), value=b'copy:' + m.value(), partition=m.partition())
            producer.send_offsets_to_transaction(consumer.position(consumer.assignment()),
                                                 consumer.consumer_group_metadata(), TIMEOUT)
            transactions += 1
            if abort_every > 0 and transactions % abort_every == 0:
                # flushed first: an abort purges what librdkafka has not sent yet
                if producer.flush(TIMEOUT) != 0:
                    raise KafkaException(KafkaError(KafkaError._TIMED_OUT, 'flush before the abort', retriable=True))
                producer.abort_transaction(TIMEOUT)
                deliberate += 1
                say({'abortedOnPurpose': len(batch)})
                rewind()
                time.sleep(pause)
                continue
            while True:
                try:
                    producer.commit_transaction(TIMEOUT)
                    break
                except KafkaException as e:
                    if e.args[0].retriable():
                        continue
                    raise
            total += len(batch)
            say({'committed': len(batch), 'total': total})
        except KafkaException as e:
            err = e.args[0]
            if err.fatal():
                say({'fatal': err.str()})
                sys.exit(2)
            if not err.txn_requires_abort() and not err.retriable():
                say({'fatal': 'neither abortable nor retriable: ' + err.str()})
                sys.exit(2)
            aborts += 1
            say({'aborted': err.str()})
            producer.abort_transaction(TIMEOUT)
            rewind()
        time.sleep(pause)
    say({'done': True, 'total': total, 'aborts': aborts, 'abortedOnPurpose': deliberate})
    consumer.close()


if __name__ == '__main__':
    main()
