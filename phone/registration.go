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
	// Verified is when the path to the registrar last proved to work (the
	// REGISTER or a keep-alive answered), while registered. A keep-alive
	// without an answer turns the state to failed at once.
	Verified time.Time `json:"verified,omitzero"`
}

// Readiness is the answer to "can I take calls right now?".
type Readiness struct {
	CanTakeCalls bool   `json:"can_take_calls"`
	Reason       string `json:"reason,omitempty"` // plain language, when not
}

// ReadinessOf answers from a Registration. Registered means the registrar
// accepted the binding and every keep-alive since was answered, so calls
// sent to the line reach it; a line set not to register takes the calls
// sent straight to it.
func ReadinessOf(reg Registration) Readiness {
	switch reg.State {
	case RegRegistered, RegDirect:
		return Readiness{CanTakeCalls: true}
	case RegRegistering:
		return Readiness{Reason: "the line is registering with the server"}
	case RegFailed:
		why := reg.Reason
		if why == "" {
			why = "the server did not accept the registration"
		}
		return Readiness{Reason: "not registered: " + why + " (retrying)"}
	}
	if reg.Reason != "" {
		return Readiness{Reason: "not registered: " + reg.Reason}
	}
	return Readiness{Reason: "the line is not registered"}
}
