package conference

import (
	"errors"

	"github.com/parley-voip/parley/wazo"
)

// Sentinel errors. Every error this package returns wraps one of them, and
// for server refusals also the wazo error (errors.Is(err,
// wazo.ErrHostCallNotFound) keeps working); Error() is a plain sentence.
var (
	ErrStart      = errors.New("could not start the conference")
	ErrAdd        = errors.New("could not add the call to the conference")
	ErrRemove     = errors.New("could not remove the participant from the conference")
	ErrHangup     = errors.New("could not end the conference")
	ErrNotReady   = errors.New("the server has not said who this call is connected to yet; try again in a moment")
	ErrNoCalls    = errors.New("choose at least one other call to bring into the conference")
	ErrNoSuchCall = errors.New("that call is not open on this phone")
	// ErrHostNotConnected: a conference can only be hosted on a call that
	// is connected (not ringing, not dialling).
	ErrHostNotConnected = errors.New("the call to host the conference is not connected")
	ErrNotInConf        = errors.New("that party is not in the conference")
	ErrFinished         = errors.New("the conference is already over")
	ErrNoSuchConf       = errors.New("there is no such conference")
	ErrAmbiguous        = errors.New("several conferences are running; say which one")
	ErrNoneRunning      = errors.New("no conference is running")
	ErrClosed           = errors.New("conferences are no longer available: the line was closed")
)

// Why a calld conference request failed, in words an agent can act on
// (calld's error_ids, docs/wazo-protocol.md, Ad-hoc conferences: table).
// Front ends match them with errors.Is to word them in their language.
// The wazo sentinels are accurate but talk about "host calls"; the agent
// thinks in terms of "the call I'm on" and "the other call".
var (
	ErrServerLostCall     = errors.New("the server no longer knows the call you are on; it may have just ended")
	ErrCallDisconnected   = errors.New("the call you are on is not connected to anyone any more")
	ErrOtherCallGone      = errors.New("one of the other calls has ended or is no longer connected to you")
	ErrAlreadyConference  = errors.New("the call you are on is already part of a conference")
	ErrAlreadyParticipant = errors.New("that person is already in the conference")
	ErrEndedOnServer      = errors.New("the conference has already ended on the server")
	ErrRequestRefused     = errors.New("the server did not accept the request (the calls may have changed); try again")
	ErrNotAllowed         = errors.New("your Wazo account is not allowed to make conferences; ask your administrator")
	ErrSessionExpired     = errors.New("your Wazo session has expired; please log in again")
	ErrTelephonyDown      = errors.New("the telephony service is temporarily unavailable; try again in a moment")
	ErrTelephonyError     = errors.New("the telephony service reported an error; try again in a moment")
	ErrServerBusy         = errors.New("the server is temporarily unavailable; try again in a moment")
	ErrServerUnreachable  = errors.New("the Wazo server cannot be reached; check the network")
)

// opError is an operation's failure: op names what failed (ErrStart …),
// hint says why in words an agent can act on (one of the errors above, or
// nil), err is the cause.
type opError struct {
	op   error
	hint error
	err  error
}

func (e *opError) Error() string {
	if e.hint == nil {
		return e.op.Error() + ": " + e.err.Error()
	}
	return e.op.Error() + ": " + e.hint.Error()
}

// Unwrap exposes the operation sentinel, the hint and the cause to
// errors.Is/As.
func (e *opError) Unwrap() []error {
	if e.hint == nil {
		return []error{e.op, e.err}
	}
	return []error{e.op, e.hint, e.err}
}

// calldHints maps calld's errors onto the hints above.
var calldHints = []struct {
	err  error
	hint error
}{
	{wazo.ErrHostCallNotFound, ErrServerLostCall},
	{wazo.ErrHostCallCreation, ErrCallDisconnected},
	{wazo.ErrParticipantCallNotFound, ErrOtherCallGone},
	{wazo.ErrHostAlreadyInConference, ErrAlreadyConference},
	{wazo.ErrParticipantAlreadyInConference, ErrAlreadyParticipant},
	{wazo.ErrAdhocConferenceNotFound, ErrEndedOnServer},
	{wazo.ErrInvalidData, ErrRequestRefused},
	{wazo.ErrUnauthorized, ErrNotAllowed},
	{wazo.ErrSessionExpired, ErrSessionExpired},
	{wazo.ErrAsteriskUnreachable, ErrTelephonyDown},
	{wazo.ErrAsteriskError, ErrTelephonyError},
	{wazo.ErrServer, ErrServerBusy},
	{wazo.ErrUnreachable, ErrServerUnreachable},
}

// explain wraps err (usually a *wazo.APIError) for operation op.
func explain(op error, err error) error {
	if err == nil {
		return nil
	}
	var oe *opError
	if errors.As(err, &oe) {
		return err
	}
	for _, h := range calldHints {
		if errors.Is(err, h.err) {
			return &opError{op: op, hint: h.hint, err: err}
		}
	}
	var ae *wazo.APIError
	if errors.As(err, &ae) && ae.Status == 503 {
		return &opError{op: op, hint: ErrServerBusy, err: err}
	}
	return &opError{op: op, err: err}
}

// errConfNotFound is calld's adhoc-conference-not-found (docs/wazo-protocol.md, Ad-hoc conferences).
var errConfNotFound = wazo.ErrAdhocConferenceNotFound
