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
	code := cs.EndReasonCode
	if reason == "" {
		reason = cs.EndReason
	}
	reason = strings.TrimSuffix(reason, ".")
	data := map[string]any{"Caller": callerText(cs), "Reason": endReasonText(code, cs.SIPStatus, reason)}
	if code == phone.ReasonTransferred && cs.TransferredTo != "" {
		data["Reason"] = lang.L("the call was transferred to {{.Target}}", map[string]any{"Target": cs.TransferredTo})
	}
	switch {
	case cs.Status == phone.StatusFailed && reason == "" && code == "":
		return lang.L("Call with {{.Caller}} did not connect.", data)
	case cs.Status == phone.StatusFailed:
		return lang.L("Call with {{.Caller}} did not connect: {{.Reason}}.", data)
	case reason == "" && code == "":
		return lang.L("Call with {{.Caller}} ended.", data)
	}
	return lang.L("Call with {{.Caller}} ended: {{.Reason}}.", data)
}

func failureText(action string, err error) string {
	return lang.L("Could not {{.Action}}: {{.Reason}}.", map[string]any{"Action": action, "Reason": errorText(err)})
}

func dialErrorText(err error) string {
	if errors.Is(err, phone.ErrInvalidNumber) {
		return lang.L("That number cannot be dialled: {{.Reason}}.", map[string]any{"Reason": errorText(err)})
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
