package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/phone"
)

// registrationLine tells the agent whether the phone can take calls. Trouble
// is shown in the theme's error colour, because an agent who is not
// registered silently misses every call.
type registrationLine struct {
	label *widget.Label
}

func newRegistrationLine() *registrationLine {
	l := widget.NewLabel(lang.L("Not registered"))
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.DangerImportance
	return &registrationLine{label: l}
}

func (r *registrationLine) object() fyne.CanvasObject { return r.label }

func (r *registrationLine) update(reg phone.Registration) {
	text, importance := registrationText(reg)
	if r.label.Text == text && r.label.Importance == importance {
		return
	}
	r.label.Importance = importance
	r.label.SetText(text)
}

func registrationText(reg phone.Registration) (string, widget.Importance) {
	switch reg.State {
	case phone.RegRegistered:
		return lang.L("Registered as {{.Address}}", map[string]any{"Address": reg.AOR}), widget.SuccessImportance
	case phone.RegDirect:
		// Set up not to register: that is no fault, and calls still work.
		return lang.L("Ready: {{.Address}} takes calls sent to this computer (not registering)", map[string]any{"Address": reg.AOR}), widget.SuccessImportance
	case phone.RegRegistering:
		return lang.L("Registering…"), widget.MediumImportance
	case phone.RegFailed:
		reason := lang.L("the server did not accept the registration")
		if reg.Reason != "" || reg.ReasonCode != "" {
			reason = registrationReasonText(reg)
		}
		return lang.L("Not registered: {{.Reason}} (retrying)", map[string]any{"Reason": reason}), widget.DangerImportance
	}
	if reg.Reason != "" || reg.ReasonCode != "" {
		return lang.L("Not registered: {{.Reason}}", map[string]any{"Reason": registrationReasonText(reg)}), widget.DangerImportance
	}
	return lang.L("Not registered"), widget.DangerImportance
}

// registrationReasonText words why the registrar refused us or could not
// be reached; the engine's sentence is the fallback (endReasonText).
func registrationReasonText(reg phone.Registration) string {
	switch reg.ReasonCode {
	case phone.ReasonCredentials:
		return lang.L("the server rejected the username or password")
	case phone.ReasonForbidden:
		return lang.L("the server does not allow this account to register")
	case phone.ReasonNotFound:
		return lang.L("the server does not know this account")
	case phone.ReasonSIPStatus, phone.ReasonServerUnavailable:
		if reg.Code != 0 {
			return lang.L("the server refused it (SIP {{.Code}})", map[string]any{"Code": reg.Code})
		}
	}
	return endReasonText(reg.ReasonCode, reg.Code, reg.Reason)
}
