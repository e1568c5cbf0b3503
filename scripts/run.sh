#!/usr/bin/env bash
# run.sh [parley flags...] — THE run command: installs the build/run
# dependencies, builds bin/parley from the repository root and starts it.
# With no account configured it starts in demo mode (-demo); extra arguments
# are passed through, e.g.:
#   scripts/run.sh                         # demo mode unless an account exists
#   scripts/run.sh -config my-account.json
#   scripts/run.sh -headless
# Environment: PARLEY_SKIP_INSTALL=1 skips install-deps; PARLEY_ACCOUNT (a
# config file) counts as a configured account; PARLEY_TAGS adds build tags.
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
configured=0
[ -n "${PARLEY_ACCOUNT:-}" ] && configured=1
[ -f "${XDG_CONFIG_HOME:-$HOME/.config}/parley/account.json" ] && configured=1
for a in "$@"; do
  case "$a" in -demo|--demo|-demo=*|--demo=*|-config|--config|-config=*|--config=*) configured=1 ;; esac
done
if [ $configured -eq 0 ]; then
  echo "no account configured (${XDG_CONFIG_HOME:-$HOME/.config}/parley/account.json, PARLEY_ACCOUNT or -config): starting with -demo"
  args=(-demo "${args[@]}")
fi
headless=0
for a in "$@"; do case "$a" in -headless|--headless|-headless=*|--headless=*) headless=1 ;; esac; done
if [ $headless -eq 0 ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "note: neither DISPLAY nor WAYLAND_DISPLAY is set; the window cannot open (use -headless, or xvfb-run -a scripts/run.sh)" >&2
fi
exec "$root/bin/parley" "${args[@]}"
