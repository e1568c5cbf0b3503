package wazostandin

import (
	"errors"
	"fmt"
	"net/http"
)

// Sentinel errors returned by the stack's Go API (the call model and user
// registry). HTTP handlers translate them into the wire envelopes of the
// protocol doc (docs/wazo-protocol.md, Authentication for wazo-auth, Calls API for wazo-calld).
var (
	// ErrNoSuchChannel: the channel id is unknown or already hung up.
	ErrNoSuchChannel = errors.New("wazostandin: no such channel")
	// ErrNoSuchBridge: the bridge id is unknown or already destroyed.
	ErrNoSuchBridge = errors.New("wazostandin: no such bridge")
	// ErrChannelBusy: the channel is already in a bridge.
	ErrChannelBusy = errors.New("wazostandin: channel is already bridged")
	// ErrInvalidUser: AddUser got a user without username or password.
	ErrInvalidUser = errors.New("wazostandin: a user needs a username and a password")
	// ErrDuplicateUser: AddUser got a username or uuid that already exists.
	ErrDuplicateUser = errors.New("wazostandin: user already exists")
	// ErrNoSuchUser: the user uuid is unknown.
	ErrNoSuchUser = errors.New("wazostandin: no such user")
	// ErrClosed: the stack was closed.
	ErrClosed = errors.New("wazostandin: stack closed")
	// ErrAlreadyStarted: Start or Serve was called twice.
	ErrAlreadyStarted = errors.New("wazostandin: already serving")
)

// CalldError is a wazo-calld REST error (protocol docs/wazo-protocol.md, Calls API: body
// {"message","error_id","details","timestamp"}). The call model returns it
// from the operations that calld exposes so the HTTP layer can answer with
// the exact status and error_id, and so the SIP side can see why an
// operation was refused.
type CalldError struct {
	Status  int
	ErrorID string
	Message string
	Details map[string]any
}

func (e *CalldError) Error() string {
	return fmt.Sprintf("wazostandin: calld %d %s: %s", e.Status, e.ErrorID, e.Message)
}

// The constructors below copy status, error_id and message from wazo-calld
// (plugins/calls/exceptions.py, plugins/adhoc_conferences/exceptions.py,
// plugins/transfers/exceptions.py, xivo mallow_helpers / http_exceptions).

func errInvalidData(details map[string]any) *CalldError {
	if details == nil {
		details = map[string]any{}
	}
	return &CalldError{http.StatusBadRequest, "invalid-data", "Sent data is invalid", details}
}

func errNoSuchCall(callID string) *CalldError {
	return &CalldError{http.StatusNotFound, "no-such-call", "No such call", map[string]any{"call_id": callID}}
}

func errUserPermissionDenied(userUUID, callID string) *CalldError {
	return &CalldError{http.StatusForbidden, "user-permission-denied", "User does not have permission to handle objects of other users",
		map[string]any{"user": userUUID, "call": callID}}
}

func errHostCallNotFound(id string) *CalldError {
	return &CalldError{http.StatusBadRequest, "host-call-not-found", "Adhoc conference creation error: host call not found",
		map[string]any{"host_call_id": id}}
}

func errHostCallCreation(msg string) *CalldError {
	return &CalldError{http.StatusBadRequest, "host-call-creation-error", msg, map[string]any{}}
}

func errHostAlreadyInConference(id string) *CalldError {
	return &CalldError{http.StatusConflict, "host-already-in-conference", "Adhoc conference creation error: host already in conference",
		map[string]any{"host_call_id": id}}
}

func errParticipantCallNotFound(id string) *CalldError {
	return &CalldError{http.StatusBadRequest, "participant-call-not-found", "Adhoc conference participant call not found",
		map[string]any{"participant_call_id": id}}
}

func errParticipantAlreadyInConference(id string) *CalldError {
	return &CalldError{http.StatusConflict, "participant-already-in-conference", "Adhoc conference error: participant already in conference",
		map[string]any{"participant_call_id": id}}
}

func errAdhocConferenceNotFound(id string) *CalldError {
	return &CalldError{http.StatusNotFound, "adhoc-conference-not-found", "Adhoc conference not found",
		map[string]any{"adhoc_conference_id": id}}
}

func errCallCreation(msg string, details map[string]any) *CalldError {
	if details == nil {
		details = map[string]any{}
	}
	return &CalldError{http.StatusBadRequest, "call-creation", msg, details}
}

func errTransferCreation(detail string) *CalldError {
	return &CalldError{http.StatusBadRequest, "transfer-creation-error", "Transfer creation error", map[string]any{"message": detail}}
}

func errTransferAlreadyStarted(callID string) *CalldError {
	return &CalldError{http.StatusConflict, "transfer-already-started", "Transfer already started with same initiator",
		map[string]any{"initiator_call": callID}}
}

func errNoSuchTransfer(id string) *CalldError {
	return &CalldError{http.StatusNotFound, "no-such-transfer", "No such transfer", map[string]any{"transfer_id": id}}
}
