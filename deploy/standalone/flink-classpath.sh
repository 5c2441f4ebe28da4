#!/usr/bin/env bash
# Prints the class path of the Flink 2.2.0 runtime (JobManager, TaskManager, `flink` CLI, web UI,
# log4j2): the jars of flink-runtime-pom.xml, resolved from Maven (Central or ~/.m2) on first use
# and cached in $FLOE_STANDALONE_HOME/flink-classpath.txt. It stands in for the lib/ folder of
# Flink's binary distribution. `--refresh` resolves again. MVN_OFFLINE=1 adds -o to mvn.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
if [[ "${1:-}" == "--refresh" ]]; then rm -f "$FLINK_CLASSPATH_FILE"; fi
flink_classpath
