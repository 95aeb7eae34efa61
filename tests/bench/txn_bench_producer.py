#!/usr/bin/python3
"""The producer of tests/bench/transactions.bench.ts (python3-confluent-kafka, librdkafka).

  txn_bench_producer.py BOOTSTRAP TOPIC MODE COUNT SIZE TXN_SIZE

MODE "txn": COUNT records of SIZE bytes to partition 0 in transactions of TXN_SIZE records, each
committed (commit_transaction's wall time is the commit latency). MODE "plain": the same records
with an idempotent producer (acks=all), flushed once at the end. MODE "flushed": as plain, but
flushed after every TXN_SIZE records (the transactions' wait for their records' acks, without
the transactions). Prints one JSON line:
  {"seconds": S, "commitsMs": [..], "loopsMs": [..]}
loopsMs (txn mode): each transaction's begin_transaction and produce() calls, the application's
own time before commit_transaction (the rest of a transaction is commit_transaction's).
"""
import json
import sys
import time

from confluent_kafka import Producer


def main():
    bootstrap, topic, mode = sys.argv[1:4]
    count, size, txn_size = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    conf = {'bootstrap.servers': bootstrap, 'linger.ms': 5, 'enable.idempotence': True, 'acks': 'all',
            'queue.buffering.max.kbytes': 1048576, 'queue.buffering.max.messages': 1000000}
    if mode == 'txn':
        conf['transactional.id'] = 'bench-%s-%d' % (topic, time.time_ns())
    p = Producer(conf)
    value = b'x' * size
    commits = []
    loops = []
    if mode == 'txn':
        p.init_transactions(60)
    start = time.perf_counter()
    if mode == 'txn':
        for first in range(0, count, txn_size):
            tb = time.perf_counter()
            p.begin_transaction()
            for _ in range(min(txn_size, count - first)):
                p.produce(topic, value=value, partition=0)
            t0 = time.perf_counter()
            loops.append((t0 - tb) * 1000)
            p.commit_transaction(60)
            commits.append((time.perf_counter() - t0) * 1000)
    elif mode == 'flushed':
        for first in range(0, count, txn_size):
            for _ in range(min(txn_size, count - first)):
                p.produce(topic, value=value, partition=0)
            if p.flush(60) != 0:
                raise SystemExit('records left undelivered')
    else:
        for _ in range(count):
            while True:
                try:
                    p.produce(topic, value=value, partition=0)
                    break
                except BufferError:
                    p.poll(0.01)
        if p.flush(120) != 0:
            raise SystemExit('records left undelivered')
    print(json.dumps({'seconds': time.perf_counter() - start, 'commitsMs': commits, 'loopsMs': loops}), flush=True)


if __name__ == '__main__':
    main()
