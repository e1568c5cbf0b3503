package gui

import (
	"context"
	"errors"
	"net"
	"strings"
	"unicode"

	"fyne.io/fyne/v2/lang"

	"github.com/parley-voip/parley/conference"
	"github.com/parley-voip/parley/desk"
	"github.com/parley-voip/parley/phone"
)

// The engine says why something failed twice: a code or a sentinel error
// the window words here in the user's language, and an English sentence
// for logs and scripts. The sentence is shown only as a technical detail,
// inside a sentence of the user's language, when no code or sentinel says
// more (a Go error, a server's own words).

// endReasonText words why a call ended or failed (phone.ReasonCode). sip is
// the call's last SIP status; english the engine's sentence, used for
// codes this window does not know and for entries older than the codes.
func endReasonText(code phone.ReasonCode, sip int, english string) string {
	english = strings.TrimSuffix(english, ".")
	if text, ok := reasonCodeText(code, sip); ok {
		return text
	}
	if text, ok := englishReasonText(english); ok {
		return text
	}
	switch {
	case english == "":
		return lang.L("no reason was given")
	case code == "":
		// Written before the codes (an old history entry) or by a
		// producer without them: the sentence is all there is.
		return english
	}
	return technicalText(english)
}

// reasonCodeText is the wording of each code; ok is false for
// phone.ReasonError, an empty code and codes added after this window.
func reasonCodeText(code phone.ReasonCode, sip int) (string, bool) {
	switch code {
	case phone.ReasonLocalHangup:
		return lang.L("you hung up"), true
	case phone.ReasonRemoteHangup:
		return lang.L("the other party hung up"), true
	case phone.ReasonDeclinedByUser:
		return lang.L("you declined the call"), true
	case phone.ReasonCallerCancelled:
		return lang.L("the caller hung up before the call was answered"), true
	case phone.ReasonAnsweredElsewhere:
		return lang.L("the call was answered on another device"), true
	case phone.ReasonTransferred:
		return lang.L("the call was transferred"), true
	case phone.ReasonShuttingDown:
		return lang.L("Parley was closing"), true
	case phone.ReasonNoAck:
		return lang.L("the caller's phone never confirmed the answer, so the call was ended"), true
	case phone.ReasonIncompatibleAudio:
		return lang.L("the far end cannot accept the audio settings of this call"), true
	case phone.ReasonNoAudioAnswer:
		return lang.L("the other phone sent no audio settings in reply to ours, so the call was ended"), true
	case phone.ReasonMediaFailed:
		return lang.L("the audio connection could not be established"), true
	case phone.ReasonNotFound:
		return lang.L("the number does not exist"), true
	case phone.ReasonUnavailable:
		return lang.L("the person is not available right now"), true
	case phone.ReasonBusy:
		return lang.L("the line is busy"), true
	case phone.ReasonCancelled:
		return lang.L("the call was cancelled before it was answered"), true
	case phone.ReasonForbidden:
		return lang.L("the server refused the call (not allowed)"), true
	case phone.ReasonCredentials:
		return lang.L("the server refused our credentials"), true
	case phone.ReasonNoAnswer:
		return lang.L("nobody answered"), true
	case phone.ReasonIncomplete:
		return lang.L("the number is incomplete"), true
	case phone.ReasonServerUnavailable:
		return lang.L("the server is unavailable"), true
	case phone.ReasonDeclined:
		return lang.L("the call was declined"), true
	case phone.ReasonRedirected:
		return lang.L("the call was redirected elsewhere and could not follow"), true
	case phone.ReasonUnreachable:
		return lang.L("the server cannot be reached"), true
	case phone.ReasonFlowLost:
		return lang.L("the server stopped answering: the connection to it was lost"), true
	case phone.ReasonSIPStatus:
		if sip != 0 {
			return lang.L("the call failed with SIP status {{.Code}}", map[string]any{"Code": sip}), true
		}
	}
	return "", false
}

// englishReasonText words the engine's sentences of entries written before
// the codes existed (the call history keeps them).
func englishReasonText(english string) (string, bool) {
	codes := map[string]phone.ReasonCode{
		"you hung up":                                               phone.ReasonLocalHangup,
		"the other party hung up":                                   phone.ReasonRemoteHangup,
		"you declined the call":                                     phone.ReasonDeclinedByUser,
		"the number does not exist":                                 phone.ReasonNotFound,
		"the line is busy":                                          phone.ReasonBusy,
		"the call was cancelled":                                    phone.ReasonCancelled,
		"nobody answered":                                           phone.ReasonNoAnswer,
		"nobody answered in time":                                   phone.ReasonNoAnswer,
		"the number is incomplete":                                  phone.ReasonIncomplete,
		"the server is unavailable":                                 phone.ReasonServerUnavailable,
		"the call was declined":                                     phone.ReasonDeclined,
		"the call was transferred":                                  phone.ReasonTransferred,
		"the person is not available right now":                     phone.ReasonUnavailable,
		"the call was cancelled before it was answered":             phone.ReasonCancelled,
		"the caller hung up before the call was answered":           phone.ReasonCallerCancelled,
		"the call was answered on another device":                   phone.ReasonAnsweredElsewhere,
		"the server refused the call (not allowed)":                 phone.ReasonForbidden,
		"the server refused our credentials for this call":          phone.ReasonCredentials,
		"the far end cannot accept the audio settings of this call": phone.ReasonIncompatibleAudio,
	}
	if code, ok := codes[english]; ok {
		return reasonCodeText(code, 0)
	}
	return "", false
}

