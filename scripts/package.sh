#!/usr/bin/env bash
# package.sh [linux|windows|all] — build Parley's release artefacts into dist/
# (make package; docs/deploy.md):
#   dist/parley_<v>_amd64.deb  dist/parley-<v>.x86_64.rpm
#   dist/parley-<v>-linux-amd64.tar.xz
#   dist/Parley-<v>-x64.msi  dist/Parley-<v>-setup.exe
#   dist/SHA256SUMS (+ .asc / .sig files when signing keys are given)
# The version is internal/version/VERSION (one version for everything);
# binaries are built with -trimpath, PIE on Linux, an empty build ID and
# SOURCE_DATE_EPOCH from the last commit, so a rebuild of the same commit
# gives the same binaries. Nothing in the source tree is modified: scratch
# files go to build/, which is ignored.
#
# Environment:
#   PARLEY_SKIP_INSTALL=1    do not apt-get the packaging tools
#   PARLEY_TAGS              extra build tags
#   Signing (each step runs only when its variables are set; scripts/sign.sh):
#   PARLEY_WINDOWS_PFX, PARLEY_WINDOWS_PFX_PASSWORD   Authenticode (osslsigncode)
#   PARLEY_GPG_KEY                                    detached Linux signatures (gpg)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
what="${1:-all}"
case "$what" in linux|windows|all) ;; *) echo "usage: $0 [linux|windows|all]" >&2; exit 2 ;; esac

t0=$SECONDS
phase() { printf '\n==> %s (at %ds)\n' "$1" "$((SECONDS - t0))"; }

if [ "${PARLEY_SKIP_INSTALL:-}" != 1 ]; then
  "$root/scripts/install-deps.sh" packages
fi

