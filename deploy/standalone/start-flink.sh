#!/usr/bin/env bash
# Starts a standalone Flink 2.2.0 session cluster on 127.0.0.1: one JobManager
# (org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint) and one TaskManager
# (org.apache.flink.runtime.taskexecutor.TaskManagerRunner), each its own JVM in the background,
# from the Maven jars of flink-classpath.sh. Returns once the TaskManager has registered with the
# JobManager (REST /overview), or fails after FLINK_START_TIMEOUT_S (default 120) seconds.
#
# Settings: FLINK_TASKMANAGERS [1] (TaskManager JVMs; the second and later log to flink-taskmanager-N.*),
# FLINK_REST_PORT [8081] (web UI and REST), FLINK_RPC_PORT [6123], FLINK_TASK_SLOTS [2] (per TaskManager),
# FLINK_JM_MEMORY [1024m], FLINK_TM_MEMORY [1728m], FLINK_METRICS_PORTS [9249-9260] (Prometheus), FLINK_CONF_DIR (your own conf dir with a
# config.yaml; default: one generated under $FLOE_STANDALONE_HOME/flink/conf), see common.sh.
# Logs: $FLOE_STANDALONE_HOME/flink/log/flink-{jobmanager,taskmanager}.{log,out}
# Stop with stop-flink.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
TIMEOUT_S="${FLINK_START_TIMEOUT_S:-120}"
command -v curl >/dev/null || die "curl is needed (to wait for Flink's REST endpoint)"

CP="$(flink_classpath)"
write_flink_conf
CONF="$(flink_conf_dir)"
[[ -f "$CONF/config.yaml" ]] || die "no config.yaml in $CONF"
mkdir -p "$FLINK_LOG_DIR" "$FLINK_PID_DIR"

JM_PID_FILE="$FLINK_PID_DIR/jobmanager.pid"
TM_PID_FILE="$FLINK_PID_DIR/taskmanager.pid"
if [[ -n "$(alive_pids "$JM_PID_FILE")$(alive_pids "$TM_PID_FILE")" ]]; then
  die "a Flink cluster started from $FLOE_STANDALONE_HOME is already running (stop-flink.sh stops it)"
fi
# Only meaningful for the generated config; with your own FLINK_CONF_DIR its ports apply.
if [[ -z "${FLINK_CONF_DIR:-}" ]]; then
  for p in "$FLINK_REST_PORT" "$FLINK_RPC_PORT"; do
    port_in_use "$p" && die "port $p on 127.0.0.1 is in use: set FLINK_REST_PORT / FLINK_RPC_PORT"
  done
fi
REST_URL="http://127.0.0.1:$FLINK_REST_PORT"
if [[ -n "${FLINK_CONF_DIR:-}" ]]; then
  port=$(sed -n 's/^[[:space:]]*rest\.port[[:space:]]*:[[:space:]]*\([0-9]*\).*/\1/p' "$CONF/config.yaml" | tail -n1)
  REST_URL="http://127.0.0.1:${port:-8081}"
fi

