#!/usr/bin/env bash
# Starts a single-node Kafka 4.2 broker (KRaft, broker+controller in one JVM) on 127.0.0.1:$KAFKA_PORT
# in the background: io.floe.deploy.kafka.StandaloneKafka, i.e. the EmbeddedKafkaBroker of the deploy
# module as its own process. It creates floe's five topics ($KAFKA_PARTITIONS partitions each,
# floe.models compacted) and returns once they are ready, printing the bootstrap address.
#
# Settings: KAFKA_PORT [9092], KAFKA_DATA_DIR [$FLOE_STANDALONE_HOME/kafka/data] (kept across
# restarts), KAFKA_PARTITIONS [4], KAFKA_START_TIMEOUT_S [90], KAFKA_HEAP [1g]; see common.sh.
#
# FLOE_KAFKA_SECURITY=sasl_ssl secures the broker (README, "Secured broker"): SASL_SSL with
# SCRAM-SHA-512 on $KAFKA_PORT, mutual TLS for the controller, ACLs for floe's principals
# floe-job, floe-operator and floe-trainer (the job's group and transactional ids must start with
# KAFKA_JOB_PREFIX [floe-]). It writes job.properties, operator.properties and trainer.properties
# into KAFKA_CLIENTS_DIR [$FLOE_STANDALONE_HOME/kafka/clients], for each client's
# --kafka-properties. Certificates and passwords stay in $KAFKA_DATA_DIR/security. A data dir
# first started without security cannot be secured later: use a fresh KAFKA_DATA_DIR.
# Needs the deploy module built: deploy/target/classes and deploy/target/classpath.txt
# (`mvn -DskipTests package`, or ./floe once). Output: $FLOE_STANDALONE_HOME/kafka/kafka.out.
# Stop with stop-kafka.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
TIMEOUT_S="${KAFKA_START_TIMEOUT_S:-90}"
CP_FILE="$FLOE_ROOT/deploy/target/classpath.txt"
[[ -s "$CP_FILE" && -d "$FLOE_ROOT/deploy/target/classes" ]] \
  || die "deploy module not built: run 'mvn -DskipTests package' in $FLOE_ROOT"
[[ -f "$FLOE_ROOT/deploy/target/classes/io/floe/deploy/kafka/StandaloneKafka.class" ]] \
  || die "io.floe.deploy.kafka.StandaloneKafka not compiled: run 'mvn -DskipTests package' in $FLOE_ROOT"

security_args=()
case "$FLOE_KAFKA_SECURITY" in
  plaintext) ;;
  sasl_ssl) security_args=(--sasl-ssl --client-properties-dir "$KAFKA_CLIENTS_DIR" --job-prefix "$KAFKA_JOB_PREFIX") ;;
  *) die "FLOE_KAFKA_SECURITY must be plaintext or sasl_ssl, not '$FLOE_KAFKA_SECURITY'" ;;
esac

mkdir -p "$KAFKA_HOME_DIR" "$KAFKA_DATA_DIR"
[[ -z "$(alive_pids "$KAFKA_PID_FILE")" ]] || die "Kafka of $FLOE_STANDALONE_HOME is already running (stop-kafka.sh)"
port_in_use "$KAFKA_PORT" && die "port $KAFKA_PORT on 127.0.0.1 is in use: set KAFKA_PORT"

[[ -f "$KAFKA_OUT_FILE" ]] && mv -f "$KAFKA_OUT_FILE" "$KAFKA_OUT_FILE.1"
nohup "$JAVA" -Xmx"${KAFKA_HEAP:-1g}" ${KAFKA_JAVA_OPTS:-} \
  -Dlog4j2.configurationFile=classpath:floe-log4j2.properties \
  -cp "$FLOE_ROOT/deploy/target/classes:$(cat "$CP_FILE")" io.floe.deploy.kafka.StandaloneKafka \
  --port "$KAFKA_PORT" --data-dir "$KAFKA_DATA_DIR" --create-floe-topics "$KAFKA_PARTITIONS" ${security_args[@]+"${security_args[@]}"} \
  >"$KAFKA_OUT_FILE" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$KAFKA_PID_FILE"
log "started Kafka (pid $pid), output $KAFKA_OUT_FILE"

deadline=$((SECONDS + TIMEOUT_S))
until grep -q '^bootstrap.servers=' "$KAFKA_OUT_FILE" 2>/dev/null; do
  if ! kill -0 "$pid" 2>/dev/null; then
    tail -n 30 "$KAFKA_OUT_FILE" >&2 || true
    rm -f "$KAFKA_PID_FILE"
    die "Kafka exited during startup"
  fi
  if ((SECONDS >= deadline)); then
    tail -n 30 "$KAFKA_OUT_FILE" >&2 || true
    stop_pid "$pid" 20 Kafka
    rm -f "$KAFKA_PID_FILE"
    die "Kafka did not come up within ${TIMEOUT_S}s"
  fi
  sleep 0.5
done
grep -v '^bootstrap.servers=' "$KAFKA_OUT_FILE" >&2 || true
grep '^bootstrap.servers=' "$KAFKA_OUT_FILE" | head -n1