// errorText words an error an engine operation returned, lower-case and
// without a final stop, to complete "Could not …: ".
func errorText(err error) string {
	if err == nil {
		return ""
	}
	if text, ok := sentinelText(err); ok {
		return text
	}
	if code, _, ok := phone.SIPStatusOf(err); ok {
		if text, ok := reasonCodeText(phone.StatusReason(code), code); ok && phone.StatusReason(code) != phone.ReasonSIPStatus {
			return lang.L("{{.Reason}} (SIP {{.Code}})", map[string]any{"Reason": text, "Code": code})
		}
		return lang.L("the server refused it (SIP {{.Code}})", map[string]any{"Code": code})
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return lang.L("there was no answer in time")
	case errors.Is(err, context.Canceled):
		return lang.L("it was cancelled")
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return lang.L("the network connection failed ({{.Detail}})", map[string]any{"Detail": lowerFirst(strings.TrimSuffix(err.Error(), "."))})
	}
	return technicalText(err.Error())
}

// sentinelText words the engine's sentinel errors. The conference ones
// come first: they wrap the phone's.
func sentinelText(err error) (string, bool) {
	for _, s := range []struct {
		err  error
		text func() string
	}{
		{conference.ErrServerLostCall, func() string {
			return lang.L("the server no longer knows the call you are on; it may have just ended")
		}},
		{conference.ErrCallDisconnected, func() string { return lang.L("the call you are on is not connected to anyone any more") }},
		{conference.ErrOtherCallGone, func() string {
			return lang.L("one of the other calls has ended or is no longer connected to you")
		}},
		{conference.ErrAlreadyConference, func() string { return lang.L("the call you are on is already part of a conference") }},
		{conference.ErrAlreadyParticipant, func() string { return lang.L("that person is already in the conference") }},
		{conference.ErrEndedOnServer, func() string { return lang.L("the conference has already ended on the server") }},
		{conference.ErrRequestRefused, func() string {
			return lang.L("the server did not accept the request (the calls may have changed); try again")
		}},
		{conference.ErrNotAllowed, func() string {
			return lang.L("your Wazo account is not allowed to make conferences; ask your administrator")
		}},
		{conference.ErrSessionExpired, func() string { return lang.L("your Wazo session has expired; please sign in again") }},
		{conference.ErrTelephonyDown, func() string {
			return lang.L("the telephony service is temporarily unavailable; try again in a moment")
		}},
		{conference.ErrTelephonyError, func() string {
			return lang.L("the telephony service reported an error; try again in a moment")
		}},
		{conference.ErrServerBusy, func() string { return lang.L("the server is temporarily unavailable; try again in a moment") }},
		{conference.ErrServerUnreachable, func() string { return lang.L("the Wazo server cannot be reached; check the network") }},
		{conference.ErrNotReady, func() string {
			return lang.L("the server has not said who this call is connected to yet; try again in a moment")
		}},
		{conference.ErrNoCalls, func() string { return lang.L("choose at least one other call to bring into the conference") }},
		{conference.ErrNoSuchCall, func() string { return lang.L("that call is not open on this phone") }},
		{conference.ErrHostNotConnected, func() string { return lang.L("the call to host the conference is not connected") }},
		{conference.ErrNotInConf, func() string { return lang.L("that party is not in the conference") }},
		{conference.ErrFinished, func() string { return lang.L("the conference is already over") }},
		{conference.ErrNoSuchConf, func() string { return lang.L("there is no such conference") }},
		{conference.ErrAmbiguous, func() string { return lang.L("several conferences are running; say which one") }},
		{conference.ErrNoneRunning, func() string { return lang.L("no conference is running") }},
		{conference.ErrClosed, func() string { return lang.L("conferences are no longer available: the line was closed") }},
		{conference.ErrLocalBusy, func() string {
			return lang.L("a conference is already running on this line; add the call to it instead")
		}},
		{conference.ErrNotAnswered, func() string { return lang.L("that call has not been answered yet") }},
		{conference.ErrTooFewCalls, func() string { return lang.L("two connected calls are needed to make a conference") }},
		{desk.ErrNoVoicemail, func() string { return lang.L("you have no voicemail box") }},
		{desk.ErrRecordingUnknownCall, func() string { return lang.L("the server does not know this call yet") }},
		{desk.ErrNotRecording, func() string { return lang.L("this call is not being recorded") }},
		{desk.ErrNoAgent, func() string { return lang.L("this account has no agent") }},
		{desk.ErrAgentLoggedIn, func() string { return lang.L("the agent is already logged in") }},
		{desk.ErrAgentLoggedOut, func() string { return lang.L("the agent is not logged in") }},
		{desk.ErrAgentLine, func() string { return lang.L("the agent cannot be logged in on this line") }},
		{desk.ErrPauseReasonTooLong, func() string { return lang.L("the pause reason is too long (80 characters at most)") }},
		{desk.ErrAgentClosed, func() string { return lang.L("the agent session is closed") }},
		{desk.ErrCallNotOnServer, func() string {
			return lang.L("the server does not know this call yet; try again in a moment")
		}},
		{desk.ErrTransferTarget, func() string { return lang.L("that number cannot be reached from your line") }},
		{desk.ErrAlreadyTransferring, func() string { return lang.L("this call is already being transferred") }},
		{desk.ErrNotFavouritable, func() string {
			return lang.L("this contact cannot be a favourite: its directory gives it no identifier")
		}},
		{desk.ErrNoAnswer, func() string { return lang.L("the server did not answer in time") }},
		{phone.ErrInvalidNumber, func() string { return invalidNumberText(err) }},
		{phone.ErrNoSuchCall, func() string { return lang.L("that call is over") }},
		{phone.ErrWrongState, func() string { return lang.L("the call is not in a state that allows this") }},
		{phone.ErrNotConnected, func() string { return lang.L("the phone is not connected") }},
		{phone.ErrAlreadyStarted, func() string { return lang.L("the phone is already connected") }},
		{phone.ErrAuthFailed, func() string { return lang.L("the server rejected the username or password") }},
		{phone.ErrUnreachable, func() string {
			return withDetail(lang.L("the server cannot be reached"), err, phone.ErrUnreachable)
		}},
		{phone.ErrInvalidAccount, func() string { return lang.L("the account settings are incomplete or invalid") }},
		{phone.ErrMediaFailed, func() string {
			return withDetail(lang.L("the audio connection could not be established"), err, phone.ErrMediaFailed)
		}},
		{phone.ErrDTMFUnavailable, func() string { return lang.L("tones cannot be sent on this call") }},
		{phone.ErrClosed, func() string { return lang.L("the phone has been shut down") }},
	} {
		if errors.Is(err, s.err) {
			return s.text(), true
		}
	}
	return "", false
}

