package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// dialer is the number entry, its Call button and the dial pad (which the
// window places with the other panels that may grow). Enter in
// the entry dials too. Problems with the number are shown right under it,
// where the agent is looking, and so are the tones sent to a call.
type dialer struct {
	entry  *numberEntry
	button *widget.Button
	keypad *widget.Button // shows or hides the pad
	pad    *dialPad
	errors *widget.Label
	box    *fyne.Container
}

const (
	placeholderIdle    = "Number, extension or SIP address"
	placeholderTalking = "Digits go to the call as tones"
)

// newDialer builds the dialler; press handles a dial pad key (a tone in a
// call, a digit otherwise) and tone a digit typed in the entry.
func newDialer(dial func(number string), press func(r rune), tone func(r rune) bool) *dialer {
	d := &dialer{
		entry:  newNumberEntry(),
		errors: widget.NewLabel(""),
		pad:    newDialPad(press),
	}
	d.entry.tone = tone
	d.entry.SetPlaceHolder(lang.L(placeholderIdle))
	d.entry.OnSubmitted = func(string) { d.submit(dial) }
	d.button = widget.NewButtonWithIcon(lang.L("Call"), theme.MediaPlayIcon(), func() { d.submit(dial) })
	d.button.Importance = widget.HighImportance
	d.keypad = widget.NewButtonWithIcon("", theme.GridIcon(), d.pad.toggle)
	d.errors.Importance = widget.DangerImportance
	d.errors.Wrapping = fyne.TextWrapWord
	d.errors.Hide()
	buttons := container.NewHBox(d.keypad, d.button)
	d.box = container.NewVBox(container.NewBorder(nil, nil, nil, buttons, d.entry), d.errors)
	return d
}

// setTalking switches the entry's hint between dialling and tones, and
// clears the tone echo when the talking call changes.
func (d *dialer) setTalking(talking bool) {
	if talking {
		d.entry.SetPlaceHolder(lang.L(placeholderTalking))
		return
	}
	d.entry.SetPlaceHolder(lang.L(placeholderIdle))
}

// showTones echoes the tones sent to the call so far in the number box's
// hint: a line of its own would appear with the first key and push the
// call's controls down under the pointer.
func (d *dialer) showTones(sent string) {
	d.entry.SetPlaceHolder(tonesText(sent))
}

func tonesText(sent string) string {
	return lang.L("Tones sent: {{.Tones}}", map[string]any{"Tones": sent})
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

// typeKey adds a dial pad key to the number being typed.
func (d *dialer) typeKey(r rune) { d.entry.Entry.TypedRune(r) }

// showError shows text under the entry; an empty text hides it.
func (d *dialer) showError(text string) {
	d.errors.SetText(text)
	if text == "" {
		d.errors.Hide()
	} else {
		d.errors.Show()
	}
}
