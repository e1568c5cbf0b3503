package wazo

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Sentinel errors. Every error returned by this package wraps one of them
// (errors.Is). Their text is a plain sentence an agent can read.
var (
	// Transport / auth.
	ErrUnreachable          = errors.New("cannot reach the Wazo server")
	ErrCertificateMismatch  = errors.New("the Wazo server's certificate does not match the pinned certificate")
	ErrAuthenticationFailed = errors.New("wrong username or password")
	ErrSessionExpired       = errors.New("your Wazo session has expired; please log in again")
	ErrNotLoggedIn          = errors.New("not logged in to Wazo")
	ErrClosed               = errors.New("the Wazo client was closed")
	ErrBadResponse          = errors.New("the Wazo server sent an answer this client does not understand")
	// ErrHeartbeatTimeout ends an event socket whose server stopped
	// answering pings: the connection is dead even though it never closed.
	ErrHeartbeatTimeout = errors.New("the Wazo event connection stopped answering")

	// confd.
	ErrNoWebRTCLine = errors.New("this Wazo user has no WebRTC line; ask your administrator to add one with the webrtc template")
	ErrNotFound     = errors.New("the requested Wazo resource does not exist")

	// calld error_ids (protocol docs/wazo-protocol.md, Calls API, xivo rest helpers, calld exceptions).
	ErrInvalidData                    = errors.New("the Wazo server rejected the request data")
	ErrUnauthorized                   = errors.New("the Wazo server refused the request: not authorized")
	ErrUserPermissionDenied           = errors.New("that call belongs to another user")
	ErrNoSuchCall                     = errors.New("that call no longer exists")
	ErrCallCreation                   = errors.New("the call could not be placed")
	ErrHostCallNotFound               = errors.New("the conference host call was not found")
	ErrHostCallCreation               = errors.New("the conference could not be started from that call")
	ErrParticipantCallNotFound        = errors.New("that participant's call was not found or is not connected to you")
	ErrHostAlreadyInConference        = errors.New("that call is already in a conference")
	ErrParticipantAlreadyInConference = errors.New("that participant is already in the conference")
	ErrAdhocConferenceNotFound        = errors.New("the conference no longer exists")
	ErrTransferCreation               = errors.New("the transfer could not be started")
	ErrTransferAlreadyStarted         = errors.New("a transfer is already in progress for that call")
	ErrTooManyTransferCandidates      = errors.New("the transfer is ambiguous: the call talks to several parties")
	ErrNoSuchTransfer                 = errors.New("that transfer no longer exists")
	ErrTransferCompletion             = errors.New("the transfer could not be completed")
	ErrTransferCancellation           = errors.New("the transfer could not be cancelled")
	ErrInvalidExtension               = errors.New("that number cannot be dialled from your line")
	ErrAsteriskUnreachable            = errors.New("the Wazo telephony engine is unreachable")
	ErrAsteriskError                  = errors.New("the Wazo telephony engine reported an error")
	ErrAuthServerUnreachable          = errors.New("the Wazo authentication service is unreachable")
	ErrRecordingUnauthorized          = errors.New("the Wazo server does not let you record your calls (ask your administrator to allow call recording for your user)")
	ErrRecordingNotStarted            = errors.New("this call is not being recorded")
	ErrRecordingPause                 = errors.New("the Wazo server could not pause the recording")
	ErrNoVoicemail                    = errors.New("you have no voicemail box on this Wazo server")
	ErrNoSuchVoicemailMessage         = errors.New("that voicemail message no longer exists")
	ErrNoSuchVoicemailFolder          = errors.New("that voicemail folder does not exist")
	ErrServer                         = errors.New("the Wazo server had an internal problem")
	ErrRequestFailed                  = errors.New("the Wazo server refused the request")
)

