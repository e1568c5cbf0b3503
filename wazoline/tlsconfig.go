package wazoline

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"fmt"

	"github.com/parley-voip/parley/wazo"
)

// sipTLS gives the SIP-over-WSS transport the same trust as the REST client
// (docs/wazo-protocol.md, URL layout: self-signed certificates are the default on Wazo, so a pin must apply
// to the Asterisk websocket too, not only to REST). nil means the system
// roots, as for REST.
func sipTLS(cfg config) *tls.Config {
	if cfg.pin == nil && cfg.tlsConfig == nil {
		return nil
	}
	var t *tls.Config
	if cfg.tlsConfig != nil {
		t = cfg.tlsConfig.Clone()
	} else {
		t = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if cfg.pin != nil {
		pin := *cfg.pin
		// The pin replaces chain verification: a self-signed Wazo
		// certificate has no chain to check.
		t.InsecureSkipVerify = true
		t.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return wazo.ErrCertificateMismatch
			}
			if got := sha256.Sum256(raw[0]); got != pin {
				return fmt.Errorf("%w (got SHA-256 %x)", wazo.ErrCertificateMismatch, got)
			}
			return nil
		}
	}
	return t
}
