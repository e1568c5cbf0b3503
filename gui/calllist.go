package gui

import (
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/assets"
	"github.com/parley-voip/parley/phone"
)

// callActions are what the per-call buttons do, each given the call's id.
type callActions struct {
	answer, reject, hangup, hold, resume, mute, unmute func(id string)
	// transfer opens the transfer dialog; complete and cancel end a
	// consultation call (attended transfer) one way or the other.
	transfer, complete, cancel func(id string)
}

// callList shows every call that is not over, oldest first, one row each.
// Rows are kept per call and updated in place, so a button the agent is about
// to press does not jump or get rebuilt under the pointer every second.
type callList struct {
	actions callActions
	box     *fyne.Container
	empty   *widget.Label
	rows    map[string]*callRow
	order   []string
}

func newCallList(actions callActions) *callList {
	empty := widget.NewLabel("No calls")
	empty.Importance = widget.LowImportance
	return &callList{
		actions: actions,
		box:     container.NewVBox(empty),
		empty:   empty,
		rows:    make(map[string]*callRow),
	}
}

func (l *callList) object() fyne.CanvasObject { return l.box }

func (l *callList) update(calls []phone.CallSession, active string, now time.Time, quality map[string]phone.Quality, consults map[string]string) {
	order := make([]string, 0, len(calls))
	for _, cs := range calls {
		row, ok := l.rows[cs.ID()]
		if !ok {
			row = newCallRow(cs.ID(), l.actions)
			l.rows[cs.ID()] = row
		}
		row.update(cs, cs.ID() == active, now)
		_, consulting := consults[cs.ID()]
		setVisible(row.transfer, cs.IsActive() && !consulting)
		setVisible(row.complete, cs.IsActive() && consulting)
		setVisible(row.cancel, consulting)
		q, ok := quality[cs.ID()]
		row.showQuality(q, ok && cs.IsActive())
		order = append(order, cs.ID())
	}
	for id := range l.rows {
		if !slices.Contains(order, id) {
			delete(l.rows, id)
		}
	}
	if slices.Equal(order, l.order) {
		return
	}
	l.order = order
	objects := make([]fyne.CanvasObject, 0, len(order)+1)
	if len(order) == 0 {
		objects = append(objects, l.empty)
	}
	for _, id := range order {
		objects = append(objects, l.rows[id].box)
	}
	l.box.Objects = objects
	l.box.Refresh()
}

// callRow is one call: who, status and duration, badges, and the buttons
// that make sense in the call's current state.
type callRow struct {
	who     *widget.Label
	details *widget.Label
	badges  *widget.Label
	quality *widget.Label // from the engine's call_quality reports
	answer  *widget.Button
	reject  *widget.Button
	hangup  *widget.Button
	hold    *widget.Button
	resume  *widget.Button
	mute    *widget.Button
	unmute  *widget.Button
	// transfer starts a transfer; complete and cancel show on the call made
	// to consult the transfer's target.
	transfer, complete, cancel *widget.Button
	// holdSlot and muteSlot hold the button pairs that take turns.
	holdSlot, muteSlot *fyne.Container
	box                *fyne.Container
}

// micIcon and micOffIcon are the mute control's icons, in the theme's
// foreground colour.
func micIcon() fyne.Resource {
	return theme.NewThemedResource(fyne.NewStaticResource("mic.svg", assets.MicIcon))
}

func micOffIcon() fyne.Resource {
	return theme.NewThemedResource(fyne.NewStaticResource("mic-off.svg", assets.MicOffIcon))
}

// toggleSlot lays out two buttons that are never shown together in one
// cell as wide as the wider of them.
func toggleSlot(a, b *widget.Button) *fyne.Container {
	am, bm := a.MinSize(), b.MinSize()
	return container.NewGridWrap(fyne.NewSize(max(am.Width, bm.Width), max(am.Height, bm.Height)), a, b)
}

func newCallRow(id string, a callActions) *callRow {
	on := func(f func(string)) func() { return func() { f(id) } }
	r := &callRow{
		who:      widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		details:  widget.NewLabel(""),
		badges:   widget.NewLabel(""),
		quality:  widget.NewLabel(""),
		answer:   widget.NewButtonWithIcon("Answer", theme.ConfirmIcon(), on(a.answer)),
		reject:   widget.NewButtonWithIcon("Decline", theme.CancelIcon(), on(a.reject)),
		hangup:   widget.NewButtonWithIcon("Hang up", theme.CancelIcon(), on(a.hangup)),
		hold:     widget.NewButtonWithIcon("Hold", theme.MediaPauseIcon(), on(a.hold)),
		resume:   widget.NewButtonWithIcon("Resume", theme.MediaPlayIcon(), on(a.resume)),
		mute:     widget.NewButtonWithIcon("Mute", micIcon(), on(a.mute)),
		unmute:   widget.NewButtonWithIcon("Unmute", micOffIcon(), on(a.unmute)),
		transfer: widget.NewButtonWithIcon("Transfer", theme.MailForwardIcon(), on(a.transfer)),
		complete: widget.NewButtonWithIcon("Complete transfer", theme.ConfirmIcon(), on(a.complete)),
		cancel:   widget.NewButtonWithIcon("Cancel transfer", theme.CancelIcon(), on(a.cancel)),
	}
	r.complete.Importance = widget.SuccessImportance
	r.answer.Importance = widget.SuccessImportance
	r.reject.Importance = widget.DangerImportance
	r.hangup.Importance = widget.DangerImportance
	r.badges.Importance = widget.WarningImportance
	// Hold/Resume and Mute/Unmute take turns in one fixed-width slot each,
	// so Hang up never moves under the pointer when one of them is pressed.
	r.holdSlot, r.muteSlot = toggleSlot(r.hold, r.resume), toggleSlot(r.mute, r.unmute)
	buttons := container.NewHBox(r.answer, r.reject, r.holdSlot, r.muteSlot, r.transfer, r.hangup)
	transferring := container.NewHBox(r.complete, r.cancel)
	r.quality.Hide()
	r.box = container.NewVBox(r.who, r.details, r.badges, r.quality, buttons, transferring, widget.NewSeparator())
	return r
}

func (r *callRow) update(cs phone.CallSession, active bool, now time.Time) {
	setText(r.who, callerText(cs))
	setText(r.details, detailsText(cs, now))

	var badges []string
	if active && !cs.Paused { // "Active · On hold" says two things at once
		badges = append(badges, "Active")
	}
	if cs.Paused {
		badges = append(badges, "On hold")
	}
	if cs.RemoteHeld {
		badges = append(badges, "Held by the other party")
	}
	if cs.Muted {
		badges = append(badges, "Muted")
	}
	setText(r.badges, strings.Join(badges, " · "))
	setVisible(r.badges, len(badges) > 0)

	ringingHere := cs.Status == phone.StatusIncoming
	talking := cs.IsActive()
	setVisible(r.answer, ringingHere)
	setVisible(r.reject, ringingHere)
	setVisible(r.hangup, !ringingHere)
	setVisible(r.hold, talking && !cs.Paused)
	setVisible(r.resume, talking && cs.Paused)
	setVisible(r.holdSlot, talking)
	setVisible(r.mute, !ringingHere && !cs.Muted)
	setVisible(r.unmute, !ringingHere && cs.Muted)
	setVisible(r.muteSlot, !ringingHere)
}

func setText(l *widget.Label, text string) {
	if l.Text != text {
		l.SetText(text)
	}
}

func setVisible(o fyne.CanvasObject, visible bool) {
	switch {
	case visible && !o.Visible():
		o.Show()
	case !visible && o.Visible():
		o.Hide()
	}
}
