#!/usr/bin/env bash
# End-to-end smoke test of the standalone scripts and of the shaded job jar on a real Flink session
# cluster: starts Kafka (start-kafka.sh) and Flink (start-flink.sh), submits the job jar with
# `flink.sh run -d`, registers a model (`floe register`), waits until the job has published
# GlobalModel version 0 to floe.models (read_committed, so after a completed checkpoint), checks that
# `flink.sh list` shows the job RUNNING, cancels it and stops everything. Exit 0 only on success.
#
# State goes to $SMOKE_HOME (default deploy/standalone/target/smoke, wiped at start), so it does not
# touch a cluster started by hand from deploy/standalone/target. Ports: the first free ones from
# 18081 (REST), 16123 (RPC), 19092 (Kafka) unless SMOKE_FLINK_REST_PORT / SMOKE_FLINK_RPC_PORT /
# SMOKE_KAFKA_PORT are set.
# JOB_JAR overrides the jar (default flink-jobs/target/floe-flink-jobs-0.1.0-SNAPSHOT-job.jar).
# Needs the project built: mvn -DskipTests install (job jar + deploy/target/classpath.txt).
set -euo pipefail
STANDALONE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export FLOE_STANDALONE_HOME="${SMOKE_HOME:-$STANDALONE_DIR/target/smoke}"
unset FLINK_CONF_DIR KAFKA_DATA_DIR FLINK_LOG_DIR
source "$STANDALONE_DIR/common.sh"

T0=$SECONDS
step() { echo "[smoke +$((SECONDS - T0))s] $*"; }

first_free_port() {
  local p=$1
  while port_in_use "$p"; do p=$((p + 1)); done
  echo "$p"
}
export FLINK_REST_PORT="${SMOKE_FLINK_REST_PORT:-$(first_free_port 18081)}"
export FLINK_RPC_PORT="${SMOKE_FLINK_RPC_PORT:-$(first_free_port 16123)}"
export KAFKA_PORT="${SMOKE_KAFKA_PORT:-$(first_free_port 19092)}"
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
MODEL_ID="${SMOKE_MODEL_ID:-smoke}"
JOB_JAR="${JOB_JAR:-$FLOE_ROOT/flink-jobs/target/floe-flink-jobs-0.1.0-SNAPSHOT-job.jar}"
DEPLOY_CP_FILE="$FLOE_ROOT/deploy/target/classpath.txt"

[[ -f "$JOB_JAR" ]] || die "job jar $JOB_JAR not found: mvn -DskipTests install"
[[ -s "$DEPLOY_CP_FILE" ]] || die "$DEPLOY_CP_FILE not found: mvn -DskipTests install"
DEPLOY_CP="$FLOE_ROOT/deploy/target/classes:$(cat "$DEPLOY_CP_FILE")"

# Preflight: the job and the CLI must share the wire contract. Records are Avro single-object encoded
# (schema fingerprint in each record), so a job jar built before a schema change dead-letters the
# newer CLI's ModelSpec as UNDECODABLE and no model ever appears.
check_same_schemas() {
  local entry cls a b
  entry=$(tr ':' '\n' <"$DEPLOY_CP_FILE" | grep -E 'floe-schemas[^/]*\.jar$|/schemas/target/classes$' | head -n1)
  [[ -n "$entry" ]] || { log "floe-schemas not on the deploy class path; skipping the schema check"; return 0; }
  for cls in ModelSpec ModelUpdate GlobalModel AggregationReport DeadLetter; do
    a=$(unzip -p "$JOB_JAR" "io/floe/schema/$cls.class" | md5sum)
    if [[ -d "$entry" ]]; then b=$(md5sum <"$entry/io/floe/schema/$cls.class"); else b=$(unzip -p "$entry" "io/floe/schema/$cls.class" | md5sum); fi
    [[ "$a" == "$b" ]] || die "io.floe.schema.$cls in $JOB_JAR differs from $entry: the job jar and the CLI come from different builds (a ModelSpec would be dead-lettered as UNDECODABLE). Rebuild both: mvn -DskipTests install (or SMOKE_SKIP_SCHEMA_CHECK=1)"
  done
}
[[ "${SMOKE_SKIP_SCHEMA_CHECK:-}" == "1" ]] || check_same_schemas

