"""Produce latency at a fixed rate: confluent-kafka (librdkafka) sends 100-byte records at RATE/s
for SECONDS, acks=1, and measures send-to-delivery-report time. Prints one JSON line."""
import json
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, rate, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
p = Producer({"bootstrap.servers": bootstrap, "acks": "1", "linger.ms": 0, "queue.buffering.max.messages": 1000000})
lat = []
payload = b"x" * 100


def report(err, _msg, sent=None):
    if err is None:
        lat.append(time.perf_counter() - sent)


# warm-up: topic creation and connections are not measured
p.produce(topic, b"warmup")
p.flush(10)
start = time.perf_counter()
n = int(rate * seconds)
for i in range(n):
    target = start + i / rate
    now = time.perf_counter()
    if target > now:
        time.sleep(target - now)
    t = time.perf_counter()
    p.produce(topic, payload, callback=lambda err, msg, t=t: report(err, msg, t))
    p.poll(0)
p.flush(30)
lat.sort()


def pct(q):
    return round(lat[min(len(lat) - 1, int(q * len(lat)))] * 1000, 2)


print(json.dumps({"sent": n, "delivered": len(lat), "p50ms": pct(0.5), "p99ms": pct(0.99), "maxms": round(lat[-1] * 1000, 2)}))