# JVM flags and memory settings exactly as Flink's bin/jobmanager.sh and bin/taskmanager.sh derive them
# (BashJavaUtils: line 1 = JVM parameters, line 2 = dynamic -D configs).
resource_params() {
  local out
  out=$("$JAVA" -classpath "$CP" -Dlog4j2.level=WARN org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$CONF" 2>&1) \
    || { echo "$out" >&2; die "BashJavaUtils $1 failed"; }
  out=$(grep '^BASH_JAVA_UTILS_EXEC_RESULT:' <<<"$out" | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://')
  [[ $(wc -l <<<"$out") -eq 2 ]] || die "unexpected BashJavaUtils $1 output: $out"
  echo "$out"
}
JM_PARAMS="$(resource_params GET_JM_RESOURCE_PARAMS)"
TM_PARAMS="$(resource_params GET_TM_RESOURCE_PARAMS)"
read -r -a JM_JVM <<<"$(head -n1 <<<"$JM_PARAMS")"
read -r -a JM_DYN <<<"$(tail -n1 <<<"$JM_PARAMS")"
read -r -a TM_JVM <<<"$(head -n1 <<<"$TM_PARAMS")"
read -r -a TM_DYN <<<"$(tail -n1 <<<"$TM_PARAMS")"

export FLINK_CONF_DIR="$CONF"
export FLINK_PLUGINS_DIR="${FLINK_PLUGINS_DIR:-$FLINK_HOME_DIR/plugins}"
mkdir -p "$FLINK_PLUGINS_DIR"

# start_daemon NAME PIDFILE MAINCLASS JVM-ARGS... -- PROGRAM-ARGS...
start_daemon() {
  local name=$1 pid_file=$2 main=$3; shift 3
  local jvm=() prog=()
  while [[ $# -gt 0 && "$1" != "--" ]]; do jvm+=("$1"); shift; done
  shift
  prog=("$@")
  local base="$FLINK_LOG_DIR/flink-$name"
  for f in "$base.log" "$base.out"; do [[ -f "$f" ]] && mv -f "$f" "$f.1"; done
  nohup "$JAVA" "${FLINK_JAVA17_OPTS[@]}" -XX:+UseG1GC "${jvm[@]}" ${FLINK_ENV_JAVA_OPTS:-} \
    -Dlog.file="$base.log" -Dlog4j.configurationFile="file:$CONF/log4j.properties" \
    -classpath "$CP" "$main" --configDir "$CONF" "${prog[@]}" >"$base.out" 2>&1 </dev/null &
  echo $! >>"$pid_file"
  log "started $name (pid $!), log $base.log"
}

fail() {
  log "ERROR: $*"
  for f in "$FLINK_LOG_DIR"/flink-jobmanager.out "$FLINK_LOG_DIR"/flink-taskmanager.out; do
    [[ -s "$f" ]] && { echo "--- tail of $f" >&2; tail -n 20 "$f" >&2; }
  done
  for f in "$FLINK_LOG_DIR"/flink-jobmanager.log "$FLINK_LOG_DIR"/flink-taskmanager.log; do
    [[ -f "$f" ]] && { echo "--- errors in $f" >&2; grep -E 'ERROR|Exception' "$f" | head -n 20 >&2 || true; }
  done
  "$STANDALONE_DIR/stop-flink.sh" >&2 || true
  exit 1
}

rm -f "$JM_PID_FILE" "$TM_PID_FILE"
deadline=$((SECONDS + TIMEOUT_S))
start_daemon jobmanager "$JM_PID_FILE" org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
  "${JM_JVM[@]}" -- "${JM_DYN[@]}"
until curl -fsS -m 2 "$REST_URL/overview" >/dev/null 2>&1; do
  [[ -n "$(alive_pids "$JM_PID_FILE")" ]] || fail "the JobManager exited"
  ((SECONDS < deadline)) || fail "the JobManager's REST endpoint $REST_URL did not come up within ${TIMEOUT_S}s"
  sleep 0.5
done

TASKMANAGERS="${FLINK_TASKMANAGERS:-1}"
for ((i = 1; i <= TASKMANAGERS; i++)); do
  name=taskmanager
  ((i > 1)) && name="taskmanager-$i"
  start_daemon "$name" "$TM_PID_FILE" org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
    "${TM_JVM[@]}" -- "${TM_DYN[@]}"
done
overview=""
registered() { [[ "$overview" =~ \"taskmanagers\":([0-9]+) ]] && ((BASH_REMATCH[1] >= TASKMANAGERS)); }
until registered; do
  [[ -n "$(alive_pids "$TM_PID_FILE")" ]] || fail "the TaskManager exited"
  [[ -n "$(alive_pids "$JM_PID_FILE")" ]] || fail "the JobManager exited"
  ((SECONDS < deadline)) || fail "fewer than $TASKMANAGERS TaskManagers registered within ${TIMEOUT_S}s"
  sleep 0.5
  overview=$(curl -fsS -m 2 "$REST_URL/overview" 2>/dev/null || true)
done
log "Flink session cluster up: $overview"
echo "Flink web UI / REST: $REST_URL   (conf: $CONF, logs: $FLINK_LOG_DIR)"
prom_ports=$(grep -ho 'Started PrometheusReporter HTTP server on port [0-9]*' "$FLINK_LOG_DIR"/flink-{jobmanager,taskmanager}.log 2>/dev/null \
  | awk '{print $NF}' | paste -sd' ' - || true)
if [[ -n "$prom_ports" ]]; then
  echo "Prometheus scrape ports (JobManager, TaskManager): $prom_ports   e.g. http://127.0.0.1:${prom_ports##* }/metrics"
fi
