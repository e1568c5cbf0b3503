#!/usr/bin/env bash
# run.sh [parley flags...] — THE run command: installs the build/run
# dependencies, builds bin/parley from the repository root and starts it.
# With no account configured parley opens its sign-in window (with a "Try
# the demo" button); extra arguments are passed through, e.g.:
#   scripts/run.sh                         # sign-in window, or the saved account
#   scripts/run.sh -demo                   # the built-in demo server
#   scripts/run.sh -config my-account.json
#   scripts/run.sh -headless
# Environment: PARLEY_SKIP_INSTALL=1 skips install-deps; PARLEY_TAGS adds
# build tags; PARLEY_CONFIG, PARLEY_SERVER... are read by parley itself.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ "${PARLEY_SKIP_INSTALL:-}" != 1 ]; then
  "$root/scripts/install-deps.sh" run
fi

export CGO_ENABLED=1 # Fyne/GLFW, malgo and cgo Opus
tags=()
[ -z "${PARLEY_TAGS:-}" ] || tags=(-tags "$PARLEY_TAGS")
mkdir -p bin
echo "building bin/parley (a cold build compiles Fyne/GLFW and miniaudio: ~3-4 min; later ones take seconds)"
go build "${tags[@]}" -o bin/parley .

args=("$@")
# With no account (no config file, flags or PARLEY_* variables), parley itself
# opens the sign-in window; the script does not guess.
headless=0
for a in "$@"; do case "$a" in -headless|--headless|-headless=*|--headless=*) headless=1 ;; esac; done
if [ $headless -eq 0 ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "note: neither DISPLAY nor WAYLAND_DISPLAY is set; the window cannot open (use -headless, or xvfb-run -a scripts/run.sh)" >&2
fi
exec "$root/bin/parley" "${args[@]}"
