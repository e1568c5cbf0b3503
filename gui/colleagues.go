package gui

import (
	"context"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/desk"
)

// colleaguesWindow lists the Wazo users of the company with their
// presence and what their phone is doing (desk.Colleagues: dird names,
// chatd presences, live from the event websocket), calls one with a
// click, transfers the active call to one (blind) or consults them first,
// and sets the agent's own presence.
type colleaguesWindow struct {
	m   *MainWindow
	svc *desk.Colleagues
	win fyne.Window

	search *widget.Entry
	mine   *widget.Select // my presence
	text   *widget.Entry  // my status text
	set    *widget.Button
	info   *widget.Label
	list   *widget.List
	shown  []desk.Colleague
	stop   func() // ends the subscription
	// showing is set while showMine moves the selector, so that only the
	// agent's own choice sets the presence.
	showing bool
}

// The choices of the presence selector, in order. Do not disturb is
// Settings → Do not disturb (here and on the server's DND service); the
// others are chatd's states.
func presenceChoices() []string {
	return []string{lang.L("Available"), lang.L("Away"), lang.L("Do not disturb"), lang.L("Invisible")}
}

// presenceWord is how a colleague's presence reads. Invisible colleagues
// show as offline: that is what they chose.
func presenceWord(c desk.Colleague) string {
	switch {
	case c.DND && c.Presence != desk.PresenceUnavailable && c.Presence != desk.PresenceInvisible:
		return lang.L("Do not disturb")
	case c.Presence == desk.PresenceAvailable:
		return lang.L("Available")
	case c.Presence == desk.PresenceAway:
		return lang.L("Away")
	}
	return lang.L("Offline")
}

// presenceColor is the dot next to a colleague: green available, orange
// away, red do-not-disturb, grey offline.
func presenceColor(c desk.Colleague) color.Color {
	switch {
	case c.Presence == desk.PresenceUnavailable || c.Presence == desk.PresenceInvisible:
		return theme.Color(theme.ColorNameDisabled)
	case c.DND:
		return theme.Color(theme.ColorNameError)
	case c.Presence == desk.PresenceAway:
		return theme.Color(theme.ColorNameWarning)
	}
	return theme.Color(theme.ColorNameSuccess)
}

// lineWord is what a colleague's phone is doing.
func lineWord(s desk.LineState) string {
	switch s {
	case desk.LineIdle:
		return lang.L("Idle")
	case desk.LineRinging:
		return lang.L("Ringing")
	case desk.LineCalling:
		return lang.L("Calling")
	case desk.LineTalking:
		return lang.L("On a call")
	case desk.LineHolding:
		return lang.L("On hold")
	}
	return lang.L("Phone offline")
}

// colleagueDetail is the second line of a row: presence, status text and
// line state.
func colleagueDetail(c desk.Colleague) string {
	parts := []string{presenceWord(c)}
	if c.Status != "" {
		parts = append(parts, lang.L("“{{.Status}}”", map[string]any{"Status": c.Status}))
	}
	// "Offline · Idle" says nothing; a call on an offline colleague's line
	// (invisible, or a desk phone) still shows.
	if presenceWord(c) != lang.L("Offline") || (c.Line != desk.LineIdle && c.Line != desk.LineOffline) {
		parts = append(parts, lineWord(c.Line))
	}
	return strings.Join(parts, " · ")
}

// showColleagues opens the colleagues window, or raises it. Fyne thread
// only. Without a Wazo line there are no colleagues.
func (m *MainWindow) showColleagues() {
	if m.desk == nil {
		return
	}
	if m.colleaguesWin != nil {
		m.colleaguesWin.win.RequestFocus()
		return
	}
	w := &colleaguesWindow{m: m, svc: m.desk.Colleagues(), win: m.app.NewWindow(lang.L("Parley: colleagues"))}
	w.search = widget.NewEntry()
	w.search.PlaceHolder = lang.L("Search a colleague or an extension")
	w.search.OnChanged = func(string) { w.refresh() }
	w.mine = widget.NewSelect(presenceChoices(), func(string) {
		if !w.showing {
			w.applyMine()
		}
	})
	w.text = widget.NewEntry()
	w.text.PlaceHolder = lang.L("Status, e.g. back at 2 pm")
	w.set = widget.NewButton(lang.L("Set my presence"), w.applyMine)
	w.text.OnSubmitted = func(string) { w.applyMine() }
	w.info = widget.NewLabel(lang.L("Loading your colleagues…"))
	w.list = widget.NewList(func() int { return len(w.shown) }, w.newRow, w.updateRow)
	// Wide enough for "Do not disturb" (and "Ne pas déranger").
	pick := container.NewGridWrap(fyne.NewSize(190, w.mine.MinSize().Height), w.mine)
	mine := container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel(lang.L("My presence:")), pick), w.set, w.text)
	w.win.SetContent(container.NewBorder(container.NewVBox(mine, widget.NewSeparator(), w.search, w.info), nil, nil, nil, w.list))
	w.win.Resize(fyne.NewSize(640, 520))
	w.win.SetOnClosed(func() {
		w.stop()
		m.colleaguesWin = nil
	})
	m.colleaguesWin = w
	w.showMine(w.svc.Me())

	// Changes arrive on the service's subscription; the pump hands each to
	// the Fyne thread. It ends when the window closes (stop closes the
	// channel) or the Desk closes.
	changes, stop := w.svc.Subscribe()
	w.stop = stop
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		for c := range changes {
			m.onUI(func() {
				if m.colleaguesWin == w && !m.closed {
					if c.Me {
						w.showMine(c)
					}
					w.refresh()
				}
			})
		}
	}()
	m.run(func(ctx context.Context) error { return w.svc.Load(ctx) }, func(err error) {
		if m.colleaguesWin != w {
			return
		}
		if err != nil {
			w.info.SetText(failureText(lang.L("list your colleagues"), err))
			w.info.Importance = widget.DangerImportance
			w.info.Refresh()
			return
		}
		w.showMine(w.svc.Me())
		w.refresh()
	})
	w.win.Show()
	w.win.Canvas().Focus(w.search)
	w.refresh()
}

