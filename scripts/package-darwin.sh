#!/usr/bin/env bash
# package-darwin.sh — on a Mac (Xcode command-line tools, Go): build
# dist/Parley-<v>.dmg holding a universal (arm64 + x86_64) Parley.app with our
# Info.plist (URL schemes, microphone and local-network texts, macOS 12+)
# and hardened-runtime entitlements. make package-darwin runs it.
#
# Signing and notarisation run only when their variables are set:
#   PARLEY_APPLE_IDENTITY   codesign identity, e.g. "Developer ID Application: Example (TEAMID)"
#   PARLEY_NOTARY_PROFILE   a notarytool keychain profile, made once with
#                           xcrun notarytool store-credentials NAME --apple-id ... --team-id ... --password <app-specific>
# Without an identity the app is ad-hoc signed (runs on the build Mac only)
# and not notarised.
#
# Linux note: the .app layout is plain files, so with a parley binary built
# on a Mac this script's "bundle" step also runs on Linux (lipo and hdiutil
# do not); `fyne package --os darwin --executable X` is an alternative there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ "$(uname -s)" = Darwin ] || { echo "package-darwin: needs macOS (see docs/deploy.md and the release workflow)" >&2; exit 1; }

V="$(tr -d ' \n' < internal/version/VERSION)"
BUILD="${PARLEY_BUILD_NUMBER:-$(git rev-list --count HEAD 2>/dev/null || echo 1)}"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}"
build="$root/build/darwin"; dist="$root/dist"
rm -rf "$build"; mkdir -p "$build" "$dist"
commit="$(git rev-parse --short=12 HEAD 2>/dev/null || true)"
ldflags="-s -w -buildid= -X github.com/parley-voip/parley/internal/version.stamped=$V -X github.com/parley-voip/parley/internal/version.stampedCommit=$commit"
export CGO_ENABLED=1 MACOSX_DEPLOYMENT_TARGET=12.0

for arch in arm64 amd64; do
  echo "==> go build darwin/$arch"
  GOOS=darwin GOARCH=$arch CGO_CFLAGS="-mmacosx-version-min=12.0" CGO_LDFLAGS="-mmacosx-version-min=12.0" \
    go build -trimpath -ldflags "$ldflags" -o "$build/parley-$arch" .
done
lipo -create -output "$build/parley" "$build/parley-arm64" "$build/parley-amd64"
lipo -info "$build/parley"

echo "==> Parley.app"
app="$build/Parley.app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"
cp "$build/parley" "$app/Contents/MacOS/parley"
sed -e "s/@VERSION@/$V/g" -e "s/@BUILD@/$BUILD/g" packaging/darwin/Info.plist.in > "$app/Contents/Info.plist"
plutil -lint "$app/Contents/Info.plist"
iconset="$build/icon.iconset"; mkdir -p "$iconset"
for s in 16 32 128 256 512; do
  sips -z $s $s assets/icon.png --out "$iconset/icon_${s}x${s}.png" >/dev/null
  d=$((s * 2)); [ $d -le 1024 ] && sips -z $d $d assets/icon.png --out "$iconset/icon_${s}x${s}@2x.png" >/dev/null
done
iconutil -c icns -o "$app/Contents/Resources/icon.icns" "$iconset"
scripts/third-party-notices.sh "$app/Contents/Resources/THIRD_PARTY_NOTICES.txt"
cp LICENSE "$app/Contents/Resources/LICENSE.txt"
cp packaging/parley.json.example "$app/Contents/Resources/"

echo "==> sign"
if [ -n "${PARLEY_APPLE_IDENTITY:-}" ]; then
  codesign --force --timestamp --options runtime --entitlements packaging/darwin/entitlements.plist \
    --sign "$PARLEY_APPLE_IDENTITY" "$app"
else
  echo "package-darwin: PARLEY_APPLE_IDENTITY not set; ad-hoc signature (not for distribution)"
  codesign --force --options runtime --entitlements packaging/darwin/entitlements.plist --sign - "$app"
fi
codesign --verify --deep --strict --verbose=2 "$app"
codesign -d --entitlements - "$app" | grep -q audio-input

echo "==> dmg"
dmg="$dist/Parley-$V.dmg"
stage="$build/dmg"; mkdir -p "$stage"
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"
hdiutil create -volname Parley -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$dmg"
[ -z "${PARLEY_APPLE_IDENTITY:-}" ] || codesign --force --timestamp --sign "$PARLEY_APPLE_IDENTITY" "$dmg"

if [ -n "${PARLEY_APPLE_IDENTITY:-}" ] && [ -n "${PARLEY_NOTARY_PROFILE:-}" ]; then
  echo "==> notarise (notarytool; a few minutes)"
  xcrun notarytool submit "$dmg" --keychain-profile "$PARLEY_NOTARY_PROFILE" --wait
  xcrun stapler staple "$dmg"
  xcrun stapler validate "$dmg"
  spctl -a -t open --context context:primary-signature -vv "$dmg"
else
  echo "package-darwin: PARLEY_NOTARY_PROFILE (or the identity) not set; not notarised"
fi
(cd "$dist" && shasum -a 256 "Parley-$V.dmg" > "Parley-$V.dmg.sha256")
echo "package-darwin: $dmg"
