package gui

import (
	"fyne.io/fyne/v2/lang"
)

// SignInReason says why a sign-in failed, for the window to word it in the
// user's language. The connector sets it; Problem and Next then stay the
// English text for logs and for callers without a window.
type SignInReason string

// Sign-in failures the window words itself.
const (
	ReasonWrongPassword       SignInReason = "wrong-password"
	ReasonUnreachable         SignInReason = "unreachable"
	ReasonNoWebRTCLine        SignInReason = "no-webrtc-line"
	ReasonUntrustedCert       SignInReason = "untrusted-certificate"
	ReasonChangedCert         SignInReason = "changed-certificate"
	ReasonSessionEnded        SignInReason = "session-ended"
	ReasonInvalidAccount      SignInReason = "invalid-account"
	ReasonRegistrationRefused SignInReason = "registration-refused"
)

// words is the failure as the window says it: what went wrong and what to
// do. Without a Reason, the connector's own Problem and Next.
func (e *SignInError) words() (problem, next string) {
	server := map[string]any{"Server": e.Server, "Detail": detailText(e.Detail)}
	switch e.Reason {
	case ReasonWrongPassword:
		return lang.L("Wrong login or password."),
			lang.L("Check them and try again. If you have forgotten your password, ask your administrator.")
	case ReasonUnreachable:
		if e.Detail != "" {
			return lang.L("Cannot reach {{.Server}}: {{.Detail}}.", server), lang.L("Check the server address and your network connection.")
		}
		return lang.L("Cannot reach {{.Server}}.", server), lang.L("Check the server address and your network connection.")
	case ReasonNoWebRTCLine:
		return lang.L("Your Wazo account has no WebRTC line, which Parley needs to make calls."),
			lang.L("Ask your administrator to add a line with the webrtc template to your user, then sign in again.")
	case ReasonUntrustedCert:
		return lang.L("This computer does not trust the certificate of {{.Server}}.", server),
			lang.L("Wazo servers often use their own certificate. Trust it only if the fingerprint below is the one your administrator gives you.")
	case ReasonChangedCert:
		return lang.L("The certificate of {{.Server}} has changed since you trusted it.", server),
			lang.L("Ask your administrator whether it was renewed. Trust the new one only if its fingerprint below is the one they give you.")
	case ReasonSessionEnded:
		return lang.L("Your Wazo session has ended (you signed out elsewhere, or your administrator ended it)."),
			lang.L("Enter your password to sign in again.")
	case ReasonInvalidAccount:
		return lang.L("The account settings are not complete: {{.Detail}}.", server), lang.L("Correct the account details and try again.")
	case ReasonRegistrationRefused:
		return lang.L("The server accepted your login but not the phone line: {{.Detail}}.", server),
			lang.L("Try again; if it keeps failing, tell your administrator.")
	}
	return e.Problem, e.Next
}

// detailText words the network failures the Wazo client names.
func detailText(detail string) string {
	switch detail {
	case "connection refused":
		return lang.L("connection refused")
	case "connection reset":
		return lang.L("connection reset")
	case "no route to host":
		return lang.L("no route to host")
	case "host name not found":
		return lang.L("host name not found")
	case "timed out":
		return lang.L("timed out")
	}
	return detail
}

// noKeyringNote is the sign-in window's note where passwords cannot be
// kept.
func noKeyringNote() string {
	return lang.L("There is no keyring on this computer to keep your password in: Parley asks for it each time it starts.")
}

// warningText words a warning; called when the window is built, after
// the translations are loaded.
func warningText(w Warning, cause error) string {
	reason := map[string]any{"Reason": ""}
	if cause != nil {
		reason["Reason"] = errorText(cause)
	}
	switch w {
	case WarningNoSound:
		return lang.L("No sound device works on this computer: calls will be silent. Plug in a headset or speakers and restart Parley.")
	case WarningNoHistory:
		return lang.L("Calls are not recorded in the history this time: {{.Reason}}.", reason)
	case WarningNoContacts:
		return lang.L("Your contacts could not be read this time: {{.Reason}}.", reason)
	case WarningNoLocalAPI:
		return lang.L("The local control API could not start: {{.Reason}}.", reason)
	case WarningNoPop:
		return lang.L("The screen pop is off: {{.Reason}}.", reason)
	}
	return string(w)
}