V="$(tr -d ' \n' < internal/version/VERSION)"
[[ "$V" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "package: internal/version/VERSION must be x.y.z, is '$V'" >&2; exit 1; }
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
DATE="$(date -u -d "@$SOURCE_DATE_EPOCH" +%F)"
build="$root/build"
dist="$root/dist"
mkdir -p "$build" "$dist"
tags=()
[ -z "${PARLEY_TAGS:-}" ] || tags=(-tags "$PARLEY_TAGS")
commit="$(git rev-parse --short=12 HEAD 2>/dev/null || true)"
ldflags="-s -w -buildid= -X github.com/parley-voip/parley/internal/version.stamped=$V -X github.com/parley-voip/parley/internal/version.stampedCommit=$commit"
export CGO_ENABLED=1 GOFLAGS="${GOFLAGS:-} -mod=readonly"
nfpm=(go tool -modfile=tools/go.mod nfpm)

phase "third-party notices"
scripts/third-party-notices.sh "$build/THIRD_PARTY_NOTICES.txt"

sed_version() { sed -e "s/@VERSION@/$V/g" -e "s/@DATE@/$DATE/g" "$1"; }

build_linux() {
  local stage="$build/stage-linux"
  rm -rf "$stage"; mkdir -p "$stage/icons"
  phase "linux binary (go build -trimpath -buildmode=pie)"
  go build "${tags[@]}" -trimpath -buildmode=pie -ldflags "$ldflags" -o "$stage/parley" .
  "$stage/parley" -version

  phase "linux desktop integration"
  cp packaging/linux/io.parley.softphone.desktop "$stage/"
  sed_version packaging/linux/io.parley.softphone.metainfo.xml.in > "$stage/io.parley.softphone.metainfo.xml"
  sed_version packaging/linux/parley.1.in | gzip -9n > "$stage/parley.1.gz"
  for s in 16 24 32 48 64 128 256 512; do
    mkdir -p "$stage/icons/${s}x${s}/apps"
    # -strip: no timestamps in the PNGs, so the packages are reproducible.
    convert assets/icon.png -resize "${s}x${s}" -strip "$stage/icons/${s}x${s}/apps/io.parley.softphone.png"
  done
  mkdir -p "$stage/icons/scalable/apps"
  cp packaging/icons/io.parley.softphone.svg "$stage/icons/scalable/apps/"
  cp LICENSE "$stage/LICENSE"
  cp "$build/THIRD_PARTY_NOTICES.txt" "$stage/"
  gzip -9nc "$build/THIRD_PARTY_NOTICES.txt" > "$stage/THIRD_PARTY_NOTICES.txt.gz"
  cp docs/deploy.md "$stage/deploy.md"
  gzip -9nc docs/deploy.md > "$stage/deploy.md.gz"
  cp packaging/parley.json.example "$stage/"
  # Debian's machine-readable copyright file: ours, then a pointer to the
  # notices of everything linked in.
  {
    echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
    echo "Upstream-Name: Parley"
    echo "Source: https://github.com/parley-voip/parley"
    echo
    echo "Files: *"
    echo "Copyright: 2026 The Parley developers"
    echo "License: Apache-2.0"
    echo " On Debian systems the full text of the Apache License 2.0 is in"
    echo " /usr/share/common-licenses/Apache-2.0. The binary also contains the"
    echo " Go standard library and the Go modules listed, with their licences, in"
    echo " /usr/share/doc/parley/THIRD_PARTY_NOTICES.txt.gz."
  } > "$stage/copyright"
  cat > "$stage/changelog.yml" <<YAML
- semver: $V
  date: $(date -u -d "@$SOURCE_DATE_EPOCH" +%FT%TZ)
  packager: Parley developers <dev@parley.io>
  deb:
    urgency: medium
    distributions: [unstable]
  changes:
    - note: Release $V; see https://github.com/parley-voip/parley/releases.
YAML
  mkdir -p "$stage/lintian"
  cp packaging/linux/lintian-overrides "$stage/lintian/parley"
  chmod -R u=rwX,go=rX "$stage"
  find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

  phase "linux packages (nfpm)"
  # nfpm expands the environment in a few fields only: fill in the rest here.
  sed -e "s|\${PARLEY_VERSION}|$V|g" -e "s|\${STAGE}|$stage|g" packaging/linux/nfpm.yaml > "$build/nfpm.yaml"
  "${nfpm[@]}" package --config "$build/nfpm.yaml" --packager deb --target "$dist/parley_${V}_amd64.deb"
  "${nfpm[@]}" package --config "$build/nfpm.yaml" --packager rpm --target "$dist/parley-${V}.x86_64.rpm"

  phase "linux tarball"
  local tree="$build/tar/parley-$V"
  rm -rf "$build/tar"; mkdir -p "$tree/bin" "$tree/share/applications" "$tree/share/metainfo" "$tree/share/man/man1" "$tree/share/icons/hicolor"
  cp "$stage/parley" "$tree/bin/"
  cp "$stage/io.parley.softphone.desktop" "$tree/share/applications/"
  cp "$stage/io.parley.softphone.metainfo.xml" "$tree/share/metainfo/"
  cp "$stage/parley.1.gz" "$tree/share/man/man1/"
  cp -r "$stage/icons/." "$tree/share/icons/hicolor/"
  cp LICENSE "$stage/THIRD_PARTY_NOTICES.txt" "$stage/parley.json.example" "$tree/"
  cp packaging/linux/tarball-README "$tree/README"
  find "$tree" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
    -C "$build/tar" -cf - "parley-$V" | xz -6 -T2 > "$dist/parley-$V-linux-amd64.tar.xz"
}

build_windows() {
  local stage="$build/stage-windows"
  rm -rf "$stage"; mkdir -p "$stage"
  phase "windows resources (windres: icon, version, DPI manifest)"
  convert assets/icon.png -define icon:auto-resize=256,128,64,48,32,16 "$stage/parley.ico"
  cp packaging/windows/parley.manifest "$stage/"
  sed -e "s/@VERSION@/$V/g" -e "s/@VERSION_COMMA@/${V//./,},0/g" packaging/windows/parley.rc.in > "$stage/parley.rc"
  (cd "$stage" && x86_64-w64-mingw32-windres -O coff -i parley.rc -o rsrc.syso)
  phase "windows binary (mingw cross-build, -H=windowsgui; ~6 min cold)"
  # go build links every .syso in the main package's directory: copy it in
  # for the build only (*.syso is ignored by git) and always take it out.
  local syso="$root/zz_parley_windows_amd64.syso"
  cp "$stage/rsrc.syso" "$syso"
  trap 'rm -f "$root/zz_parley_windows_amd64.syso"' EXIT
  GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
    go build "${tags[@]}" -trimpath -ldflags "$ldflags -H=windowsgui" -o "$stage/parley.exe" .
  rm -f "$syso"
  scripts/sign.sh windows "$stage/parley.exe"

  cp LICENSE "$stage/LICENSE.txt"
  cp "$build/THIRD_PARTY_NOTICES.txt" "$stage/"
  cp packaging/parley.json.example "$stage/"
  cp packaging/windows/parley.wxs packaging/windows/parley.nsi "$stage/"
  phase "windows installers (wixl .msi, makensis .exe)"
  (cd "$stage" && wixl -a x64 -D "Version=$V" -o "Parley-$V-x64.msi" parley.wxs 2> >(grep -v 'GLib-GObject-WARNING\|^$' >&2))
  (cd "$stage" && makensis -V2 -DVERSION="$V" -DOUTFILE="Parley-$V-setup.exe" parley.nsi)
  scripts/sign.sh windows "$stage/Parley-$V-x64.msi" "$stage/Parley-$V-setup.exe"
  cp "$stage/Parley-$V-x64.msi" "$stage/Parley-$V-setup.exe" "$dist/"
}

case "$what" in
  linux) build_linux ;;
  windows) build_windows ;;
  all) build_linux; build_windows ;;
esac

phase "checksums and signatures"
(
  cd "$dist"
  shopt -s nullglob
  files=(parley_*.deb parley-*.rpm parley-*-linux-amd64.tar.xz Parley-*.msi Parley-*-setup.exe)
  sha256sum "${files[@]}" > SHA256SUMS
  cat SHA256SUMS
)
scripts/sign.sh linux "$dist/SHA256SUMS" "$dist"/parley_*.deb "$dist"/parley-*.rpm "$dist"/parley-*-linux-amd64.tar.xz
echo "package: done in $((SECONDS - t0))s"
ls -l "$dist"
