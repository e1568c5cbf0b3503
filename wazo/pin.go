package wazo

import (
	"crypto/sha256"
	"crypto/tls"
)

// PinnedTLS returns a copy of base (a TLS 1.2+ default when nil) that trusts
// exactly the server certificate whose SHA-256 is pin, instead of a CA chain:
// Wazo servers ship a self-signed certificate by default, which has no chain
// to check. Every connection to a Wazo server (REST, the event websocket and
// SIP over WSS) uses this one function, so they all trust the same thing.
//
// The check is a VerifyConnection callback, not VerifyPeerCertificate: Go
// runs VerifyConnection on resumed TLS sessions too, whereas
// VerifyPeerCertificate is skipped on resumption, which would let a session
// resumed from a cache outlive a changed pin.
func PinnedTLS(base *tls.Config, pin [sha256.Size]byte) *tls.Config {
	t := &tls.Config{MinVersion: tls.VersionTLS12}
	if base != nil {
		t = base.Clone()
	}
	t.InsecureSkipVerify = true // replaced by the pin check below
	t.VerifyPeerCertificate = nil
	t.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return ErrCertificateMismatch
		}
		if sha256.Sum256(cs.PeerCertificates[0].Raw) != pin {
			return newCertificateError(cs.PeerCertificates[0], ErrCertificateMismatch)
		}
		return nil
	}
	return t
}
