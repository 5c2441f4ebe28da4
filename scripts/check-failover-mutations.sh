#!/usr/bin/env bash
# Checks that the failover tests (FailoverITCase, ContinueFromTopicITCase) would catch the loss of
# what they protect: applies one mutation at a time to a throw-away worktree of HEAD, runs the
# tests, prints which failed, and removes the worktree. About 15 minutes on 2 cores.
#   scripts/check-failover-mutations.sh [mutation...]   (default: all four)
# Mutations:
#   at-least-once-sink   the job's Kafka sink writes AT_LEAST_ONCE instead of EXACTLY_ONCE
#   round-not-restored   a round's updates are dropped when the operator starts (not carried by snapshots)
#   no-trainer-retry     a trainer's publish fails at the first error instead of retrying
#   no-resume            a job without state starts every model at version 0 (no continue from the topics)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WT="$(mktemp -d /tmp/floe-mutations.XXXXXX)"
trap 'git -C "$ROOT" worktree remove --force "$WT" >/dev/null 2>&1 || rm -rf "$WT"' EXIT
git -C "$ROOT" worktree add --detach --force "$WT" HEAD >/dev/null
cd "$WT"
JOB=flink-jobs/src/main/java/io/floe/flink/AggregationJob.java
AGG=flink-jobs/src/main/java/io/floe/flink/aggregate/ModelAggregator.java
RETRY=edge-trainer/src/main/java/io/floe/trainer/daemon/PublishRetry.java

mutate() {
  case "$1" in
    at-least-once-sink) sed -i 's/DeliveryGuarantee.EXACTLY_ONCE)/DeliveryGuarantee.AT_LEAST_ONCE)/' "$JOB" ;;
    no-trainer-retry) sed -i 's/Failure kind = classify(failure);/Failure kind = Failure.FATAL;/' "$RETRY" ;;
    no-resume) sed -i 's/if (!options.resumeFromTopics) {/if (true) {/' "$JOB" ;;
    round-not-restored) python3 - "$AGG" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("        InboundRecord origin = event.origin;\n",
              "        if (mutationSeen.add(ctx.getCurrentKey())) { states.round().clear(); }\n        InboundRecord origin = event.origin;\n", 1)
i = s.index("public void processElement"); j = s.rindex("@Override", 0, i)
s = s[:j] + "private final java.util.HashSet<String> mutationSeen = new java.util.HashSet<>();\n\n    " + s[j:]
open(p, "w").write(s)
PY
    ;;
    *) echo "unknown mutation $1" >&2; exit 2 ;;
  esac
  if git diff --quiet; then echo "mutation $1 did not apply (the code changed?)" >&2; exit 2; fi
}

for m in "${@:-at-least-once-sink round-not-restored no-trainer-retry no-resume}"; do
  for one in $m; do
    git checkout -q -- .
    mutate "$one"
    echo "=== $one ($(date +%T))"
    mvn -B -o -ntp test -pl deploy -am -Dtest='FailoverITCase,ContinueFromTopicITCase' \
        -Dsurefire.failIfNoSpecifiedTests=false > "/tmp/floe-mutation-$one.log" 2>&1 || true
    grep -E "Tests run:.*in io\.floe|\[ERROR\]   [A-Za-z]+ITCase" "/tmp/floe-mutation-$one.log" | sed 's/^/    /' || true
  done
done
git checkout -q -- .
