package sipua

import (
	"fmt"
	"time"
)

// RegStatus is the registration life-cycle position.
type RegStatus int

// Registration statuses, in the order a normal run goes through them.
const (
	RegUnregistered RegStatus = iota // not registered (initial, after Close)
	RegRegistering                   // REGISTER in flight (first, refresh or retry)
	RegRegistered                    // binding accepted by the registrar
	RegFailed                        // last attempt failed; see RegState.Err
)

func (s RegStatus) String() string {
	switch s {
	case RegUnregistered:
		return "unregistered"
	case RegRegistering:
		return "registering"
	case RegRegistered:
		return "registered"
	case RegFailed:
		return "failed"
	default:
		return fmt.Sprintf("RegStatus(%d)", int(s))
	}
}

// RegState is a snapshot of the registration, passed to
// Handler.OnRegistration and returned by UA.RegState.
type RegState struct {
	Status RegStatus
	// Expires is the binding lifetime granted by the registrar.
	Expires time.Duration
	// Contact is the Contact URI bound (after received/rport fix-up).
	Contact string
	// Err and Code describe the failure when Status is RegFailed. Code is
	// the SIP status (0 for transport failures). Retrying tells whether the
	// UA keeps retrying in the background.
	Err      error
	Code     int
	Retrying bool
	// Verified is when the flow to the registrar last proved to work (a
	// REGISTER or keep-alive answered) while Status is RegRegistered.
	Verified time.Time
}
