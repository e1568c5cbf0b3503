package wazoline

import "errors"

// Sentinel errors. Errors returned by this package wrap one of them, or one
// of package wazo's or phone's sentinels (wazo.ErrAuthenticationFailed,
// wazo.ErrNoWebRTCLine, wazo.ErrUnreachable, wazo.ErrCertificateMismatch,
// phone.ErrAuthFailed …), so errors.Is works and Error() reads as a plain
// sentence an agent can act on.
var (
	// ErrClosed: the line was closed.
	ErrClosed = errors.New("the Wazo line has been closed")
	// ErrLogin: logging in to Wazo failed; the wrapped error says why.
	ErrLogin = errors.New("could not sign in to Wazo")
	// ErrNoLine: the WebRTC line could not be read; the wrapped error says why.
	ErrNoLine = errors.New("could not set up the Wazo phone line")
	// ErrRegistration: the SIP registration over WSS failed.
	ErrRegistration = errors.New("the Wazo phone line could not register")
	// ErrBadFingerprint: a certificate fingerprint could not be read.
	ErrBadFingerprint = errors.New("that is not a SHA-256 certificate fingerprint")
)