func (w *colleaguesWindow) newRow() fyne.CanvasObject {
	dot := canvas.NewCircle(theme.Color(theme.ColorNameDisabled))
	dotBox := container.NewGridWrap(fyne.NewSize(14, 14), dot)
	name := widget.NewLabel("")
	name.TextStyle = fyne.TextStyle{Bold: true}
	name.Truncation = fyne.TextTruncateEllipsis
	detail := widget.NewLabel("")
	detail.Truncation = fyne.TextTruncateEllipsis
	call := widget.NewButtonWithIcon(lang.L("Call"), theme.MediaPlayIcon(), nil)
	transfer := widget.NewButton(lang.X("colleagues.transfer", "Transfer"), nil)
	consult := widget.NewButton(lang.L("Consult"), nil)
	buttons := container.NewHBox(call, transfer, consult)
	return container.NewBorder(nil, nil, container.NewCenter(dotBox), buttons, container.NewVBox(name, detail))
}

func (w *colleaguesWindow) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	if i >= len(w.shown) {
		return
	}
	c := w.shown[i]
	row := o.(*fyne.Container)
	texts := row.Objects[0].(*fyne.Container)
	dot := row.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container).Objects[0].(*canvas.Circle)
	buttons := row.Objects[2].(*fyne.Container)
	name, detail := texts.Objects[0].(*widget.Label), texts.Objects[1].(*widget.Label)
	call, transfer, consult := buttons.Objects[0].(*widget.Button), buttons.Objects[1].(*widget.Button), buttons.Objects[2].(*widget.Button)
	label := c.Name
	if c.Extension != "" {
		label += " · " + c.Extension
	}
	name.SetText(label)
	detail.SetText(colleagueDetail(c))
	dot.FillColor = presenceColor(c)
	dot.Refresh()
	exten := c.Extension
	call.OnTapped = func() { w.m.callBack(exten) }
	setEnabled(call, exten != "")
	active, ok := w.m.activeShown()
	// Not to the colleague the call is with.
	canTransfer := ok && active.IsActive() && exten != "" && active.Number != exten
	transfer.OnTapped = func() {
		if cs, ok := w.m.activeShown(); ok {
			id := cs.ID()
			w.m.act(lang.L("transfer the call"), func(ctx context.Context) error { return w.m.api.Transfer(ctx, id, exten) })
		}
	}
	consult.OnTapped = func() {
		if cs, ok := w.m.activeShown(); ok {
			w.m.consult(cs.ID(), exten)
		}
	}
	setVisible(transfer, canTransfer)
	setVisible(consult, canTransfer)
}

// refresh shows the colleagues matching the search; Fyne thread only.
func (w *colleaguesWindow) refresh() {
	q := strings.TrimSpace(w.search.Text)
	w.shown = w.svc.List(q)
	switch {
	case w.info.Importance == widget.DangerImportance:
		// the load failed: keep saying so
	case len(w.shown) == 0 && q != "":
		w.info.SetText(lang.L("No colleague matches {{.Search}}.", map[string]any{"Search": q}))
	case len(w.shown) == 0:
		w.info.SetText(lang.L("Loading your colleagues…"))
	default:
		w.info.SetText(lang.N("{{.Count}} colleagues", len(w.shown), map[string]any{"Count": len(w.shown)}))
	}
	w.list.Refresh()
}

// showMine puts my presence in the selector: do-not-disturb when it is on
// here, else the server's state.
func (w *colleaguesWindow) showMine(me desk.Colleague) {
	choices := presenceChoices()
	sel := choices[0]
	switch {
	case w.m.dnd:
		sel = choices[2]
	case me.Presence == desk.PresenceAway:
		sel = choices[1]
	case me.Presence == desk.PresenceInvisible:
		sel = choices[3]
	}
	w.showing = true
	w.mine.SetSelected(sel)
	w.showing = false
	if w.m.win.Canvas().Focused() != w.text {
		w.text.SetText(me.Status)
	}
}

// applyMine sets my presence. Do not disturb is Settings → Do not
// disturb (presence.go): calls are declined here and the server's DND
// service is set, which chatd shows colleagues; chatd's state is left as
// it was. The other choices turn do-not-disturb off and set chatd's state
// and status text.
func (w *colleaguesWindow) applyMine() {
	choices := presenceChoices()
	text := strings.TrimSpace(w.text.Text)
	me := w.svc.Me()
	state := me.Presence
	switch w.mine.Selected {
	case choices[0]:
		state = desk.PresenceAvailable
	case choices[1]:
		state = desk.PresenceAway
	case choices[3]:
		state = desk.PresenceInvisible
	}
	dnd := w.mine.Selected == choices[2]
	if dnd != w.m.dnd {
		w.m.setDoNotDisturb(dnd)
	}
	if dnd && text == me.Status {
		return // nothing for chatd: its state stays as it was
	}
	if !state.Valid() {
		state = desk.PresenceAvailable
	}
	svc := w.svc
	w.m.act(lang.L("set your presence"), func(ctx context.Context) error { return svc.SetMyPresence(ctx, state, &text) })
}

// refreshColleagues redraws the open colleagues window (the active call
// decides whether Transfer and Consult show). Fyne thread only.
func (m *MainWindow) refreshColleagues() {
	if m.colleaguesWin != nil {
		m.colleaguesWin.list.Refresh()
	}
}
