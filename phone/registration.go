package phone

import "time"

// RegState is where the line's registration stands.
type RegState string

// Registration states.
const (
	RegUnregistered RegState = "unregistered"
	RegRegistering  RegState = "registering"
	RegRegistered   RegState = "registered"
	RegFailed       RegState = "failed" // retrying in the background
	// RegDirect: the line is set not to register (Account.RegisterExpiry
	// < 0). It places calls through its server and takes calls sent
	// straight to its address; there is nothing to fail.
	RegDirect RegState = "direct"
)

// Registration describes the line's registration with its server.
type Registration struct {
	State   RegState      `json:"state"`
	AOR     string        `json:"aor"`               // sip:user@domain
	Contact string        `json:"contact,omitempty"` // as the registrar accepted it
	Expires time.Duration `json:"expiresNs,omitempty"`
	Code    int           `json:"code,omitempty"`   // last SIP status on failure
	Reason  string        `json:"reason,omitempty"` // plain-language, on failure
	// ReasonCode is Reason as a code front ends word (reason.go).
	ReasonCode ReasonCode `json:"reasonCode,omitempty"`
}
