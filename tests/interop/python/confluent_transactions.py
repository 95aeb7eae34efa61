#!/usr/bin/python3
"""python3-confluent-kafka (librdkafka) transactions, one scenario per run; prints one JSON line.

Run it with /usr/bin/python3: the Debian packages are visible only to that interpreter.

  confluent_transactions.py SCENARIO BOOTSTRAP TOPIC TRANSACTIONAL_ID [GROUP]

Scenarios (every record is keyed "<TRANSACTIONAL_ID>-<i>", i over the topic's partitions 0..2):
  commit     one transaction of 6 records, committed; with GROUP, also the group's offset of
             partition 0 set to 5 through send_offsets_to_transaction
  abort      one transaction of 6 records, aborted; with GROUP, the group's offset of partition 0
             set to 50 inside it
  open       4 records (partitions 0 and 1) flushed with the transaction left open; prints the
             watermarks a read_committed and a read_uncommitted consumer get (ListOffsets with
             each isolation level), then aborts and prints them again
  fence      a first producer opens a transaction and writes 1 record; a second producer with the
             same transactional id initialises (fencing the first), writes 1 record and commits;
             then the first tries to write and commit; prints what it was told
Output: {"ok": true, ...scenario facts} or {"ok": false, "error": "..."}.
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

TIMEOUT = 60


def producer(bootstrap, txid):
    return Producer({
        'bootstrap.servers': bootstrap,
        'transactional.id': txid,
        'transaction.timeout.ms': 60000,
        'message.timeout.ms': 60000,
    })


def send(p, topic, txid, indexes):
    for i in indexes:
        p.produce(topic, key='%s-%d' % (txid, i), value='value %d' % i, partition=i % 3)
    remaining = p.flush(TIMEOUT)
    if remaining:
        raise RuntimeError('%d records not delivered' % remaining)


def group_metadata(bootstrap, group):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'enable.auto.commit': False})
    return c, c.consumer_group_metadata()


def watermarks(bootstrap, topic, isolation):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'watermarks', 'isolation.level': isolation})
    try:
        return [list(c.get_watermark_offsets(TopicPartition(topic, p), timeout=TIMEOUT, cached=False)) for p in range(3)]
    finally:
        c.close()


def error_facts(e):
    err = e.args[0] if e.args else None
    if hasattr(err, 'name'):
        return {'name': err.name(), 'fatal': err.fatal(), 'abortable': err.txn_requires_abort(), 'str': err.str()}
    return {'name': type(e).__name__, 'fatal': None, 'abortable': None, 'str': str(e)}


def main():
    scenario, bootstrap, topic, txid = sys.argv[1:5]
    group = sys.argv[5] if len(sys.argv) > 5 else None
    out = {'ok': True}
    if scenario in ('commit', 'abort'):
        p = producer(bootstrap, txid)
        p.init_transactions(TIMEOUT)
        p.begin_transaction()
        send(p, topic, txid, range(6))
        if group is not None:
            c, meta = group_metadata(bootstrap, group)
            offset = 5 if scenario == 'commit' else 50
            p.send_offsets_to_transaction([TopicPartition(topic, 0, offset)], meta, TIMEOUT)
            c.close()
        if scenario == 'commit':
            p.commit_transaction(TIMEOUT)
        else:
            p.abort_transaction(TIMEOUT)
    elif scenario == 'open':
        p = producer(bootstrap, txid)
        p.init_transactions(TIMEOUT)
        p.begin_transaction()
        send(p, topic, txid, [0, 1, 3, 4])
        out['open'] = {'read_committed': watermarks(bootstrap, topic, 'read_committed'),
                       'read_uncommitted': watermarks(bootstrap, topic, 'read_uncommitted')}
        p.abort_transaction(TIMEOUT)
        # the ABORT markers are written after abort_transaction returns (the coordinator answers
        # EndTxn once PrepareAbort is logged, as Kafka): the LSO catches up a moment later
        deadline = time.time() + 30
        while True:
            aborted = {'read_committed': watermarks(bootstrap, topic, 'read_committed'),
                       'read_uncommitted': watermarks(bootstrap, topic, 'read_uncommitted')}
            if aborted['read_committed'] == aborted['read_uncommitted'] or time.time() > deadline:
                break
            time.sleep(0.1)
        out['aborted'] = aborted
    elif scenario == 'fence':
        first = producer(bootstrap, txid)
        first.init_transactions(TIMEOUT)
        first.begin_transaction()
        send(first, topic, txid, [0])
        second = producer(bootstrap, txid)
        second.init_transactions(TIMEOUT)
        second.begin_transaction()
        send(second, topic, txid, [3])
        second.commit_transaction(TIMEOUT)
        try:
            send(first, topic, txid, [6])
            first.commit_transaction(TIMEOUT)
            out['fencedError'] = None
        except KafkaException as e:
            out['fencedError'] = error_facts(e)
        except RuntimeError as e:
            out['fencedError'] = {'name': 'undelivered', 'fatal': None, 'abortable': None, 'str': str(e)}
    else:
        raise SystemExit('unknown scenario %s' % scenario)
    print(json.dumps(out), flush=True)


if __name__ == '__main__':
    try:
        main()
    except KafkaException as e:
        print(json.dumps({'ok': False, 'error': error_facts(e)}), flush=True)
        sys.exit(1)
