#!/usr/bin/env bash
# sign.sh windows FILE...   Authenticode-sign with osslsigncode when
#                           PARLEY_WINDOWS_PFX (a PKCS#12 file) is set;
#                           PARLEY_WINDOWS_PFX_PASSWORD, PARLEY_TIMESTAMP_URL optional.
# sign.sh linux FILE...     detached ASCII-armoured gpg signatures (FILE.asc)
#                           when PARLEY_GPG_KEY (a key ID in the keyring) is set.
# Without the variables each step says it is skipped and succeeds, so
# unsigned development builds need no keys. macOS signing is in
# scripts/package-darwin.sh (codesign needs a Mac).
set -euo pipefail
kind="${1:?usage: sign.sh windows|linux FILE...}"; shift
case "$kind" in
  windows)
    if [ -z "${PARLEY_WINDOWS_PFX:-}" ]; then
      echo "sign: PARLEY_WINDOWS_PFX not set; not signing $*"
      exit 0
    fi
    for f in "$@"; do
      args=(sign -pkcs12 "$PARLEY_WINDOWS_PFX" -h sha256 -n Parley -i https://github.com/parley-voip/parley)
      [ -z "${PARLEY_WINDOWS_PFX_PASSWORD:-}" ] || args+=(-pass "$PARLEY_WINDOWS_PFX_PASSWORD")
      [ -z "${PARLEY_TIMESTAMP_URL:-}" ] || args+=(-ts "$PARLEY_TIMESTAMP_URL")
      osslsigncode "${args[@]}" -in "$f" -out "$f.signed"
      mv -f "$f.signed" "$f"
      # verify checks the signature itself; chain trust is the CA's business,
      # so a test certificate still verifies its own signature.
      osslsigncode verify -in "$f" >/dev/null 2>&1 || osslsigncode verify -in "$f" 2>&1 | grep -q 'Signature verification: ok' \
        || { echo "sign: verification of $f failed" >&2; exit 1; }
      echo "sign: signed $f"
    done ;;
  linux)
    if [ -z "${PARLEY_GPG_KEY:-}" ]; then
      echo "sign: PARLEY_GPG_KEY not set; no detached signatures (SHA256SUMS only)"
      exit 0
    fi
    for f in "$@"; do
      gpg --batch --yes --local-user "$PARLEY_GPG_KEY" --armor --detach-sign --output "$f.asc" "$f"
      gpg --batch --verify "$f.asc" "$f"
      echo "sign: $f.asc"
    done ;;
  *) echo "usage: sign.sh windows|linux FILE..." >&2; exit 2 ;;
esac
