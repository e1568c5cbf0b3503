#!/usr/bin/env bash
# install-deps.sh [run|test|packages] — install the Debian 12 packages Parley needs.
#   run:      building and running the app (Fyne/GLFW X11+Wayland headers, cgo, audio runtime, Opus)
#   test:     run + the real peers and tools the tests drive (Xvfb, PulseAudio, sipp, baresip, kamailio, ...)
#   packages: run + building the installers (mingw, wixl, NSIS, osslsigncode) and checking them
#             (lintian, rpmlint, desktop-file-validate, appstreamcli, debootstrap, wine, Xvfb)
# Idempotent: only missing packages are installed, and when nothing is missing
# it returns after one dpkg-query (no apt-get update).
set -euo pipefail

profile="${1:-run}"

run_pkgs=(
  gcc pkg-config
  # exactly what go-gl/glfw links, plus the Wayland headers Fyne >= 2.8 compiles in
  libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev
  libwayland-dev libxkbcommon-dev
  # audio at run time (malgo loads them with dlopen) and cgo Opus
  libasound2 libpulse0 libopus-dev libopusfile-dev
)
test_pkgs=(
  xvfb xauth xdotool imagemagick
  # OCR of the real window's screenshots (internal/windowtest)
  tesseract-ocr tesseract-ocr-eng
  pulseaudio pulseaudio-utils
  sip-tester baresip-core kamailio kamailio-websocket-modules
  nftables iputils-ping sox opus-tools
  # the independent G.722 coder the codec interop tests compare against
  ffmpeg
  # a second classic SIP peer (liblinphone) for the plain RTP / SDES-SRTP interop tests
  linphone-cli
  # a real Secret Service on a private session bus (internal/secrets/secretservicetest)
  dbus-daemon gnome-keyring libsecret-tools
)

package_pkgs=(
  # building: icons, Windows cross-build and resources, installers, signing
  imagemagick librsvg2-bin xz-utils gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 wixl msitools nsis osslsigncode
  # checking: package linters, a throw-away Debian root, wine, the GUI under Xvfb
  lintian rpmlint rpm desktop-file-utils appstream debootstrap wine wine64 xvfb xauth xdotool
  # the signing hooks, exercised with throw-away keys
  openssl gpg
)

case "$profile" in
  run)  pkgs=("${run_pkgs[@]}") ;;
  test) pkgs=("${run_pkgs[@]}" "${test_pkgs[@]}") ;;
  packages) pkgs=("${run_pkgs[@]}" "${package_pkgs[@]}") ;;
  *) echo "usage: $0 [run|test|packages]" >&2; exit 2 ;;
esac

# One dpkg-query for all: a package counts as present only when its status is
# "installed" (dpkg prints nothing for packages it has never heard of).
installed=" $({ dpkg-query -W -f='${db:Status-Status} ${Package}\n' "${pkgs[@]}" 2>/dev/null || true; } \
  | awk '$1 == "installed" { printf "%s ", $2 }') "
missing=()
for p in "${pkgs[@]}"; do
  case "$installed" in *" $p "*) ;; *) missing+=("$p") ;; esac
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps ($profile): all ${#pkgs[@]} packages present"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi

echo "install-deps ($profile): installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Installing kamailio/pulseaudio does not start them without systemd; the
# tests start their own private instances.
echo "install-deps ($profile): done"
