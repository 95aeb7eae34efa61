# Node options for broker processes, sourced by kafka-server-start.sh and docker/entrypoint.sh and
# read by samsa-cluster and the test harness (packages/cluster/src/BrokerProcess.ts), the way Kafka's scripts set
# KAFKA_JVM_PERFORMANCE_OPTS. Override with SAMSA_NODE_PERFORMANCE_OPTS (empty: Node's defaults).
#
# --single-threaded-gc: V8's parallel and concurrent GC helpers spun on the second core under
#   load and cost the broker 1–2 CPU-seconds per GB produced or fetched (BENCHMARKS.md, broker).
# --max-semi-space-size=64: fetch and produce buffers die young instead of being promoted, which
#   keeps full collections rare.
SAMSA_NODE_PERFORMANCE_OPTS="${SAMSA_NODE_PERFORMANCE_OPTS---single-threaded-gc --max-semi-space-size=64}"
