package gui

import (
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/assets"
	"github.com/parley-voip/parley/desk"
	"github.com/parley-voip/parley/phone"
)

// callActions are what the per-call buttons do, each given the call's id.
type callActions struct {
	hangup, hold, resume, mute, unmute func(id string)
	// keypad shows or hides the dial pad; conference merges the call with
	// others or adds it to the live conference.
	keypad, conference func(id string)
	// transfer opens the transfer dialog; complete and cancel end a
	// consultation call (attended transfer) one way or the other.
	transfer, complete, cancel func(id string)
	// recordStart … control the server's recording of the call; nil on a
	// line without recording control (no desk), and the row has none.
	recordStart, recordStop, recordPause, recordResume func(id string)
}

// callListState is what the list shows, besides the calls themselves.
type callListState struct {
	active   string // the phone's active call
	now      time.Time
	quality  map[string]phone.Quality
	consults map[string]string // consultation call → call to transfer
	// serverXfers: the calls the Wazo server is transferring (by id).
	serverXfers map[string]desk.Transfer
	// conference: the host's SIP Call-ID and size while one is live,
	// whether the calls can be merged into one, and the calls that can be
	// added to the live one (by id).
	confHost    string
	confSize    int
	canMerge    bool
	confAddable map[string]bool
}

// callList shows the calls that are not ringing here (those are cards):
// the focused call at the top of the window with its whole control bar, so
// it is never scrolled away, and the others below as one-line rows, each one
// click from becoming the focused call. Rows are kept per call and updated
// in place, so a button the agent is about to press does not jump or get
// rebuilt under the pointer every second.
type callList struct {
	actions callActions
	tips    *tipLayer
	// focusBox holds the focused call (or "No calls"); othersBox the rest.
	focusBox  *fyne.Container
	othersBox *fyne.Container
	empty     *widget.Label
	heading   *widget.Label // over the other calls
	rows      map[string]*callRow
	focused   string
	others    []string
}

