#!/usr/bin/env bash
# The `flink` command (org.apache.flink.client.cli.CliFrontend) against the standalone cluster:
#   flink.sh run -d <job.jar> [job args]   flink.sh list [-a]   flink.sh cancel <jobId>
#   flink.sh stop --savepointPath <dir> <jobId>   flink.sh run -s <savepoint> -d <job.jar> ...
# Uses the conf dir of start-flink.sh (or FLINK_CONF_DIR), so it talks to rest.address:rest.port there.
# Its log goes to $FLINK_LOG_DIR/flink-cli.log.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
CP="$(flink_classpath)"
CONF="$(flink_conf_dir)"
[[ -f "$CONF/config.yaml" ]] || write_flink_conf
mkdir -p "$FLINK_LOG_DIR"
log_opts=(-Dlog.file="$FLINK_LOG_DIR/flink-cli.log")
[[ -f "$CONF/log4j-cli.properties" ]] && log_opts+=(-Dlog4j.configurationFile="file:$CONF/log4j-cli.properties")
export FLINK_CONF_DIR="$CONF"
export FLINK_PLUGINS_DIR="${FLINK_PLUGINS_DIR:-$FLINK_HOME_DIR/plugins}"
mkdir -p "$FLINK_PLUGINS_DIR"
exec "$JAVA" "${FLINK_JAVA17_OPTS[@]}" ${FLINK_CLI_JAVA_OPTS:-} "${log_opts[@]}" \
  -classpath "$CP" org.apache.flink.client.cli.CliFrontend "$@"
