"""Replication benchmark helpers (confluent-kafka / librdkafka).

  replication-latency.py BOOTSTRAP TOPIC RATE SECONDS ACKS [WARMUP_SECONDS]
      latency.py with an acks argument: 100-byte records at RATE/s for SECONDS, linger 0,
      send-to-delivery-report time. Prints one JSON line (p50/p99/max in ms). With WARMUP_SECONDS,
      the same load runs that long first, unmeasured (the broker's JIT and buffers warm up).

  replication-latency.py --loop BOOTSTRAP TOPIC PARTITION SECONDS
      one record at a time with acks=all to TOPIC/PARTITION (produce, then flush until its delivery
      report), for SECONDS. Prints "ok <unix time s> <send time>" per success, "err <unix time s> <error>" per failure,
      so a caller can find the first success after a kill."""
import json
import sys
import time

from confluent_kafka import Producer

if sys.argv[1] == "--loop":
    bootstrap, topic, partition, seconds = sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
    p = Producer({
        "bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 0,
        "message.timeout.ms": 30000, "retry.backoff.ms": 20,
        "topic.metadata.refresh.fast.interval.ms": 50, "reconnect.backoff.ms": 20, "reconnect.backoff.max.ms": 100,
    })
    end = time.time() + seconds
    print("ready", flush=True)
    i = 0
    while time.time() < end:
        res = []
        sent = time.time()
        p.produce(topic, b"r%d" % i, partition=partition, on_delivery=lambda err, msg: res.append(err))
        p.flush(35)
        t = time.time()
        if res and res[0] is None:
            print("ok %.4f %.4f" % (t, sent), flush=True)
        else:
            print("err %.4f %s" % (t, res[0] if res else "no report"), flush=True)
        i += 1
    sys.exit(0)

bootstrap, topic, rate, seconds, acks = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
warmup = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
p = Producer({"bootstrap.servers": bootstrap, "acks": acks, "linger.ms": 0, "queue.buffering.max.messages": 1000000})
lat = []
payload = b"x" * 100


def report(err, _msg, sent=None):
    if err is None:
        lat.append(time.perf_counter() - sent)


# warm-up: connections to every partition's leader are not measured
for part in range(6):
    p.produce(topic, b"warmup", partition=part)
p.flush(10)


def run(count, measured):
    start = time.perf_counter()
    for i in range(count):
        target = start + i / rate
        now = time.perf_counter()
        if target > now:
            time.sleep(target - now)
        t = time.perf_counter()
        if measured:
            p.produce(topic, payload, callback=lambda err, msg, t=t: report(err, msg, t))
        else:
            p.produce(topic, payload)
        p.poll(0)
    p.flush(30)


run(int(rate * warmup), False)
n = int(rate * seconds)
run(n, True)
lat.sort()


def pct(q):
    return round(lat[min(len(lat) - 1, int(q * len(lat)))] * 1000, 2)


print(json.dumps({"acks": acks, "sent": n, "delivered": len(lat), "p50ms": pct(0.5), "p99ms": pct(0.99), "maxms": round(lat[-1] * 1000, 2)}))
