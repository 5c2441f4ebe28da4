#!/usr/bin/env bash
# Stops the broker started by start-kafka.sh (SIGTERM: a controlled shutdown; SIGKILL after
# KAFKA_STOP_TIMEOUT_S, default 30 s). The data dir stays. Idempotent.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
pids="$(alive_pids "$KAFKA_PID_FILE")"
[[ -n "$pids" ]] || log "no Kafka process of $FLOE_STANDALONE_HOME was running"
for pid in $pids; do stop_pid "$pid" "${KAFKA_STOP_TIMEOUT_S:-30}" Kafka; done
rm -f "$KAFKA_PID_FILE"
