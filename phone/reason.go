package phone

import (
	"errors"

	"github.com/parley-voip/parley/internal/sipua"
)

// ReasonCode says in one stable word why a call ended or failed, or why
// registration failed. Front ends word it in the user's language; the
// English sentence beside it (Event.Reason, CallSession.EndReason,
// Registration.Reason) stays for logs, headless mode and scripts, and
// carries details (a server's reason phrase, a Go error) the code does not.
type ReasonCode string

// Reasons a call ends or fails, or a registration fails. A code a front end
// does not know should be shown through the English sentence, so new codes
// never hide a reason.
const (
	ReasonLocalHangup       ReasonCode = "local_hangup"       // you hung up
	ReasonRemoteHangup      ReasonCode = "remote_hangup"      // the other party hung up
	ReasonDeclinedByUser    ReasonCode = "declined_by_user"   // you declined the incoming call
	ReasonCallerCancelled   ReasonCode = "caller_cancelled"   // the caller hung up before the answer
	ReasonAnsweredElsewhere ReasonCode = "answered_elsewhere" // another device of the line answered
	ReasonTransferred       ReasonCode = "transferred"        // the call went to someone else
	ReasonShuttingDown      ReasonCode = "shutting_down"      // the phone was closing
	ReasonNoAck             ReasonCode = "no_ack"             // the caller's phone never confirmed our answer (RFC 3261 §13.3.1.4)
	ReasonIncompatibleAudio ReasonCode = "incompatible_audio" // no common codec or unusable SDP (488/606)
	ReasonNoAudioAnswer     ReasonCode = "no_audio_answer"    // late offer: no SDP came back in the ACK (RFC 3261 §13.2.1)
	ReasonMediaFailed       ReasonCode = "media_failed"       // ICE/DTLS or the sound device failed
	ReasonNotFound          ReasonCode = "not_found"          // 404, 604
	ReasonUnavailable       ReasonCode = "unavailable"        // 480
	ReasonBusy              ReasonCode = "busy"               // 486, 600
	ReasonCancelled         ReasonCode = "cancelled"          // 487, or cancelled by us before the answer
	ReasonForbidden         ReasonCode = "forbidden"          // 403
	ReasonCredentials       ReasonCode = "credentials"        // 401/407 on a call, or a registration refused
	ReasonNoAnswer          ReasonCode = "no_answer"          // 408, or nobody answered in time
	ReasonIncomplete        ReasonCode = "incomplete_number"  // 484
	ReasonServerUnavailable ReasonCode = "server_unavailable" // 503
	ReasonDeclined          ReasonCode = "declined"           // 603 from the far end
	ReasonRedirected        ReasonCode = "redirected"         // a 3xx not followed, or a redirect loop
	ReasonSIPStatus         ReasonCode = "sip_status"         // another final status: see Code and the sentence
	ReasonUnreachable       ReasonCode = "unreachable"        // the server could not be reached
	ReasonFlowLost          ReasonCode = "flow_lost"          // the server stopped answering keep-alives (RFC 5626 §4.4)
	ReasonError             ReasonCode = "error"              // anything else: the sentence has the detail
)

// ReasonCodes lists every code, for front ends that check they word each.
func ReasonCodes() []ReasonCode {
	return []ReasonCode{
		ReasonLocalHangup, ReasonRemoteHangup, ReasonDeclinedByUser, ReasonCallerCancelled,
		ReasonAnsweredElsewhere, ReasonTransferred, ReasonShuttingDown, ReasonNoAck,
		ReasonIncompatibleAudio, ReasonNoAudioAnswer, ReasonMediaFailed, ReasonNotFound,
		ReasonUnavailable, ReasonBusy, ReasonCancelled, ReasonForbidden, ReasonCredentials,
		ReasonNoAnswer, ReasonIncomplete, ReasonServerUnavailable, ReasonDeclined,
		ReasonRedirected, ReasonSIPStatus, ReasonUnreachable, ReasonFlowLost, ReasonError,
	}
}

// SIPStatusOf reports the final SIP response behind err, if there is one
// (a refused hold, transfer or call), so a front end can word it itself.
func SIPStatusOf(err error) (code int, phrase string, ok bool) {
	var se *sipua.StatusError
	if errors.As(err, &se) {
		return se.Code, se.Reason, true
	}
	return 0, "", false
}

// StatusReason is the code for a final SIP response (RFC 3261 §21).
func StatusReason(code int) ReasonCode { return statusReason(code) }

func statusReason(code int) ReasonCode {
	switch {
	case code == 404 || code == 604:
		return ReasonNotFound
	case code == 480:
		return ReasonUnavailable
	case code == 486 || code == 600:
		return ReasonBusy
	case code == 487:
		return ReasonCancelled
	case code == 403:
		return ReasonForbidden
	case code == 401 || code == 407:
		return ReasonCredentials
	case code == 408:
		return ReasonNoAnswer
	case code == 484:
		return ReasonIncomplete
	case code == 488 || code == 606:
		return ReasonIncompatibleAudio
	case code == 503:
		return ReasonServerUnavailable
	case code == 603:
		return ReasonDeclined
	case code >= 300 && code < 400:
		return ReasonRedirected
	}
	return ReasonSIPStatus
}

// dialogEndReason is the code for a dialog ended by a final status (a BYE
// answered with an error, a session timer, a 2xx never ACKed…).
func dialogEndReason(code int) ReasonCode {
	if code >= 300 {
		return statusReason(code)
	}
	return ReasonError
}

// errorReason is the code for an error that is not a SIP response.
func errorReason(err error) ReasonCode {
	var se *sipua.StatusError
	switch {
	case errors.As(err, &se):
		return statusReason(se.Code)
	case errors.Is(err, sipua.ErrAuthFailed), errors.Is(err, ErrAuthFailed):
		return ReasonCredentials
	case errors.Is(err, sipua.ErrUnreachable), errors.Is(err, ErrUnreachable):
		return ReasonUnreachable
	case errors.Is(err, sipua.ErrFlowLost):
		return ReasonFlowLost
	}
	return ReasonError
}
