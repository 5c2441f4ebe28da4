#!/usr/bin/env bash
# Stops the TaskManager and then the JobManager started by start-flink.sh (SIGTERM, the way Flink's
# bin/stop-cluster.sh does it; SIGKILL after FLINK_STOP_TIMEOUT_S, default 30 s). Running jobs are
# not cancelled first: with checkpointing on, their last checkpoint is retained in
# $FLOE_STANDALONE_HOME/flink/checkpoints. Idempotent.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
WAIT_S="${FLINK_STOP_TIMEOUT_S:-30}"
stopped=0
for name in taskmanager jobmanager; do
  pid_file="$FLINK_PID_DIR/$name.pid"
  for pid in $(alive_pids "$pid_file"); do
    stop_pid "$pid" "$WAIT_S" "Flink $name"
    stopped=$((stopped + 1))
  done
  rm -f "$pid_file"
done
((stopped > 0)) || log "no Flink process of $FLOE_STANDALONE_HOME was running"
