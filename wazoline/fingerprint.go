package wazoline

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// ParseFingerprint reads a certificate's SHA-256 fingerprint as people copy
// it: 64 hexadecimal digits, in either case, optionally separated by colons
// or spaces and prefixed "sha256:" or "SHA256 Fingerprint=" (openssl's
// output). The result is what WithPinnedCertificate takes.
func ParseFingerprint(s string) ([32]byte, error) {
	var out [32]byte
	t := strings.TrimSpace(s)
	if i := strings.LastIndexByte(t, '='); i >= 0 {
		t = t[i+1:] // "sha256 Fingerprint=AB:CD…"
	}
	if l := strings.ToLower(t); strings.HasPrefix(l, "sha256:") || strings.HasPrefix(l, "sha-256:") {
		t = t[strings.IndexByte(t, ':')+1:]
	}
	t = strings.NewReplacer(":", "", " ", "", "-", "").Replace(t)
	if len(t) != 64 {
		return out, fmt.Errorf("%w: expected 64 hexadecimal digits, got %d characters", ErrBadFingerprint, len(t))
	}
	if _, err := hex.Decode(out[:], []byte(t)); err != nil {
		return [32]byte{}, fmt.Errorf("%w: only 0-9 and A-F are allowed", ErrBadFingerprint)
	}
	return out, nil
}
