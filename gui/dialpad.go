package gui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/phone"
)

// dtmfKeys are the keys of a telephone keypad (RFC 4733 §3.2 events 0–11),
// in the order they are laid out.
const dtmfKeys = "123456789*0#"

// isKeypadKey reports whether r is a key a phone keypad has. A–D exist in
// RFC 4733 but not on agents' keypads: typed, they are letters of a name.
func isKeypadKey(r rune) bool { return strings.ContainsRune(dtmfKeys, r) }

// dialPad is the twelve-key pad shown under the number entry on demand:
// while a call is talking its keys send tones to the far end, otherwise
// they type the number.
type dialPad struct {
	keys map[rune]*widget.Button
	box  *fyne.Container
}

func newDialPad(press func(r rune)) *dialPad {
	p := &dialPad{keys: make(map[rune]*widget.Button, len(dtmfKeys))}
	grid := container.NewGridWithColumns(3)
	for _, r := range dtmfKeys {
		b := widget.NewButton(string(r), func() { press(r) })
		p.keys[r] = b
		grid.Add(b)
	}
	p.box = grid
	p.box.Hide()
	return p
}

func (p *dialPad) object() fyne.CanvasObject { return p.box }

func (p *dialPad) visible() bool { return p.box.Visible() }

func (p *dialPad) toggle() {
	if p.box.Visible() {
		p.box.Hide()
	} else {
		p.box.Show()
	}
}

// numberEntry is the number box. While a call is talking, keypad digits
// typed into it are tones for that call (an IVR's "press 5"), never the
// start of a new number that would put the customer on hold.
type numberEntry struct {
	widget.Entry
	// tone sends r to the talking call and reports whether it did.
	tone func(r rune) bool
	// escapeEmpty is Escape in an empty box: decline the ringing call.
	escapeEmpty func()
}

func newNumberEntry() *numberEntry {
	e := &numberEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// TypedRune implements fyne.Focusable.
func (e *numberEntry) TypedRune(r rune) {
	if e.tone != nil && e.tone(r) {
		return
	}
	e.Entry.TypedRune(r)
}

// TypedShortcut implements fyne.Shortcutable: a pasted number is cleaned
// the way it will be dialled ("+33 (0)1 23-45 67 89" shows as
// "+33123456789"), so the agent sees what is called. What is not a number
// (a SIP address, a name) is pasted as it is.
func (e *numberEntry) TypedShortcut(s fyne.Shortcut) {
	if p, ok := s.(*fyne.ShortcutPaste); ok && p.Clipboard != nil {
		if n, err := phone.NormalizeNumber(p.Clipboard.Content()); err == nil && !strings.Contains(n, ":") {
			for _, r := range n {
				e.Entry.TypedRune(r)
			}
			return
		}
	}
	e.Entry.TypedShortcut(s)
}

// TypedKey implements fyne.Focusable: Escape clears the number box, and
// in an empty one declines the ringing call.
func (e *numberEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape {
		if e.Text == "" && e.escapeEmpty != nil {
			e.escapeEmpty()
			return
		}
		e.SetText("")
		return
	}
	e.Entry.TypedKey(k)
}
