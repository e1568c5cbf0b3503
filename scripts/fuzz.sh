#!/usr/bin/env bash
# fuzz.sh [packages...] — run every Fuzz target for a short while.
# FUZZTIME (default 20s) is per target; targets are found with
# go test -list '^Fuzz', so new ones are picked up automatically.
# Seed corpora already run as plain tests in scripts/test.sh; this explores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
pkgs=("$@")
[ "${#pkgs[@]}" -gt 0 ] || pkgs=(./...)
fuzztime="${FUZZTIME:-20s}"
export CGO_ENABLED=1
failed=()
ran=0
for pkg in $(go list "${pkgs[@]}"); do
  targets=$(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep -E '^Fuzz' || true)
  for target in $targets; do
    ran=$((ran + 1))
    echo "==> $pkg $target ($fuzztime)"
    # -parallel 2: two cores; new crashers land in the package's testdata/fuzz.
    if ! go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" -parallel 2 "$pkg"; then
      failed+=("$pkg.$target")
    fi
  done
done
echo "fuzz: $ran target(s), ${#failed[@]} failed ${failed[*]-}"
[ "${#failed[@]}" -eq 0 ]
