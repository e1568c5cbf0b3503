#!/usr/bin/env bash
# sign.sh windows FILE...   Authenticode-sign with osslsigncode when
#                           PARLEY_WINDOWS_PFX (a PKCS#12 file) is set;
#                           PARLEY_WINDOWS_PFX_PASSWORD, PARLEY_TIMESTAMP_URL optional.
# sign.sh linux FILE...     detached ASCII-armoured gpg signatures (FILE.asc)
#                           when PARLEY_GPG_KEY (a key ID in the keyring) is set;
#                           an .rpm also gets its embedded signature (rpmsign),
#                           which rpm -K and dnf check and rpmlint asks for.
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
      # Check the signature covers the file: the digest it carries must be
      # the file's. The chain is checked too when PARLEY_WINDOWS_CA names the
      # issuing CA's certificates; a public CA's chain is Windows' business.
      vargs=(verify -in "$f"); [ -z "${PARLEY_WINDOWS_CA:-}" ] || vargs+=(-CAfile "$PARLEY_WINDOWS_CA")
      out="$(osslsigncode "${vargs[@]}" 2>&1)" && vrc=0 || vrc=$?
      # PE files report "message digest", MSI files "DigitalSignature".
      cur="$(sed -nE 's/^Current (message digest|DigitalSignature) *: *//p' <<<"$out" | head -n1)"
      calc="$(sed -nE 's/^Calculated (message digest|DigitalSignature) *: *//p' <<<"$out" | head -n1)"
      if [ -z "$cur" ] || [ "$cur" != "$calc" ]; then
        echo "$out" >&2; echo "sign: $f: the signature does not match the file" >&2; exit 1
      fi
      if [ $vrc -ne 0 ] && [ -n "${PARLEY_WINDOWS_CA:-}" ]; then
        echo "$out" >&2; echo "sign: $f: the certificate chain does not verify against $PARLEY_WINDOWS_CA" >&2; exit 1
      fi
      echo "sign: signed $f"
    done ;;
  linux)
    if [ -z "${PARLEY_GPG_KEY:-}" ]; then
      echo "sign: PARLEY_GPG_KEY not set; no detached signatures (SHA256SUMS only)"
      exit 0
    fi
    for f in "$@"; do
      if [[ "$f" == *.rpm ]]; then
        # Sign inside first: the detached signature then covers the final file.
        # (Debian's rpm looks for gpg2, which Debian does not ship.)
        rpmsign --addsign --define "_gpg_name $PARLEY_GPG_KEY" --define "__gpg $(command -v gpg)" \
          --define "_gpg_path ${GNUPGHOME:-$HOME/.gnupg}" "$f" >/dev/null
        echo "sign: embedded signature in $f"
      fi
      gpg --batch --yes --local-user "$PARLEY_GPG_KEY" --armor --detach-sign --output "$f.asc" "$f"
      gpg --batch --verify "$f.asc" "$f"
      echo "sign: $f.asc"
    done ;;
  *) echo "usage: sign.sh windows|linux FILE..." >&2; exit 2 ;;
esac
