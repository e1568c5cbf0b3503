package gui

import (
	"fyne.io/fyne/v2"
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
	l := widget.NewLabel("Not registered")
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
		return "Registered as " + reg.AOR, widget.SuccessImportance
	case phone.RegDirect:
		// Set up not to register: that is no fault, and calls still work.
		return "Ready: " + reg.AOR + " takes calls sent to this computer (not registering)", widget.SuccessImportance
	case phone.RegRegistering:
		return "Registering…", widget.MediumImportance
	case phone.RegFailed:
		reason := reg.Reason
		if reason == "" {
			reason = "the server did not accept the registration"
		}
		return "Not registered: " + reason + " (retrying)", widget.DangerImportance
	}
	if reg.Reason != "" {
		return "Not registered: " + reg.Reason, widget.DangerImportance
	}
	return "Not registered", widget.DangerImportance
}