// errorIDs maps calld/confd error_id values to sentinels.
var errorIDs = map[string]error{
	"invalid-data":                      ErrInvalidData,
	"unauthorized":                      ErrUnauthorized,
	"user-permission-denied":            ErrUserPermissionDenied,
	"no-such-call":                      ErrNoSuchCall,
	"call-creation":                     ErrCallCreation,
	"host-call-not-found":               ErrHostCallNotFound,
	"host-call-creation-error":          ErrHostCallCreation,
	"participant-call-not-found":        ErrParticipantCallNotFound,
	"host-already-in-conference":        ErrHostAlreadyInConference,
	"participant-already-in-conference": ErrParticipantAlreadyInConference,
	"adhoc-conference-not-found":        ErrAdhocConferenceNotFound,
	"transfer-creation-error":           ErrTransferCreation,
	"transfer-already-started":          ErrTransferAlreadyStarted,
	"too-many-transferred-candidates":   ErrTooManyTransferCandidates,
	"no-such-transfer":                  ErrNoSuchTransfer,
	"transfer-completion-error":         ErrTransferCompletion,
	"transfer-cancellation-error":       ErrTransferCancellation,
	"invalid-extension":                 ErrInvalidExtension,
	"asterisk-ari-unreachable":          ErrAsteriskUnreachable,
	"asterisk-ari-error":                ErrAsteriskError,
	"asterisk-ari-not-initialized":      ErrAsteriskUnreachable,
	"authentication-server-unreachable": ErrAuthServerUnreachable,
	"recording-unauthorized":            ErrRecordingUnauthorized,
	"recording-not-started":             ErrRecordingNotStarted,
	"recording-pause-error":             ErrRecordingPause,
	"no-such-user-voicemail":            ErrNoVoicemail,
	"no-such-voicemail-message":         ErrNoSuchVoicemailMessage,
	"invalid-voicemail-message-id":      ErrNoSuchVoicemailMessage,
	"no-such-voicemail-folder":          ErrNoSuchVoicemailFolder,
	"invalid-voicemail-folder-id":       ErrNoSuchVoicemailFolder,
}

// APIError is an error answer from a Wazo service. Body shapes: calld/confd
// {"message","error_id","details","timestamp"} (docs/wazo-protocol.md, Calls API); wazo-auth
// {"reason":[…],"timestamp":[…],"status_code"} (docs/wazo-protocol.md, Authentication); confd 404 a list of
// strings. errors.Is(err, ErrHostCallNotFound) etc. match through Unwrap.
type APIError struct {
	Status  int
	ErrorID string
	Message string
	Details map[string]any
	Reason  []string // wazo-auth "reason"
	Method  string
	Path    string
	kind    error
}

// Error is a plain sentence, e.g. "the conference host call was not found
// (Wazo said: Adhoc conference creation error: host call not found)".
func (e *APIError) Error() string {
	if e.kind == ErrAuthenticationFailed || e.kind == ErrSessionExpired {
		return e.kind.Error() // the server text ("Authentication Failed") adds nothing
	}
	if acl := e.MissingPermission(); acl != "" {
		return fmt.Sprintf("your Wazo user is not allowed to do this (it lacks the permission %s); ask your administrator to grant it", acl)
	}
	msg := e.Message
	if msg == "" && len(e.Reason) > 0 {
		msg = strings.Join(e.Reason, "; ")
	}
	if msg == "" || strings.EqualFold(msg, e.kind.Error()) {
		return e.kind.Error()
	}
	return fmt.Sprintf("%s (Wazo said: %s)", e.kind, msg)
}

// MissingPermission is the ACL a 401 says the token lacks, or "". The body
// is xivo's MissingPermissionsTokenAPIException: details {invalid_token,
// reason "missing_permission_or_invalid_tenant", required_access,
// tenant_uuid} (xivo-lib-python xivo/http_exceptions.py).
func (e *APIError) MissingPermission() string {
	if e.Status != http.StatusUnauthorized || e.Details["reason"] != "missing_permission_or_invalid_tenant" {
		return ""
	}
	acl, _ := e.Details["required_access"].(string)
	return acl
}

// Unwrap returns the sentinel (ErrNoSuchCall, ErrUnauthorized …).
func (e *APIError) Unwrap() error { return e.kind }

// kindFor picks the sentinel for an error answer.
func kindFor(status int, errorID string) error {
	if k, ok := errorIDs[errorID]; ok {
		return k
	}
	switch {
	case status == http.StatusUnauthorized:
		return ErrUnauthorized
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusBadRequest:
		return ErrInvalidData
	case status >= 500:
		return ErrServer
	}
	return ErrRequestFailed
}
