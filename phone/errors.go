package phone

import "errors"

// Sentinel errors. Operations wrap them with %w and add the details a user
// needs, so errors.Is works and Error() reads as a plain sentence.
var (
	ErrNoSuchCall      = errors.New("no such call")
	ErrInvalidNumber   = errors.New("invalid number")
	ErrWrongState      = errors.New("the call is not in a state that allows this")
	ErrNotConnected    = errors.New("the phone is not connected")
	ErrAlreadyStarted  = errors.New("the phone is already connected")
	ErrAuthFailed      = errors.New("the server rejected the username or password")
	ErrUnreachable     = errors.New("cannot reach the server")
	ErrInvalidAccount  = errors.New("the account settings are incomplete or invalid")
	ErrMediaFailed     = errors.New("the audio connection could not be established")
	ErrDTMFUnavailable = errors.New("DTMF cannot be sent on this call")
	ErrClosed          = errors.New("the phone has been shut down")
)
