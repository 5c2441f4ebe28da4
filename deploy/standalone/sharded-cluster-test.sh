#!/usr/bin/env bash
# One model across a real cluster (issue 12, item 7): a standalone Flink 2.2.0 session cluster with
# two TaskManagers (one slot each) runs the job jar at parallelism 2 next to a Kafka broker whose
# topics have 4 partitions. A chunked FedAvg model (ChunkedRound.java: 200,000 parameters in 49
# chunks of 16 KiB, 4 synthetic clients) goes through one round. The test then checks, from Flink's
# REST API, that every subtask of the "fold chunks" operator read chunk records and that they ran on
# both TaskManagers; cancels the job, submits it again at parallelism 1, runs the same round for a
# second model id, and checks that version 1 is the same bits (SHA-256 of the weights).
# Exit 0 only on success. State in $SHARDED_HOME (default deploy/standalone/target/sharded, wiped).
# Needs the project built: mvn -DskipTests package (job jar + deploy/target/classpath.txt).
set -euo pipefail
STANDALONE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export FLOE_STANDALONE_HOME="${SHARDED_HOME:-$STANDALONE_DIR/target/sharded}"
unset FLINK_CONF_DIR KAFKA_DATA_DIR FLINK_LOG_DIR
source "$STANDALONE_DIR/common.sh"

T0=$SECONDS
step() { echo "[sharded +$((SECONDS - T0))s] $*"; }
first_free_port() {
  local p=$1
  while port_in_use "$p"; do p=$((p + 1)); done
  echo "$p"
}
export FLINK_REST_PORT="$(first_free_port 28081)"
export FLINK_RPC_PORT="$(first_free_port 26123)"
export KAFKA_PORT="$(first_free_port 29092)"
export KAFKA_PARTITIONS=4 FLINK_TASKMANAGERS=2 FLINK_TASK_SLOTS=1
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
REST="http://127.0.0.1:$FLINK_REST_PORT"
JOB_JAR="${JOB_JAR:-$FLOE_ROOT/flink-jobs/target/floe-flink-jobs-0.1.0-SNAPSHOT-job.jar}"
DEPLOY_CP_FILE="$FLOE_ROOT/deploy/target/classpath.txt"
[[ -f "$JOB_JAR" ]] || die "job jar $JOB_JAR not found: mvn -DskipTests package"
[[ -s "$DEPLOY_CP_FILE" ]] || die "$DEPLOY_CP_FILE not found: mvn -DskipTests package"
DEPLOY_CP="$FLOE_ROOT/deploy/target/classes:$(cat "$DEPLOY_CP_FILE")"

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  ((rc == 0)) || echo "[sharded] FAILED (rc $rc); logs under $FLOE_STANDALONE_HOME" >&2
  "$STANDALONE_DIR/stop-flink.sh" >/dev/null 2>&1 || true
  "$STANDALONE_DIR/stop-kafka.sh" >/dev/null 2>&1 || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
rm -rf "$FLOE_STANDALONE_HOME"
mkdir -p "$FLOE_STANDALONE_HOME"
[[ -s "$STANDALONE_DIR/target/flink-classpath.txt" && ! "$STANDALONE_DIR/flink-runtime-pom.xml" -nt "$STANDALONE_DIR/target/flink-classpath.txt" ]] \
  && cp "$STANDALONE_DIR/target/flink-classpath.txt" "$FLINK_CLASSPATH_FILE"

step "Kafka on $BOOTSTRAP (4 partitions per topic), Flink session cluster with 2 TaskManagers on $REST"
"$STANDALONE_DIR/start-kafka.sh"
"$STANDALONE_DIR/start-flink.sh"

submit() {
  local parallelism=$1 out id
  out=$("$STANDALONE_DIR/flink.sh" run -d "$JOB_JAR" --bootstrap-servers "$BOOTSTRAP" --checkpoint-interval-ms 500 \
    --parallelism "$parallelism" --group-id "floe-p$parallelism" --transactional-id-prefix "floe-p$parallelism" 2>&1) \
    || { echo "$out" >&2; die "flink run failed"; }
  id=$(grep -oE 'JobID [0-9a-f]{32}' <<<"$out" | awk '{print $2}' | head -n1)
  [[ -n "$id" ]] || { echo "$out" >&2; die "no JobID in flink run's output"; }
  local deadline=$((SECONDS + 90))
  until curl -fsS "$REST/jobs/$id" | grep -q '"state":"RUNNING"' \
      && [[ $(curl -fsS "$REST/jobs/$id" | grep -o '"status":"RUNNING"' | wc -l) -ge 1 ]]; do
    ((SECONDS < deadline)) || die "job $id not RUNNING within 90 s"
    sleep 1
  done
  sleep 3 # let every task reach RUNNING and the source assign its splits
  echo "$id"
}

round() {
  local out="$FLOE_STANDALONE_HOME/round-$1.out"
  "$JAVA" -Xmx1g -XX:-OmitStackTraceInFastThrow -Dlog4j2.configurationFile=classpath:floe-log4j2.properties -cp "$DEPLOY_CP" \
    "$STANDALONE_DIR/ChunkedRound.java" "$BOOTSTRAP" "$1" 200000 16384 4 180 >"$out" 2>&1 || { cat "$out" >&2; return 1; }
  grep -v '^VERSION1_SHA256' "$out" >&2 || true
  awk '/^VERSION1_SHA256/ {print $2}' "$out"
}

step "job at parallelism 2"
JOB2=$(submit 2)
step "one round of model sharded-p2 (job $JOB2)"
HASH2=$(round sharded-p2)
[[ -n "$HASH2" ]] || die "no version 1 for sharded-p2"

step "per-subtask records of the 'fold chunks' operator (Flink REST)"
VERTEX=$(curl -fsS "$REST/jobs/$JOB2" | python3 -c 'import json,sys; j=json.load(sys.stdin); print([v["id"] for v in j["vertices"] if "fold chunks" in v["name"]][0])')
curl -fsS "$REST/jobs/$JOB2/vertices/$VERTEX" | python3 -c '
import json, sys
v = json.load(sys.stdin)
rows = [(s["subtask"], s.get("taskmanager-id", s.get("host", "?")), s["metrics"]["read-records"]) for s in v["subtasks"]]
for r in rows:
    print("  fold chunks subtask %d on %s read %d records" % r)
assert len(rows) == 2, "expected 2 subtasks, got %d" % len(rows)
assert all(r[2] > 0 for r in rows), "a fold-chunks subtask read no records: the model was not spread"
assert len({r[1] for r in rows}) == 2, "both subtasks ran on one TaskManager"
print("  every subtask folded chunks of the one model, on two TaskManagers")
'
"$STANDALONE_DIR/flink.sh" cancel "$JOB2" >/dev/null

step "job at parallelism 1"
JOB1=$(submit 1)
step "the same round for model sharded-p1 (job $JOB1)"
HASH1=$(round sharded-p1)
"$STANDALONE_DIR/flink.sh" cancel "$JOB1" >/dev/null

step "version 1 at parallelism 2: $HASH2"
step "version 1 at parallelism 1: $HASH1"
[[ "$HASH1" == "$HASH2" ]] || die "parallelism 1 and 2 gave different models"
step "PASSED: one model aggregated on both TaskManagers' subtasks, the same bits as at parallelism 1"