JOB_ID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if ((rc != 0)); then
    echo "[smoke] FAILED (rc $rc); logs under $FLOE_STANDALONE_HOME" >&2
    for f in "$FLINK_LOG_DIR/flink-jobmanager.log" "$FLINK_LOG_DIR/flink-taskmanager.log"; do
      [[ -f "$f" ]] && { echo "--- ERROR lines of $f" >&2; grep -E ' ERROR ' "$f" | tail -n 10 >&2 || true; }
    done
    [[ -f "$KAFKA_OUT_FILE" ]] && { echo "--- tail of $KAFKA_OUT_FILE" >&2; tail -n 10 "$KAFKA_OUT_FILE" >&2; }
  fi
  step "stopping Flink and Kafka"
  "$STANDALONE_DIR/stop-flink.sh" || true
  "$STANDALONE_DIR/stop-kafka.sh" || true
  local left
  left="$(alive_pids "$FLINK_PID_DIR/jobmanager.pid")$(alive_pids "$FLINK_PID_DIR/taskmanager.pid")$(alive_pids "$KAFKA_PID_FILE")"
  if [[ -n "$left" ]]; then echo "[smoke] processes left running: $left" >&2; rc=1; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$FLOE_STANDALONE_HOME"
mkdir -p "$FLOE_STANDALONE_HOME"
# the Flink runtime class path is shared with the hand-started cluster (resolved once)
[[ -s "$STANDALONE_DIR/target/flink-classpath.txt" && ! "$STANDALONE_DIR/flink-runtime-pom.xml" -nt "$STANDALONE_DIR/target/flink-classpath.txt" ]] \
  && cp "$STANDALONE_DIR/target/flink-classpath.txt" "$FLINK_CLASSPATH_FILE"
step "job jar $JOB_JAR; Kafka $BOOTSTRAP, Flink REST :$FLINK_REST_PORT, RPC :$FLINK_RPC_PORT; state $FLOE_STANDALONE_HOME"

step "start-kafka.sh"
"$STANDALONE_DIR/start-kafka.sh"

step "start-flink.sh"
"$STANDALONE_DIR/start-flink.sh"

step "flink.sh run -d <job jar> --bootstrap-servers $BOOTSTRAP --checkpoint-interval-ms 1000"
run_out=$("$STANDALONE_DIR/flink.sh" run -d "$JOB_JAR" --bootstrap-servers "$BOOTSTRAP" --checkpoint-interval-ms 1000 2>&1) \
  || { echo "$run_out" >&2; die "flink run failed"; }
echo "$run_out"
JOB_ID=$(grep -oE 'JobID [0-9a-f]{32}' <<<"$run_out" | awk '{print $2}' | head -n1)
[[ -n "$JOB_ID" ]] || die "no JobID in the output of flink run"

await_running() {
  local deadline=$((SECONDS + ${1:-60})) out
  while true; do
    out=$("$STANDALONE_DIR/flink.sh" list 2>&1 || true)
    if grep -qE "$JOB_ID : .*\(RUNNING\)" <<<"$out"; then
      grep -E "$JOB_ID" <<<"$out"
      return 0
    fi
    if grep -qE "$JOB_ID : .*\((FAILED|CANCELED|FINISHED)\)" <<<"$out" || ((SECONDS >= deadline)); then
      echo "$out" >&2
      die "job $JOB_ID is not RUNNING"
    fi
    sleep 1
  done
}
step "flink.sh list: waiting for job $JOB_ID to be RUNNING"
await_running 60

FLOE_CLI=("$JAVA" -Xmx1g --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.util=ALL-UNNAMED
  --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED -Djava.awt.headless=true
  -Dlog4j2.configurationFile=classpath:floe-log4j2.properties -cp "$DEPLOY_CP" io.floe.deploy.FloeCli)
if [[ "${SMOKE_USE_FLOE_LAUNCHER:-}" == "1" ]]; then FLOE_CLI=("$FLOE_ROOT/floe"); fi
step "floe register --bootstrap-servers $BOOTSTRAP --model-id $MODEL_ID --architecture 'logreg(30)' --clients-per-round 1"
"${FLOE_CLI[@]}" register --bootstrap-servers "$BOOTSTRAP" --model-id "$MODEL_ID" --architecture 'logreg(30)' --clients-per-round 1

step "waiting for GlobalModel $MODEL_ID version 0 on floe.models (read_committed)"
"$JAVA" -Dlog4j2.configurationFile=classpath:floe-log4j2.properties -cp "$DEPLOY_CP" \
  "$STANDALONE_DIR/AwaitGlobalModel.java" "$BOOTSTRAP" "$MODEL_ID" 0 "${SMOKE_MODEL_TIMEOUT_S:-90}"

step "flink.sh list: job still RUNNING"
await_running 10

step "flink.sh cancel $JOB_ID"
"$STANDALONE_DIR/flink.sh" cancel "$JOB_ID"

step "PASSED: the job jar runs on a standalone Flink 2.2.0 session cluster and published GlobalModel $MODEL_ID v0"