// withDetail adds what the engine said after sentinel's own words, when
// it said more: "no microphone" matters to the agent who reads it.
func withDetail(text string, err, sentinel error) string {
	detail, found := strings.CutPrefix(err.Error(), sentinel.Error()+": ")
	detail = strings.Trim(strings.TrimSpace(detail), ".()")
	if !found || detail == "" {
		return text
	}
	return lang.L("{{.Reason}} ({{.Detail}})", map[string]any{"Reason": text, "Detail": detail})
}

// invalidNumberText words why a number cannot be dialled.
func invalidNumberText(err error) string {
	var ne *phone.NumberError
	if !errors.As(err, &ne) {
		return lang.L("it is not a number that can be dialled")
	}
	char := map[string]any{"Character": string(ne.Character)}
	space := unicode.IsSpace(ne.Character)
	switch ne.Problem {
	case phone.NumberEmpty:
		return lang.L("the number is empty")
	case phone.NumberTooLong:
		return lang.L("it is too long for a number")
	case phone.NumberLineBreak:
		return lang.L("it contains a line break")
	case phone.NumberControlCharacter:
		return lang.L("it contains an invisible control character")
	case phone.NumberBadCharacter:
		if space {
			return lang.L("a space is not allowed in a number")
		}
		return lang.L("“{{.Character}}” is not allowed in a number", char)
	case phone.NumberNoDigits:
		return lang.L("it has no digits")
	case phone.ExtensionBadCharacter:
		if space {
			return lang.L("a space is not allowed in an extension")
		}
		return lang.L("“{{.Character}}” is not allowed in an extension", char)
	case phone.AddressBadCharacter:
		return lang.L("a SIP address cannot contain spaces, quotes or angle brackets")
	case phone.AddressNoHost:
		return lang.L("the SIP address has no host")
	case phone.AddressNoUser:
		return lang.L("the SIP address has no user")
	}
	return lang.L("it is not a number that can be dialled")
}

// causeText words why a service that wraps its failures in wrapper (the
// directory, the server's call log) failed: the cause, without the
// wrapper's own sentence, which the window has already said.
func causeText(err, wrapper error) string {
	if errors.Is(err, desk.ErrNoAnswer) {
		return lang.L("the server did not answer in time")
	}
	if text, ok := sentinelText(err); ok {
		return text
	}
	if _, _, ok := phone.SIPStatusOf(err); ok {
		return errorText(err)
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return errorText(err)
	}
	detail, _ := strings.CutPrefix(err.Error(), wrapper.Error()+": ")
	return technicalText(detail)
}

// technicalText shows an English detail the window cannot word (a Go
// error, a server's own words) inside a sentence of the user's language.
func technicalText(detail string) string {
	detail = strings.TrimSuffix(strings.TrimSpace(detail), ".")
	return lang.L("something went wrong (technical detail: {{.Detail}})", map[string]any{"Detail": detail})
}
