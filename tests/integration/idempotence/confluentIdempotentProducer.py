"""One librdkafka idempotent producer (python3-confluent-kafka), driven line by line on stdin so a
test can act on the broker between two of its sends while the same producer (same producer id,
sequences going on) keeps writing:

  send <value> <timestamp ms>   produce one record to partition 0 with that CreateTime
  flush                         wait for every delivery report, then print "FLUSHED <still queued>"

Prints "ACK <value> <offset>" per delivered record and "ERROR <what>" for a failed delivery or an
error librdkafka surfaces (error_cb). argv[1]: bootstrap servers, argv[2]: topic.
"""
import sys

from confluent_kafka import Producer

bootstrap, topic = sys.argv[1], sys.argv[2]


def on_error(err):
    print(f"ERROR {err}", flush=True)


def on_delivery(err, msg):
    if err is not None:
        print(f"ERROR delivery of {msg.value().decode()}: {err}", flush=True)
    else:
        print(f"ACK {msg.value().decode()} {msg.offset()}", flush=True)


producer = Producer(
    {
        "bootstrap.servers": bootstrap,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 0,
        "message.timeout.ms": 30000,
        "error_cb": on_error,
    }
)

for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    if words[0] == "send":
        producer.produce(topic, words[1].encode(), partition=0, timestamp=int(words[2]), on_delivery=on_delivery)
        producer.poll(0)
    elif words[0] == "flush":
        print(f"FLUSHED {producer.flush(30)}", flush=True)
producer.flush(30)
