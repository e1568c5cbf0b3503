#!/usr/bin/env bash
# fuzz.sh [duration] [packages...] — run every Fuzz target, one at a time.
#
#   scripts/fuzz.sh                 # every package, 20s per target
#   scripts/fuzz.sh 3m              # every package, 3 minutes per target
#   scripts/fuzz.sh 3m ./internal/sipua ./wazo
#
# The duration (also FUZZTIME) is per target; targets are found with
# go test -list '^Fuzz', so new ones are picked up automatically. Seed
# corpora (f.Add and testdata/fuzz/) already run as plain tests in
# scripts/test.sh; this explores. A crasher is written by go test to the
# package's testdata/fuzz/<Target>/ and fails the run: fix it and keep the
# file as a regression seed.
#
# FUZZ_KEEP=1 also copies the inputs the fuzzer found interesting (its cache
# corpus) into testdata/fuzz/<Target>/, so the next plain test run replays
# them. FUZZ_PARALLEL (default 2) is go test -parallel: the workers.
# docs/testing.md ("Fuzzing") lists the targets and what each run found.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
fuzztime="${FUZZTIME:-20s}"
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+(ms|s|m|h|x)$ ]]; then
  fuzztime="$1"
  shift
fi
pkgs=("$@")
[ "${#pkgs[@]}" -gt 0 ] || pkgs=(./...)
export CGO_ENABLED=1
cache="$(go env GOCACHE)/fuzz"
failed=()
ran=0
for pkg in $(go list "${pkgs[@]}"); do
  targets=$(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep -E '^Fuzz' || true)
  [ -n "$targets" ] || continue
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $targets; do
    ran=$((ran + 1))
    echo "==> $pkg $target ($fuzztime)"
    log=$(mktemp)
    if ! go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" -parallel "${FUZZ_PARALLEL:-2}" "$pkg" 2>&1 | tee "$log"; then
      failed+=("$pkg.$target")
    fi
    # The last progress line: total execs and the corpus size.
    last=$(grep -E '^fuzz: elapsed' "$log" | tail -1 || true)
    echo "--> $pkg $target: ${last#fuzz: }"
    rm -f "$log"
    if [ "${FUZZ_KEEP:-0}" = 1 ] && [ -d "$cache/$pkg/$target" ]; then
      mkdir -p "$dir/testdata/fuzz/$target"
      cp -n "$cache/$pkg/$target"/* "$dir/testdata/fuzz/$target/" 2>/dev/null || true
    fi
  done
done
echo "fuzz: $ran target(s), ${#failed[@]} failed ${failed[*]-}"
[ "${#failed[@]}" -eq 0 ]
