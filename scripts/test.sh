#!/usr/bin/env bash
# test.sh [packages...] — THE test command (README, CI): installs the test
# dependencies, runs go vet and the whole test suite with the race detector
# against real peers (kamailio, sipp, baresip, PulseAudio, Xvfb), and drives
# the real window under Xvfb (xdotool, tesseract).
#
#   scripts/test.sh                        # everything (./...)
#   scripts/test.sh ./internal/testrig/... # some packages
#
# Environment:
#   PARLEY_SKIP_INSTALL=1   skip scripts/install-deps.sh (packages known present)
#   PARLEY_TEST_TIMEOUT     go test -timeout (default 15m)
#   PARLEY_TEST_P           packages tested at once (default 2, see below)
#   PARLEY_TAGS             extra build tags (e.g. x11 to skip GLFW's Wayland code)
#   PARLEY_ARTIFACTS        where tests keep artefacts (default artifacts/ at the
#                           repository root; the window test's screenshots go in window/)
#   GOFLAGS, GOCACHE        as usual; the default GOCACHE is kept between runs
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
pkgs=("$@")
[ "${#pkgs[@]}" -gt 0 ] || pkgs=(./...)

t0=$SECONDS
phase() { printf '\n==> %s (at %ds)\n' "$1" "$((SECONDS - t0))"; }

if [ "${PARLEY_SKIP_INSTALL:-}" != 1 ]; then
  phase "install test dependencies"
  "$root/scripts/install-deps.sh" test
fi

# Missing peers fail tests instead of skipping them (testrig.Require), so a
# broken CI image cannot turn the suite green by skipping.
export PARLEY_REQUIRE_PEERS=1
# Fyne/GLFW, malgo, hraban/opus and -race all need cgo.
export CGO_ENABLED=1
# Tests keep what a person should look at afterwards here (screenshots of
# the real window: internal/windowtest).
export PARLEY_ARTIFACTS="${PARLEY_ARTIFACTS:-$root/artifacts}"
mkdir -p "$PARLEY_ARTIFACTS"
# Quiets Fyne's "Error parsing user locale C".
export LANG="${LANG:-C.UTF-8}"
[ "$LANG" != C ] || export LANG=C.UTF-8

tags=()
[ -z "${PARLEY_TAGS:-}" ] || tags=(-tags "$PARLEY_TAGS")

go version

phase "go vet ${pkgs[*]}"
vet_rc=0
go vet "${tags[@]}" "${pkgs[@]}" || vet_rc=$?

# -p 2: the CI box has 2 cores. Most test time is compiling (cgo, race) and
# waiting on peers and real-time audio; two packages at once keeps both cores
# busy without starving the real-time media tests, which more would do
# (real-time audio drops out beyond about two busy processes per core).
# -parallel stays at GOMAXPROCS (2) for the same reason.
phase "go test -race ${pkgs[*]}"
log="$(mktemp -t parley-test.XXXXXX.log)"
# Peers a test leaks would outlive it; remember what was running before.
peer_pids() {
  ps -eo pid=,stat=,comm= | awk '$2 !~ /^Z/ && $3 ~ /^(kamailio|sipp|baresip|pulseaudio|pacat|parec|Xvfb)$/ { print $1 }' | sort
}
before="$(peer_pids)"
test_rc=0
go test "${tags[@]}" -race -count=1 -p "${PARLEY_TEST_P:-2}" -timeout "${PARLEY_TEST_TIMEOUT:-15m}" \
  "${pkgs[@]}" 2>&1 | tee "$log" || test_rc=$?

# Real-time audio judged across many engines in one process (tests named
# ...RealTime) is skipped under -race, which slows every memory access
# several-fold; this pass runs those tests without it.
phase "go test (real-time, no race detector)"
realtime_pkgs=(./audio ./phoneaudio)
if [ "${#pkgs[@]}" -eq 1 ] && [ "${pkgs[0]}" = ./... ]; then
  go test "${tags[@]}" -count=1 -p 1 -timeout "${PARLEY_TEST_TIMEOUT:-15m}" -run 'RealTime$' \
    "${realtime_pkgs[@]}" 2>&1 | tee -a "$log" || test_rc=$?
fi

phase "summary"
sleep 1 # cleanups stop peers with SIGTERM; give stragglers a moment
leaked="$(comm -13 <(echo "$before") <(peer_pids) | tr '\n' ' ')"
n_ok=$(grep -cE '^ok ' "$log" || true)
n_fail=$(grep -cE '^FAIL[[:space:]]' "$log" || true) # "FAIL<TAB>pkg ..." incl. [build failed]
n_notest=$(grep -cE '^\?[[:space:]].*\[no test files\]' "$log" || true)
n_skip=$(grep -cE '^[[:space:]]*--- SKIP' "$log" || true)
echo "packages: ${n_ok} ok, ${n_fail} failed, ${n_notest} without tests; ${n_skip} skipped test(s) shown (go test -v only)"
if grep -qE '^[[:space:]]*--- FAIL' "$log"; then
  echo "failed tests:"
  grep -E '^[[:space:]]*--- FAIL' "$log" | sed 's/^/  /'
fi
grep -E '^FAIL[[:space:]]' "$log" | sed 's/^/  /' || true
if [ -n "${leaked// /}" ]; then
  # Warning only: other test runs on a shared machine may own them.
  echo "warning: peer processes started during the run are still alive: $leaked"
  ps -o pid,ppid,pgid,etime,args -p "${leaked// /,}" 2>/dev/null | sed 's/^/  /' || true
fi
rm -f "$log"
if [ -n "$(ls -A "$PARLEY_ARTIFACTS" 2>/dev/null)" ]; then
  echo "artefacts: $PARLEY_ARTIFACTS ($(find "$PARLEY_ARTIFACTS" -type f | wc -l) files; window screenshots in window/)"
fi
echo "go vet: $([ $vet_rc -eq 0 ] && echo ok || echo "FAILED ($vet_rc)")"
echo "go test: $([ $test_rc -eq 0 ] && echo ok || echo "FAILED ($test_rc)")"
echo "total time: $((SECONDS - t0))s"
if [ $vet_rc -ne 0 ] || [ $test_rc -ne 0 ]; then
  echo "RESULT: FAIL"
  exit 1
fi
echo "RESULT: PASS"
