package callmodel

import (
	"errors"
	"fmt"
)

// Sentinel errors returned by the call model's Go API (the SIP side's
// calls). The calld operations return *CalldError instead.
var (
	// ErrNoSuchChannel: the channel id is unknown or already hung up.
	ErrNoSuchChannel = errors.New("wazostandin: no such channel")
	// ErrNoSuchBridge: the bridge id is unknown or already destroyed.
	ErrNoSuchBridge = errors.New("wazostandin: no such bridge")
	// ErrChannelBusy: the channel is already in a bridge.
	ErrChannelBusy = errors.New("wazostandin: channel is already bridged")
)

// HTTP statuses of calld's errors. They are plain numbers here because the
// model does not speak HTTP; the HTTP side answers with them as they are.
const (
	statusBadRequest = 400
	statusForbidden  = 403
	statusNotFound   = 404
	statusConflict   = 409
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

// InvalidDataError is calld's 400 invalid-data (a body or parameter that
// fails validation); the HTTP side uses it for what it validates itself.
func InvalidDataError(details map[string]any) *CalldError {
	if details == nil {
		details = map[string]any{}
	}
	return &CalldError{statusBadRequest, "invalid-data", "Sent data is invalid", details}
}

func errNoSuchCall(callID string) *CalldError {
	return &CalldError{statusNotFound, "no-such-call", "No such call", map[string]any{"call_id": callID}}
}

func errUserPermissionDenied(userUUID, callID string) *CalldError {
	return &CalldError{statusForbidden, "user-permission-denied", "User does not have permission to handle objects of other users",
		map[string]any{"user": userUUID, "call": callID}}
}

func errHostCallNotFound(id string) *CalldError {
	return &CalldError{statusBadRequest, "host-call-not-found", "Adhoc conference creation error: host call not found",
		map[string]any{"host_call_id": id}}
}

func errHostCallCreation(msg string) *CalldError {
	return &CalldError{statusBadRequest, "host-call-creation-error", msg, map[string]any{}}
}

func errHostAlreadyInConference(id string) *CalldError {
	return &CalldError{statusConflict, "host-already-in-conference", "Adhoc conference creation error: host already in conference",
		map[string]any{"host_call_id": id}}
}

func errParticipantCallNotFound(id string) *CalldError {
	return &CalldError{statusBadRequest, "participant-call-not-found", "Adhoc conference participant call not found",
		map[string]any{"participant_call_id": id}}
}

func errParticipantAlreadyInConference(id string) *CalldError {
	return &CalldError{statusConflict, "participant-already-in-conference", "Adhoc conference error: participant already in conference",
		map[string]any{"participant_call_id": id}}
}

func errAdhocConferenceNotFound(id string) *CalldError {
	return &CalldError{statusNotFound, "adhoc-conference-not-found", "Adhoc conference not found",
		map[string]any{"adhoc_conference_id": id}}
}

// CallCreationError is calld's 400 call-creation.
func CallCreationError(msg string, details map[string]any) *CalldError {
	if details == nil {
		details = map[string]any{}
	}
	return &CalldError{statusBadRequest, "call-creation", msg, details}
}

func errTransferCreation(detail string) *CalldError {
	return &CalldError{statusBadRequest, "transfer-creation-error", "Transfer creation error", map[string]any{"message": detail}}
}

func errTransferAlreadyStarted(callID string) *CalldError {
	return &CalldError{statusConflict, "transfer-already-started", "Transfer already started with same initiator",
		map[string]any{"initiator_call": callID}}
}

func errNoSuchTransfer(id string) *CalldError {
	return &CalldError{statusNotFound, "no-such-transfer", "No such transfer", map[string]any{"transfer_id": id}}
}
