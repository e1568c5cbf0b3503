#!/usr/bin/env bash
# third-party-notices.sh [OUT] — write the licences of everything compiled
# into Parley (Go standard library + every module the linux and windows
# builds link, from the module graph) to OUT (default: stdout). Every
# package ships the result as THIRD_PARTY_NOTICES.txt.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${1:-/dev/stdout}"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
# The module graph as the linker sees it: packages actually built for each
# target OS, not everything go.mod mentions (test-only modules ship nothing).
for goos in linux windows darwin; do
  GOOS=$goos CGO_ENABLED=1 go list -deps -f '{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}} {{.Dir}}{{end}}{{end}}' . 2>/dev/null
done | sort -u >"$tmp"
[ -s "$tmp" ] || { echo "third-party-notices: empty module list (run go mod download?)" >&2; exit 1; }
{
  echo "Parley includes the following third-party software."
  echo "Each entry gives the module, its version and its licence text as published."
  echo
  echo "================================================================================"
  echo "The Go standard library and runtime ($(go env GOVERSION))"
  echo "================================================================================"
  cat "$(go env GOROOT)/LICENSE"
  while read -r path ver dir; do
    [ -n "$dir" ] || { echo "third-party-notices: $path $ver is not in the module cache" >&2; exit 1; }
    echo
    echo "================================================================================"
    echo "$path $ver"
    echo "================================================================================"
    # Top-level licence files, plus those of bundled C code (GLFW's zlib
    # licence lives in glfw/LICENSE.md).
    found=0
    while IFS= read -r f; do
      found=1
      rel="${f#"$dir"/}"
      [ "$rel" = "$(basename "$f")" ] || echo "--- $rel"
      cat "$f"
      echo
    done < <(find "$dir" -maxdepth 2 -type f \( -iname 'licen[cs]e*' -o -iname 'copying*' -o -iname 'unlicense*' -o -iname 'notice*' \) \
               -not -path '*/testdata/*' | LC_ALL=C sort)
    [ $found = 1 ] || { echo "third-party-notices: no licence file in $path $ver" >&2; exit 1; }
  done <"$tmp"
} >"$out"
