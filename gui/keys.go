package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Enter and Escape do the obvious thing wherever the agent is: in a dialog
// Enter presses its highlighted button and Escape closes it without doing
// anything; with no dialog, Enter answers the ringing call and Escape
// declines it (after clearing what was typed, in the number box). Fyne's
// dialogs handle neither key themselves, so the window routes them.

// modalKeys is what Enter and Escape do while a dialog is open.
type modalKeys struct{ enter, escape func() }

// openModal routes Enter and Escape to a dialog just shown. It takes the
// focus off the number box behind the dialog, or keys would go there.
// Fyne thread only.
func (m *MainWindow) openModal(enter, escape func()) {
	m.modal = &modalKeys{enter: enter, escape: escape}
	m.win.Canvas().Unfocus()
}

// closeModal is every dialog's on-closed: keys go back to the number box.
func (m *MainWindow) closeModal() {
	m.modal = nil
	if !m.closed {
		m.win.Canvas().Focus(m.dialer.entry)
	}
}

// typedKey gets the keys no focused widget took. Fyne thread only.
func (m *MainWindow) typedKey(k *fyne.KeyEvent) {
	enter := k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter
	switch {
	case m.modal != nil && enter:
		m.modal.enter()
	case m.modal != nil && k.Name == fyne.KeyEscape:
		m.modal.escape()
	case m.modal != nil:
	case enter:
		m.answerRinging()
	case k.Name == fyne.KeyEscape:
		m.declineRinging()
	}
}

// dialogEntry is an entry in a dialog on which Escape closes the dialog
// (Enter is the entry's OnSubmitted).
type dialogEntry struct {
	widget.Entry
	escape func()
}

func newDialogEntry() *dialogEntry {
	e := &dialogEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey implements fyne.Focusable.
func (e *dialogEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.escape != nil {
		e.escape()
		return
	}
	e.Entry.TypedKey(k)
}

// pressIfEnabled taps b the way a click would, if it can be clicked.
func pressIfEnabled(b *widget.Button) {
	if b != nil && b.Visible() && !b.Disabled() && b.OnTapped != nil {
		b.OnTapped()
	}
}
