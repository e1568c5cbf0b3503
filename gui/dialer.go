package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// dialer is the number entry and its Call button. Enter in the entry dials
// too. Problems with the number are shown right under it, where the agent is
// looking.
type dialer struct {
	entry  *widget.Entry
	button *widget.Button
	errors *widget.Label
	box    *fyne.Container
}

func newDialer(dial func(number string)) *dialer {
	d := &dialer{
		entry:  widget.NewEntry(),
		errors: widget.NewLabel(""),
	}
	d.entry.SetPlaceHolder("Number, extension or SIP address")
	d.entry.OnSubmitted = func(string) { d.submit(dial) }
	d.button = widget.NewButtonWithIcon("Call", theme.MediaPlayIcon(), func() { d.submit(dial) })
	d.button.Importance = widget.HighImportance
	d.errors.Importance = widget.DangerImportance
	d.errors.Wrapping = fyne.TextWrapWord
	d.errors.Hide()
	d.box = container.NewVBox(container.NewBorder(nil, nil, nil, d.button, d.entry), d.errors)
	return d
}

func (d *dialer) object() fyne.CanvasObject { return d.box }

func (d *dialer) submit(dial func(string)) {
	if d.button.Disabled() {
		return // a call is being placed; Enter pressed twice must not dial twice
	}
	d.showError("")
	dial(d.entry.Text)
}

// setBusy disables the button while a call is being placed.
func (d *dialer) setBusy(busy bool) {
	if busy {
		d.button.Disable()
	} else {
		d.button.Enable()
	}
}

func (d *dialer) clear() { d.entry.SetText("") }

// showError shows text under the entry; an empty text hides it.
func (d *dialer) showError(text string) {
	d.errors.SetText(text)
	if text == "" {
		d.errors.Hide()
	} else {
		d.errors.Show()
	}
}
