package sipua

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers match them with errors.Is; the wrapped messages
// carry the plain-language detail meant for users.
var (
	// ErrInvalidConfig is returned by New for an unusable Config.
	ErrInvalidConfig = errors.New("invalid sip configuration")
	// ErrAuthFailed means the server rejected our credentials (401/407
	// repeated after a digest answer, or 403).
	ErrAuthFailed = errors.New("authentication failed")
	// ErrUnreachable means the server could not be reached: connection
	// refused, DNS failure, TLS failure or transaction timeout.
	ErrUnreachable = errors.New("sip server unreachable")
	// ErrFlowLost means a registered line lost its path to the server: the
	// connection closed or a keep-alive got no answer (RFC 5626 §4.4).
	ErrFlowLost = errors.New("lost contact with the sip server")
	// ErrInvalidTarget is returned by Dial and Refer for a dial string that
	// is not a usable SIP user or URI.
	ErrInvalidTarget = errors.New("invalid call target")
	// ErrCanceled is returned by Dial when its context ended before the call
	// was answered (a CANCEL was sent when possible).
	ErrCanceled = errors.New("call canceled")
	// ErrClosed is returned by operations on a closed UA or ended dialog.
	ErrClosed = errors.New("closed")
	// ErrNotStarted is returned when Dial is used before Start.
	ErrNotStarted = errors.New("user agent not started")
	// ErrDialogTerminated is returned by in-dialog operations after the
	// dialog ended (BYE either way).
	ErrDialogTerminated = errors.New("call already ended")
	// ErrTransferFailed is returned by Refer when the transfer target did not
	// answer with a 2xx (reported through the NOTIFY sipfrag).
	ErrTransferFailed = errors.New("transfer failed")
	// ErrAlreadyAnswered is returned by Incoming actions once a final
	// response was sent or the caller canceled.
	ErrAlreadyAnswered = errors.New("call already answered, rejected or canceled")
	// ErrNoAck is returned by Incoming.Answer when the caller never
	// acknowledged our 200 OK within 64×T1; the call was then ended with a
	// BYE (RFC 3261 §13.3.1.4).
	ErrNoAck = errors.New("the caller's phone never confirmed the answer")
	// ErrHungUp is returned by Incoming.Answer when Incoming.Hangup was
	// called while the answer waited for its ACK.
	ErrHungUp     = errors.New("hung up while the answer was being confirmed")
	errNoResponse = errors.New("no response")
)

// StatusError is a final non-2xx SIP response (e.g. 486 Busy Here).
type StatusError struct {
	Code   int
	Reason string
	// Contacts are the targets a 3xx named (when it was not followed).
	Contacts []string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("sip server answered %d %s", e.Code, e.Reason)
}
