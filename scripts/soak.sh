#!/usr/bin/env bash
# soak.sh [calls] [idle] — the long soak (docs/benchmarks.md, "Soak").
#
#   scripts/soak.sh            # 200 calls each way, then 2 minutes idle
#   scripts/soak.sh 1000 5m
#
# Places the calls through the embedded Wazo stand-in (incoming, outgoing,
# hold, blind transfer, ad-hoc conference) and through kamailio (Parley to
# Parley, and a blind transfer of a baresip caller), samples RSS, live heap,
# goroutines, file descriptors and event-queue backlogs every 10 s, idles,
# and fails when the process does not come back to its post-warm-up
# baseline (heap after GC within 5 MB, goroutines and fds within a small
# slack, queues empty). Samples go to $PARLEY_SOAK_OUT (CSV) when set.
# No -race: the race detector's own memory would hide what is measured.
# The short soak (30 + 12 calls) runs in the default suite.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CGO_ENABLED=1 PARLEY_REQUIRE_PEERS=1 PARLEY_SOAK=1
export PARLEY_SOAK_CALLS="${1:-200}" PARLEY_SOAK_IDLE="${2:-2m}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
go test -count=1 -v -timeout 60m -run '^TestSoak' ./internal/soak/ 2>&1 |
  grep --line-buffered -E '^(=== RUN|--- |\s+soak_test\.go|PASS|FAIL|ok )'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