func newCallList(actions callActions, tips *tipLayer) *callList {
	empty := widget.NewLabel(lang.L("No calls"))
	empty.Importance = widget.LowImportance
	heading := widget.NewLabelWithStyle(lang.L("Other calls"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.Importance = widget.LowImportance
	return &callList{
		actions:   actions,
		tips:      tips,
		focusBox:  container.NewVBox(empty),
		othersBox: container.NewVBox(),
		empty:     empty,
		heading:   heading,
		rows:      make(map[string]*callRow),
	}
}

// focusObject is the pinned part; othersObject goes in the scrolled part.
func (l *callList) focusObject() fyne.CanvasObject  { return l.focusBox }
func (l *callList) othersObject() fyne.CanvasObject { return l.othersBox }

// focusedCall picks the call the top of the window shows: the phone's active
// call, else the newest call still being set up or talking, else the newest
// held one. Ringing calls are never focused: they have their cards.
func focusedCall(calls []phone.CallSession, active string) string {
	var newest, newestHeld string
	for _, cs := range calls {
		if cs.Status == phone.StatusIncoming {
			continue
		}
		if cs.ID() == active {
			return active
		}
		if cs.Paused {
			newestHeld = cs.ID()
		} else {
			newest = cs.ID()
		}
	}
	if newest != "" {
		return newest
	}
	return newestHeld
}

func (l *callList) update(calls []phone.CallSession, st callListState) {
	focused := focusedCall(calls, st.active)
	var others []string
	live := make(map[string]bool, len(calls))
	for _, cs := range calls {
		if cs.Status == phone.StatusIncoming {
			continue
		}
		id := cs.ID()
		live[id] = true
		row, ok := l.rows[id]
		if !ok {
			row = newCallRow(id, l.actions, l.tips)
			l.rows[id] = row
		}
		row.setFocused(id == focused)
		row.update(cs, st)
		q, ok := st.quality[id]
		row.showQuality(q, ok && cs.IsActive(), cs.IsActive() && !cs.Paused, cs.MediaSecurity)
		if id != focused {
			others = append(others, id)
		}
	}
	for id := range l.rows {
		if !live[id] {
			delete(l.rows, id)
		}
	}
	if focused != l.focused {
		l.focused = focused
		if row, ok := l.rows[focused]; ok {
			l.focusBox.Objects = []fyne.CanvasObject{row.box}
		} else {
			l.focusBox.Objects = []fyne.CanvasObject{l.empty}
		}
		l.focusBox.Refresh()
	}
	if !slices.Equal(others, l.others) {
		l.others = others
		objects := make([]fyne.CanvasObject, 0, len(others)+1)
		if len(others) > 0 {
			objects = append(objects, l.heading)
		}
		for _, id := range others {
			objects = append(objects, l.rows[id].box)
		}
		l.othersBox.Objects = objects
		l.othersBox.Refresh()
	}
}

// callRow is one call. Focused, it shows who, status and duration, badges,
// quality and the control bar; otherwise one line with Resume and Hang up.
// The same buttons serve both, so a test or a shortcut that presses a
// call's Hang up does not care where the call is shown.
type callRow struct {
	who     *widget.Label
	details *widget.Label
	badges  *widget.Label
	quality *widget.Label // from the engine's call_quality reports
	// qualityCell is quality's hoverable wrapper, which the layout holds.
	qualityCell *tipLabel
	line        *widget.Label // the one-line form
	hangup      *widget.Button
	hold        *widget.Button
	resume      *widget.Button
	mute        *widget.Button
	unmute      *widget.Button
	keypad      *widget.Button
	// conference is Merge (no conference yet) or Add (to the live one).
	conference *widget.Button
	// transfer starts a transfer; complete and cancel show on the call made
	// to consult the transfer's target.
	transfer, complete, cancel *widget.Button
	transferring               *fyne.Container
	// recording: the line can control recording; the start/stop and
	// pause/resume cells take turns, recBadge says the state in red.
	recording                           bool
	recStart, recStop, recPause, recRes *widget.Button
	recBadge                            *widget.Label
	box                                 *fyne.Container
	focused, built                      bool
	// tipped is the hoverable wrapper of each button, which layouts hold.
	tipped map[*widget.Button]*tipButton
}

// cell is what a layout holds for b: its hoverable wrapper.
func (r *callRow) cell(b *widget.Button) fyne.CanvasObject {
	if t, ok := r.tipped[b]; ok {
		return t
	}
	return b
}

// micIcon and micOffIcon are the mute control's icons, in the theme's
// foreground colour.
func micIcon() fyne.Resource {
	return theme.NewThemedResource(fyne.NewStaticResource("mic.svg", assets.MicIcon))
}

func micOffIcon() fyne.Resource {
	return theme.NewThemedResource(fyne.NewStaticResource("mic-off.svg", assets.MicOffIcon))
}

func newCallRow(id string, a callActions, tips *tipLayer) *callRow {
	on := func(f func(string)) func() {
		return func() {
			if f != nil {
				f(id)
			}
		}
	}
	r := &callRow{
		who:     widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		details: widget.NewLabel(""),
		badges:  widget.NewLabel(""),
		line:    widget.NewLabel(""),
		tipped:  make(map[*widget.Button]*tipButton),
	}
	quality := newTipLabel(tips, lang.L(qualityTip))
	quality.Truncation = fyne.TextTruncateEllipsis // a long line never widens the window
	r.quality = &quality.Label
	button := func(label string, icon fyne.Resource, tip string, f func(string)) *widget.Button {
		t := newTipButton(tips, label, icon, tip, on(f))
		r.tipped[&t.Button] = t
		return &t.Button
	}
	key := func(k string) string { return " (" + shortcutModifierName + "+" + k + ")" }
	r.hangup = button(lang.L("Hang up"), theme.CancelIcon(), lang.L("End the call")+key("E"), a.hangup)
	r.hold = button(lang.L("Hold"), theme.MediaPauseIcon(), lang.L("Put the call on hold")+key("H"), a.hold)
	r.resume = button(lang.L("Resume"), theme.MediaPlayIcon(), lang.L("Talk on this call again; the call you are on is held"), a.resume)
	r.mute = button(lang.L("Mute"), micIcon(), lang.L("Stop sending your voice")+key("M"), a.mute)
	r.unmute = button(lang.L("Unmute"), micOffIcon(), lang.L("Send your voice again")+key("M"), a.unmute)
	r.keypad = button(lang.L("Keypad"), theme.GridIcon(), lang.L("Dial pad: its keys send tones to the call")+key("K"), a.keypad)
	r.conference = button(lang.L("Merge"), theme.ContentAddIcon(), lang.L(mergeTip), a.conference)
	r.transfer = button(lang.L("Transfer"), theme.MailForwardIcon(), lang.L("Hand the call to a number or to another call"), a.transfer)
	r.complete = button(lang.L("Complete transfer"), theme.ConfirmIcon(), lang.L("Connect the waiting call to this one and leave both"), a.complete)
	r.cancel = button(lang.L("Cancel transfer"), theme.CancelIcon(), lang.L("Hang up this call and go back to the waiting one"), a.cancel)
	r.recording = a.recordStart != nil
	if r.recording {
		shift := " (" + shortcutModifierName + "+" + lang.L("Shift") + "+R)"
		r.recStart = button(lang.L("Record"), theme.MediaRecordIcon(), lang.L("Have the server record this call"), a.recordStart)
		r.recStop = button(lang.L("Stop recording"), theme.MediaStopIcon(), lang.L("Stop the server's recording of this call"), a.recordStop)
		r.recPause = button(lang.L("Pause recording"), theme.MediaPauseIcon(), lang.L("Pause the recording, e.g. while a card number is read out")+shift, a.recordPause)
		r.recRes = button(lang.L("Resume recording"), theme.MediaRecordIcon(), lang.L("Record the call again")+shift, a.recordResume)
	}
	r.recBadge = widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	r.recBadge.Hide()
	r.qualityCell = quality
	r.complete.Importance = widget.SuccessImportance
	r.hangup.Importance = widget.DangerImportance
	r.badges.Importance = widget.WarningImportance
	r.line.Truncation = fyne.TextTruncateEllipsis
	r.who.Truncation = fyne.TextTruncateEllipsis
	r.quality.Hide()
	r.box = container.NewVBox()
	return r
}

// The Merge/Add cell's tips.
const (
	mergeTip = "Merge calls into a conference (choose which)"
	addTip   = "Bring this call into the conference"
)

// qualityTip says what the quality line's figures are.
const qualityTip = "Estimated listening quality: MOS from 1 (bad) to 5 (excellent), " +
	"from packet loss, jitter and delay (ITU-T G.107), measured on the audio you receive"

// setFocused lays the row out as the focused call or as a one-line row.
// It moves the same widgets between the two forms, and only when the form
// changes, not on every redraw.
func (r *callRow) setFocused(focused bool) {
	if r.built && focused == r.focused {
		return
	}
	r.built, r.focused = true, focused
	if focused {
		// A grid of equal cells that are never hidden, only disabled, so no
		// button moves when another changes: Hold and Resume, Mute and
		// Unmute take turns in one cell each.
		bar := container.NewGridWithColumns(3,
			container.NewStack(r.cell(r.hold), r.cell(r.resume)), container.NewStack(r.cell(r.mute), r.cell(r.unmute)), r.cell(r.keypad),
			r.cell(r.transfer), r.cell(r.conference), r.cell(r.hangup))
		r.transferring = container.NewGridWithColumns(2, r.cell(r.complete), r.cell(r.cancel))
		var recBar fyne.CanvasObject = container.NewVBox() // nothing without recording control
		if r.recording {
			recBar = container.NewGridWithColumns(2,
				container.NewStack(r.cell(r.recStart), r.cell(r.recStop)), container.NewStack(r.cell(r.recPause), r.cell(r.recRes)))
		}
		// Badges share the name's line and the quality line is there from
		// the start, empty until the first report: no line appears later and
		// pushes the control bar down under the pointer.
		setVisible(r.quality, true)
		r.box.Objects = []fyne.CanvasObject{container.NewBorder(nil, nil, nil, container.NewHBox(r.recBadge, r.badges), r.who), r.details, r.qualityCell, bar, recBar, r.transferring, widget.NewSeparator()}
	} else {
		r.transferring = nil
		r.box.Objects = []fyne.CanvasObject{
			container.NewBorder(nil, nil, nil, container.NewHBox(r.cell(r.resume), r.cell(r.hangup)), r.line),
		}
	}
	r.box.Refresh()
}

func (r *callRow) update(cs phone.CallSession, st callListState) {
	active := cs.ID() == st.active
	isHost := st.confHost != "" && cs.SIPCallID == st.confHost
	who, details := callerText(cs), detailsText(cs, st.now)
	if isHost {
		// The host's own call is the conference: say so, not "Bob".
		who = participantsHeader(st.confSize)
		details = lang.L("Hosted on your call with {{.Caller}}", map[string]any{"Caller": callerText(cs)})
		if cs.Answered {
			details += " · " + durationText(cs.Duration(st.now))
		}
	}
	xfer, serverXfer := st.serverXfers[cs.ID()]
	if serverXfer {
		details = serverTransferText(xfer)
	}
	setText(r.who, who)
	setText(r.details, details)

	var badges []string
	if active && !cs.Paused { // "Active · On hold" says two things at once
		badges = append(badges, lang.L("Active"))
	}
	if cs.Paused {
		badges = append(badges, lang.L("On hold"))
	}
	if cs.RemoteHeld {
		badges = append(badges, lang.L("Held by the other party"))
	}
	if cs.Muted {
		badges = append(badges, lang.L("Muted"))
	}
	setText(r.badges, strings.Join(badges, " · "))
	setVisible(r.badges, len(badges) > 0)
	rec, recImportance := recordingBadge(cs)
	setText(r.recBadge, rec)
	if r.recBadge.Importance != recImportance {
		r.recBadge.Importance = recImportance
		r.recBadge.Refresh()
	}
	setVisible(r.recBadge, rec != "")

	line := who + " · " + statusText(cs)
	if serverXfer {
		line = who + " · " + details
	}
	if cs.Answered {
		line += " · " + durationText(cs.Duration(st.now))
	}
	if cs.Muted {
		line += " · " + lang.L("Muted")
	}
	if rec != "" {
		line += " · " + rec
	}
	setText(r.line, line)

	talking := cs.IsActive()
	_, consulting := st.consults[cs.ID()]
	consulting = consulting || serverXfer // Complete and Cancel go to the server
	if r.focused {
		setVisible(r.hold, !cs.Paused)
		setVisible(r.resume, cs.Paused)
		setEnabled(r.hold, talking)
		setEnabled(r.resume, talking)
		setVisible(r.mute, !cs.Muted)
		setVisible(r.unmute, cs.Muted)
		setEnabled(r.keypad, talking && !cs.Paused)
		// The conference is not one party to hand over.
		setEnabled(r.transfer, talking && !consulting && !isHost)
		switch {
		case st.confHost != "":
			setButtonText(r.conference, lang.L("Add"))
			r.tipped[r.conference].tip = lang.L(addTip)
			setEnabled(r.conference, st.confAddable[cs.ID()])
		default:
			setButtonText(r.conference, lang.L("Merge"))
			r.tipped[r.conference].tip = lang.L(mergeTip)
			setEnabled(r.conference, st.canMerge && talking)
		}
		setVisible(r.transferring, consulting)
		setEnabled(r.complete, talking && consulting)
		setVisible(r.complete, consulting)
		setVisible(r.cancel, consulting)
		if r.recording {
			recorded := cs.Recording || cs.RecordingPaused
			setVisible(r.recStart, !recorded)
			setVisible(r.recStop, recorded)
			setEnabled(r.recStart, talking && cs.CallID != "")
			setEnabled(r.recStop, talking)
			setVisible(r.recPause, !cs.RecordingPaused)
			setVisible(r.recRes, cs.RecordingPaused)
			setEnabled(r.recPause, talking && cs.Recording)
			setEnabled(r.recRes, talking)
		}
	} else {
		// One line: Resume switches to the call (holding the focused one).
		setVisible(r.hold, false)
		setVisible(r.resume, talking)
		setEnabled(r.resume, true)
		setVisible(r.complete, false)
		setVisible(r.cancel, false)
	}
	setVisible(r.hangup, true)
}

func setText(l *widget.Label, text string) {
	if l.Text != text {
		l.SetText(text)
	}
}

func setButtonText(b *widget.Button, text string) {
	if b.Text != text {
		b.SetText(text)
	}
}

func setEnabled(b *widget.Button, on bool) {
	switch {
	case on && b.Disabled():
		b.Enable()
	case !on && !b.Disabled():
		b.Disable()
	}
}

func setVisible(o fyne.CanvasObject, visible bool) {
	if o == nil {
		return
	}
	switch {
	case visible && !o.Visible():
		o.Show()
	case !visible && o.Visible():
		o.Hide()
	}
}
