package wazoline

import (
	"crypto/tls"

	"github.com/parley-voip/parley/wazo"
)

// sipTLS gives the SIP-over-WSS transport the same trust as the REST client
// (docs/wazo-protocol.md, URL layout: self-signed certificates are the
// default on Wazo, so a pin must apply to the Asterisk websocket too, not
// only to REST). nil means the system roots, as for REST.
func sipTLS(cfg config) *tls.Config {
	switch {
	case cfg.pin != nil:
		return wazo.PinnedTLS(cfg.tlsConfig, *cfg.pin)
	case cfg.tlsConfig != nil:
		return cfg.tlsConfig.Clone()
	}
	return nil
}
