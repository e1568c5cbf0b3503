package gui

import (
	"errors"
	"fmt"
	"fyne.io/fyne/v2/lang"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parley-voip/parley/phone"
)

// The wording the window uses for calls and errors, in one place.

// callerText is who the call is with: the SIP display name, or else the
// name the server knows the other party by (calld's peer_caller_id_name,
// which names the extension an agent dialled: "Echo Test"), and the number.
func callerText(cs phone.CallSession) string {
	name := cs.DisplayName
	if (name == "" || name == cs.Number) && cs.Call != nil {
		name = cs.Call.PeerCallerIDName
	}
	if name != "" && name != cs.Number {
		return name + " (" + cs.Number + ")"
	}
	return cs.Number
}

func statusText(cs phone.CallSession) string {
	switch cs.Status {
	case phone.StatusIncoming:
		return lang.L("Incoming call")
	case phone.StatusDialing:
		return lang.L("Calling…")
	case phone.StatusRinging:
		if cs.EarlyMedia {
			// RFC 3960: what plays is the network's (an announcement, a
			// ringback), not the person called, who has not answered.
			return lang.L("Not answered yet: sound from the network")
		}
		return lang.L("Ringing…")
	case phone.StatusEstablished:
		return lang.L("Connected")
	case phone.StatusHeld:
		return lang.L("On hold")
	case phone.StatusEnded:
		return lang.L("Ended")
	case phone.StatusFailed:
		return lang.L("Failed")
	}
	return string(cs.Status)
}

func detailsText(cs phone.CallSession, now time.Time) string {
	direction := lang.L("Outgoing")
	if !cs.IsCaller {
		direction = lang.L("Incoming")
	}
	if cs.Status == phone.StatusIncoming {
		return statusText(cs) // "Incoming · Incoming call" said it twice
	}
	text := direction
	if cs.Status != phone.StatusHeld { // the row's badge says "On hold"
		text += " · " + statusText(cs)
	}
	if cs.Answered {
		text += " · " + durationText(cs.Duration(now))
	}
	return text
}

// durationText is m:ss, or h:mm:ss for long calls.
func durationText(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s < 0 {
		s = 0
	}
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func endedText(cs phone.CallSession, reason string) string {
	if reason == "" {
		reason = cs.EndReason
	}
	data := map[string]any{"Caller": callerText(cs), "Reason": reasonText(strings.TrimSuffix(reason, "."))}
	switch {
	case cs.Status == phone.StatusFailed && reason == "":
		return lang.L("Call with {{.Caller}} did not connect.", data)
	case cs.Status == phone.StatusFailed:
		return lang.L("Call with {{.Caller}} did not connect: {{.Reason}}.", data)
	case reason == "":
		return lang.L("Call with {{.Caller}} ended.", data)
	}
	return lang.L("Call with {{.Caller}} ended: {{.Reason}}.", data)
}

// reasonText translates the engine's usual end reasons (phone/, in
// English); others, such as a server's own words, stay as they are.
func reasonText(reason string) string {
	switch reason {
	case "you hung up":
		return lang.L("you hung up")
	case "the other party hung up":
		return lang.L("the other party hung up")
	case "you declined the call":
		return lang.L("you declined the call")
	case "the number does not exist":
		return lang.L("the number does not exist")
	case "the person is not available right now":
		return lang.L("the person is not available right now")
	case "the line is busy":
		return lang.L("the line is busy")
	case "the call was cancelled":
		return lang.L("the call was cancelled")
	case "the call was cancelled before it was answered":
		return lang.L("the call was cancelled before it was answered")
	case "the server refused the call (not allowed)":
		return lang.L("the server refused the call (not allowed)")
	case "the server refused our credentials for this call":
		return lang.L("the server refused our credentials for this call")
	case "nobody answered", "nobody answered in time":
		return lang.L("nobody answered")
	case "the number is incomplete":
		return lang.L("the number is incomplete")
	case "the far end cannot accept the audio settings of this call":
		return lang.L("the far end cannot accept the audio settings of this call")
	case "the server is unavailable":
		return lang.L("the server is unavailable")
	case "the call was declined":
		return lang.L("the call was declined")
	case "the call was transferred":
		return lang.L("the call was transferred")
	}
	if to, ok := strings.CutPrefix(reason, "the call was transferred to "); ok {
		return lang.L("the call was transferred to {{.Number}}", map[string]any{"Number": to})
	}
	return reason
}

func failureText(action string, err error) string {
	return lang.L("Could not {{.Action}}: {{.Reason}}.", map[string]any{"Action": action, "Reason": lowerFirst(strings.TrimSuffix(err.Error(), "."))})
}

func dialErrorText(err error) string {
	if errors.Is(err, phone.ErrInvalidNumber) {
		detail := strings.TrimPrefix(err.Error(), phone.ErrInvalidNumber.Error()+": ")
		return lang.L("That number cannot be dialled: {{.Reason}}.", map[string]any{"Reason": strings.TrimSuffix(detail, ".")})
	}
	return failureText(lang.L("place the call"), err)
}

func lowerFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || (size < len(s) && unicode.IsUpper(rune(s[size]))) {
		return s // keep acronyms ("SIP …") as they are
	}
	return string(unicode.ToLower(r)) + s[size:]
}
