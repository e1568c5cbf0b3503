package gui

import (
	"context"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/conference"
	"github.com/parley-voip/parley/desk"
	"github.com/parley-voip/parley/internal/contacts"
	"github.com/parley-voip/parley/internal/history"
	"github.com/parley-voip/parley/phone"
)

// actionTimeout bounds one API call started from a button, so a phone that
// never answers cannot leave a goroutine behind forever.
const actionTimeout = 30 * time.Second

// MainWindow is Parley's main window: registration status, dialler, calls,
// and a card for each ringing call.
//
// Threading: fields below "Fyne thread only" are touched only in functions
// run through onUI (fyne.Do) or in widget callbacks, which Fyne runs on its
// thread. Phone state is read off that thread (snapshot) and handed over.
type MainWindow struct {
	api  phone.API
	app  fyne.App
	win  fyne.Window
	onUI func(func()) // fyne.Do; tests substitute a serialiser

	ctx         context.Context // ends when the window closes
	stop        context.CancelFunc
	unsubscribe func()
	wg          sync.WaitGroup // the event pump and every running action

	// history is the call history store (WithHistory), or nil;
	// historyWin its window while open.
	history    *history.Store
	historyWin *historyWindow
	// contacts is the address book (WithContacts), or nil; contactsWin
	// its window while open, suggest the names proposed under the number
	// box.
	contacts    *contacts.Book
	contactsWin *contactsWindow
	suggest     *suggestions
	// directory is the Wazo company directory and server call log
	// (directory.go), nil on a plain SIP line.
	directory *companyDirectory
	// audio is the audio settings (WithAudioSettings), or nil.
	audio *audioState
	// selfTest backs Help → Check my setup (WithSelfTest), or is nil.
	selfTest    SelfTest
	selfTestWin *selfTestWindow
	// desk is the Wazo line's contact-centre services (WithDesk), nil on
	// a plain SIP line; colleaguesWin the colleagues window while open.
	desk          *desk.Desk
	colleaguesWin *colleaguesWindow

	// tracker is the one stream the window follows (phone and conference
	// events in order); the window makes its own, without a backend, when
	// WithConferences gave none, and then closes it (ownTracker).
	// confBackend and confControl are nil without a backend. Set before the
	// pump starts and never changed, so any goroutine may read them.
	tracker     *conference.Tracker
	ownTracker  bool
	confBackend conference.Backend
	confControl conferenceControl

	// tones carries keypad tones, in the order pressed, to the goroutine
	// that sends them (sendTones): one action per key could reorder them.
	tones chan tone

	// Fyne thread only.
	closed       bool
	registration *registrationLine
	dialer       *dialer
	calls        *callList
	incoming     *incomingCards
	notice       *widget.Label
	// panels holds the parts a later release adds under the call list
	// (conference panel, dial pad, device settings).
	panels *fyne.Container
	// conf is the conference panel, nil without a backend.
	conf *conferencePanel
	// talking is the active call when it is established and not held: the
	// call keypad digits go to as tones. toneEcho is what it was sent.
	talking  string
	toneEcho string
	// shown is the snapshot last rendered, what keyboard commands act on.
	shown snapshot
	// quality is each call's last call_quality report; warned the calls
	// whose poor quality the notice has already reported.
	quality map[string]phone.Quality
	warned  map[string]bool
	// transfer is the open transfer dialog; consults maps a call placed to
	// consult a transfer's target to the call waiting to be transferred.
	transfer *transferDialog
	consults map[string]string
	// srvXfer: the Wazo server's transfers (servertransfer.go), nil on a
	// plain SIP line.
	srvXfer *serverTransfers
	// noticeIsOutcome says the notice tells how a call ended (cleared by
	// the next call), not an action's error.
	noticeIsOutcome bool
	// closing is the question asked when the window is closed with calls.
	closing *closeQuestion
	// merging is the open merge dialog; ending asks before a conference is
	// ended for everyone.
	merging *mergeDialog
	ending  *dialog.ConfirmDialog
	// recent lists the last ended calls; declined the ringing calls the
	// agent declined (not missed); lastDialled is what Redial calls.
	recent      *recentList
	declined    map[string]bool
	lastDialled string
	// tray: Parley has a tray icon, so closing the window can keep it
	// running; hidden: the window is in the tray. trayMenu is that icon's
	// menu, with its status line and do-not-disturb item.
	tray, hidden        bool
	trayMenu            *fyne.Menu
	trayStatus, trayDND *fyne.MenuItem
	// dnd is do-not-disturb (presence.go), shown by dndLine; settings is
	// the Settings menu, autostart what starts Parley at login.
	dnd                    bool
	dndLine                *widget.Label
	settings               *fyne.Menu
	dndItem, autostartItem *fyne.MenuItem
	autostart              Autostart
	// signOut closes this window and its line to sign in again (RunSignIn);
	// leaving is set once it does, so closing asks nothing.
	signOut func()
	leaving bool
	// callSettings keeps the call settings (WithCallSettings);
	// callSettingsForm is the form last opened (tests).
	callSettings     CallSettingsStore
	callSettingsForm *callSettingsForm
	// tips draws the controls' tooltips (tooltip.go).
	tips *tipLayer
	// modal routes Enter and Escape to the open dialog (keys.go).
	modal *modalKeys
	// confHosts are the host legs (SIP Call-IDs) of conferences shown: when
	// one ends, the notice says the conference ended, not the call.
	confHosts map[string]bool
	// agent is the agent's session (agent.go), nil without a desk.
	agent *agentView
	// vm is the voicemail indicator and window, rec the recording control
	// (recording.go, voicemail.go); both nil without a desk.
	vm  *voicemailUI
	rec *desk.Recording
}

// tone is one keypad key for one call.
type tone struct {
	call string
	key  rune
}

// toneQueue bounds the tones waiting to be sent; more than a second of
// keypad presses ahead of the network is a stuck call, not a fast typist.
const toneQueue = 32

// NewMainWindow builds the main window on a and starts following api's
// events. The window is not shown; the pump stops when it is closed. Of the
// options, it uses WithConferences; the others concern Run.
func NewMainWindow(a fyne.App, api phone.API, opts ...Option) *MainWindow {
	return newMainWindow(a, api, fyne.Do, opts...)
}

func newMainWindow(a fyne.App, api phone.API, onUI func(func()), opts ...Option) *MainWindow {
	cfg := defaultRunConfig(opts)
	ctx, stop := context.WithCancel(context.Background())
	m := &MainWindow{
		api:          api,
		app:          a,
		win:          a.NewWindow("Parley"),
		onUI:         onUI,
		ctx:          ctx,
		stop:         stop,
		tones:        make(chan tone, toneQueue),
		quality:      make(map[string]phone.Quality),
		warned:       make(map[string]bool),
		consults:     make(map[string]string),
		confHosts:    make(map[string]bool),
		declined:     make(map[string]bool),
		autostart:    cfg.autostart,
		signOut:      cfg.signOut,
		callSettings: cfg.callSettings,
	}
	m.registration = newRegistrationLine()
	m.dialer = newDialer(m.dial, m.keyPress, m.sendTone)
	m.dialer.entry.escapeEmpty = m.declineRinging
	// Tips are drawn on their own layer over the content, on the Fyne
	// thread, never after the window closed.
	m.tips = newTipLayer(func(f func()) {
		m.onUI(func() {
			if !m.closed {
				f()
			}
		})
	})
	m.calls = newCallList(callActions{
		hangup: m.onCall(lang.L("hang up"), api.Hangup),
		hold:   m.onCall(lang.L("hold the call"), api.Hold),
		resume: m.onCall(lang.L("resume the call"), api.Resume),
		mute:   m.onCall(lang.L("mute the call"), api.Mute),
		unmute: m.onCall(lang.L("unmute the call"), api.Unmute),
	}, m.tips)
	m.calls.actions.transfer = m.openTransfer
	m.calls.actions.complete = func(id string) { m.completeTransfer(m.consults[id], id) }
	m.calls.actions.cancel = m.cancelTransfer
	m.calls.actions.keypad = func(string) { m.dialer.pad.toggle() }
	m.calls.actions.conference = m.conferenceFromCall
	m.srvXfer = newServerTransfers(m, cfg.desk)
	m.incoming = newIncomingCards(m.answerFromCard, m.declineFromCard)
	m.incoming.company = func(number string) string { return m.directory.company(number) }
	m.recent = newRecentList(m.callBack)
	m.notice = widget.NewLabel("")
	m.notice.Wrapping = fyne.TextWrapWord
	m.notice.Hide()
	m.panels = container.NewVBox()
	m.tracker = cfg.tracker
	m.selfTest = cfg.selfTest // before addMenu
	m.desk = cfg.desk         // before addMenu (the colleagues shortcut)
	if m.tracker == nil {
		m.tracker, m.ownTracker = conference.NewTracker(api, nil), true
	}
	if b := m.tracker.Backend(); b != nil {
		m.confBackend, m.confControl = b, cfg.conferenceControl
		m.conf = newConferencePanel(conferenceActions{
			add:    m.addToConference,
			remove: m.removeFromConference,
			end:    m.endConference,
		})
		m.panels.Add(m.conf.object())
	}

	// The focused call is pinned under the dialler with its controls; what
	// can grow (ringing cards, the dial pad, other calls, the conference)
	// scrolls below it, so nothing pushes the call the agent is on out of
	// the window, whatever its size.
	m.dndLine = widget.NewLabelWithStyle(lang.L("Do not disturb: calls are declined until you turn it off (Settings menu)."), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	m.dndLine.Wrapping = fyne.TextWrapWord
	m.dndLine.Importance = widget.WarningImportance
	m.dndLine.Hide()
	top := container.NewVBox(m.registration.object(), m.dndLine)
	m.setUpDesk(cfg, top)
	for _, text := range cfg.warnings {
		w := widget.NewLabelWithStyle(text(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		w.Wrapping = fyne.TextWrapWord
		w.Importance = widget.WarningImportance
		top.Add(w)
	}
	top.Add(m.dialer.object())
	top.Add(m.calls.focusObject())
	// The notice sits at the bottom, outside the scrolled part: it comes
	// and goes on its own (a merge reported late, a call's end), and
	// anywhere above it would move the buttons under the pointer; there it
	// only shortens the scrolled part.
	rest := container.NewVBox(m.incoming.object(), m.dialer.pad.object(), m.calls.othersObject(), m.panels, m.recent.object())
	m.win.SetContent(container.NewStack(container.NewBorder(top, m.notice, nil, nil, container.NewVScroll(rest)), m.tips.object()))
	m.win.SetOnClosed(m.shutdown)
	m.win.SetCloseIntercept(m.confirmClose)
	if cfg.traySet {
		m.tray = cfg.tray
	}
	// Digits typed anywhere in the window go where the entry would put them.
	m.win.Canvas().SetOnTypedRune(m.keyPress)
	m.win.Canvas().SetOnTypedKey(m.typedKey)
	m.setUpAudio(cfg.audio)
	m.addMenu()
	m.win.Canvas().Focus(m.dialer.entry)
	m.updateTitle(0)
	m.history = cfg.history
	m.loadHistory()
	if m.app.Preferences().Bool(dndPreference) {
		m.dnd = true
		m.dndLine.Show()
		m.refreshSettingsMenu()
	}
	m.contacts = cfg.contacts
	m.directory = newCompanyDirectory(m, cfg.desk)
	m.suggest = newSuggestions(m.contacts, m.callBack)
	m.suggest.directory = m.directory
	m.dialer.box.Add(m.suggest.box)
	m.dialer.entry.OnChanged = func(text string) { m.suggest.update(text, m.talking != "") }

	m.setUpAgent(cfg.desk, top) // agent.go

	// Subscribe before the first snapshot: a change in between then shows
	// up as an update instead of being missed.
	events, unsubscribe := m.tracker.Subscribe()
	m.unsubscribe = unsubscribe
	m.wg.Add(2)
	go m.pump(events)
	go m.sendTones()
	return m
}

// Window returns the Fyne window, for showing it or setting its size.
func (m *MainWindow) Window() fyne.Window { return m.win }

// snapshot is the phone's state at one moment, read off the Fyne thread.
type snapshot struct {
	registration phone.Registration
	calls        []phone.CallSession
	active       string
	at           time.Time
	conference   conferenceView
}

// takeSnapshot reads the phone, with live the conferences as the tracker
// last reported them.
func (m *MainWindow) takeSnapshot(live []conference.Snapshot) snapshot {
	s := snapshot{registration: m.api.Registration(), calls: m.api.Calls(), at: time.Now()}
	nameCalls(m.contacts, s.calls)
	m.directory.lookUpCallers(s.calls)
	m.directory.nameCalls(s.calls)
	if cs, ok := m.api.ActiveCall(); ok {
		s.active = cs.ID()
	}
	if m.confBackend != nil {
		s.conference = viewConferences(live, s.calls, s.active, s.at)
	}
	return s
}

// pump follows the tracker's updates until the window closes. Each update,
// and each second for the call durations, it reads the state and has the
// Fyne thread show it.
func (m *MainWindow) pump(updates <-chan conference.Update) {
	defer m.wg.Done()
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	live := m.tracker.Live()
	m.show(m.takeSnapshot(live), conference.Update{})
	for {
		select {
		case <-m.ctx.Done():
			return
		case u, ok := <-updates:
			if !ok {
				return
			}
			live = u.Live
			m.show(m.takeSnapshot(live), u)
		case <-ticker.C:
			m.show(m.takeSnapshot(live), conference.Update{})
		}
	}
}

func (m *MainWindow) show(s snapshot, u conference.Update) {
	m.onUI(func() {
		if m.closed {
			return
		}
		m.render(s, u)
	})
}

// render shows a snapshot, and what only the update can tell (why a call
// ended, and whether that end was a merge). Fyne thread only.
func (m *MainWindow) render(s snapshot, u conference.Update) {
	m.shown = s
	// Last, once the event below may have recorded a missed call.
	defer m.updateTitle(len(s.calls))
	defer m.updateTray()
	defer m.refreshColleagues()
	m.declineWhileAway(s.calls)
	m.registration.update(s.registration)
	m.setTalking(talkingCall(s))
	m.trackQuality(s, u)
	if ev := u.Phone; ev != nil && ev.Call != nil && (ev.Type == phone.EventCallEnded || ev.Type == phone.EventCallFailed) {
		for consult, from := range m.consults {
			if ev.Call.ID() == consult || ev.Call.ID() == from {
				delete(m.consults, consult) // one side ended: nothing left to transfer
			}
		}
	}
	st := callListState{active: s.active, now: s.at, quality: m.quality, consults: m.consults, serverXfers: m.srvXfer.live(),
		canMerge: s.conference.canMerge && m.conf != nil && !m.conf.merging}
	if v := s.conference; v.live {
		st.confHost, st.confSize = v.host, v.size
		st.confAddable = make(map[string]bool, len(v.addable))
		for _, a := range v.addable {
			st.confAddable[a.id] = true
		}
		m.confHosts[v.host] = true
	}
	m.calls.update(s.calls, st)
	if m.incoming.update(s.calls, s.at) {
		m.win.Content().Refresh() // lay the cards out before they are drawn
	}
	if m.conf != nil {
		m.conf.update(s.conference)
	}
	if ce := u.Conference; ce != nil && ce.Type == conference.EventEnded {
		m.setNotice(lang.L(conferenceEndedText))
		m.noticeIsOutcome = true
	}
	ev := u.Phone
	if ev == nil {
		return
	}
	switch ev.Type {
	case phone.EventCallOutgoing, phone.EventCallAccepted, phone.EventCallIncoming:
		// A new call or a new conversation: what the notice said about the
		// last call's end ("the line is busy") is no longer true of what is
		// shown. An action's error stays until the next action: the event
		// may be older than it.
		if m.noticeIsOutcome {
			m.setNotice("")
		}
	}
	switch ev.Type {
	case phone.EventCallIncoming:
		if ev.Call != nil {
			m.app.SendNotification(fyne.NewNotification(lang.L("Incoming call"), callerText(*ev.Call)))
		}
		if m.hidden {
			m.fromTray() // a call rings: the window comes back from the tray
		}
		m.win.RequestFocus()
	case phone.EventCallEnded, phone.EventCallFailed:
		if ev.Call == nil {
			break
		}
		cs := *ev.Call
		declined := m.declined[cs.ID()]
		delete(m.declined, cs.ID())
		kind := recentKind(cs, declined)
		if !u.Merged {
			m.recent.add(recentCall{who: callerText(cs), number: cs.Number, kind: kind, at: s.at})
		}
		switch {
		case u.Merged:
			// Folded into the conference: not the end of a conversation.
			m.setNotice(mergedText(*ev.Call))
		case m.confHosts[ev.Call.SIPCallID]:
			delete(m.confHosts, ev.Call.SIPCallID)
			m.setNotice(lang.L(conferenceEndedText))
		case kind == kindMissed:
			m.setNotice(missedText(cs), widget.WarningImportance)
		case kind == kindAnsweredElsewhere:
			m.setNotice(lang.L("Call from {{.Caller}} was answered on another device.", map[string]any{"Caller": callerText(cs)}))
		default:
			m.setNotice(endedText(*ev.Call, ev.Reason))
		}
		m.noticeIsOutcome = true
	}
}

// updateTitle puts the number of calls and of missed calls in the title,
// which is what the taskbar shows while the window is behind a CRM.
func (m *MainWindow) updateTitle(calls int) {
	var parts []string
	switch calls {
	case 0:
	case 1:
		parts = append(parts, lang.N("{{.Count}} calls", 1, map[string]any{"Count": 1}))
	default:
		parts = append(parts, lang.N("{{.Count}} calls", calls, map[string]any{"Count": calls}))
	}
	if n := m.recent.missed; n > 0 {
		parts = append(parts, lang.N("{{.Count}} missed", n, map[string]any{"Count": n}))
	}
	if len(parts) == 0 {
		m.win.SetTitle("Parley")
		return
	}
	m.win.SetTitle("Parley — " + strings.Join(parts, " · "))
}

// setNotice shows a one-line message under the dialler (errors, call
// outcomes); an empty text hides it. Fyne thread only.
func (m *MainWindow) setNotice(text string, importance ...widget.Importance) {
	m.noticeIsOutcome = false
	m.notice.Importance = widget.MediumImportance
	if len(importance) > 0 {
		m.notice.Importance = importance[0]
	}
	m.notice.SetText(text)
	if text == "" {
		m.notice.Hide()
	} else {
		m.notice.Show()
	}
}

// act runs op on its own goroutine, never on the Fyne thread (it may wait on
// the network), and reports a failure in the notice line. what completes
// "Could not …".
func (m *MainWindow) act(what string, op func(ctx context.Context) error) {
	m.run(op, func(err error) {
		if err != nil {
			m.setNotice(failureText(what, err), widget.DangerImportance)
		}
	})
}

// onCall makes a call-list button handler from an API method.
func (m *MainWindow) onCall(what string, op func(ctx context.Context, id string) error) func(id string) {
	return func(id string) {
		m.act(what, func(ctx context.Context) error { return op(ctx, id) })
	}
}

// run calls op on a goroutine the window owns and then done(err) on the Fyne
// thread, unless the window closed meanwhile.
func (m *MainWindow) run(op func(ctx context.Context) error, done func(error)) {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		ctx, cancel := context.WithTimeout(m.ctx, actionTimeout)
		err := op(ctx)
		cancel()
		m.onUI(func() {
			if !m.closed {
				done(err)
			}
		})
	}()
}

// dial places a call to what the user typed. Fyne thread only.
func (m *MainWindow) dial(number string) {
	if strings.TrimSpace(number) == "" {
		if id, ok := m.oldestRinging(); ok {
			m.answerFromCard(id) // Enter with nothing typed answers
			return
		}
		if m.lastDialled == "" {
			m.dialer.showError(lang.L("Type a number to call."))
			return
		}
		number = m.lastDialled // Call with nothing typed redials
		m.dialer.entry.SetText(number)
	}
	m.dialer.setBusy(true)
	m.run(func(ctx context.Context) error {
		_, err := m.api.Call(ctx, number)
		return err
	}, func(err error) {
		m.dialer.setBusy(false)
		if err != nil {
			m.dialer.showError(dialErrorText(err))
			return
		}
		m.lastDialled = number
		m.markMissedSeen()
		m.dialer.clear()
		m.setNotice("")
	})
}

// redial calls the last number dialled again. Fyne thread only.
func (m *MainWindow) redial() {
	if m.lastDialled != "" {
		m.callBack(m.lastDialled)
	}
}

// callBack dials a number from the recent calls. Fyne thread only.
func (m *MainWindow) callBack(number string) {
	m.dialer.entry.SetText(number)
	m.dial(number)
}

// trackQuality keeps each live call's last quality report and warns once
// when a call's quality turns poor. Fyne thread only.
func (m *MainWindow) trackQuality(s snapshot, u conference.Update) {
	live := make(map[string]bool, len(s.calls))
	for _, cs := range s.calls {
		live[cs.ID()] = true
	}
	for id := range m.quality {
		if !live[id] {
			delete(m.quality, id)
			delete(m.warned, id)
		}
	}
	ev := u.Phone
	if ev == nil || ev.Type != phone.EventCallQuality || ev.Call == nil || ev.Quality == nil || !live[ev.Call.ID()] {
		return
	}
	id := ev.Call.ID()
	m.quality[id] = *ev.Quality
	switch mos := ev.Quality.MOS; {
	case mos > 0 && mos < poorQuality && !m.warned[id]:
		m.warned[id] = true
		band, _ := qualityBand(mos)
		m.setNotice(lang.L("The line to {{.Caller}} is {{.Quality}} ({{.Figures}}): the other party may not hear you well.",
			map[string]any{"Caller": callerText(*ev.Call), "Quality": strings.ToLower(band), "Figures": qualityFigures(*ev.Quality)}), widget.WarningImportance)
	case mos >= poorQuality+0.2:
		m.warned[id] = false // recovered: warn again if it drops
	}
}

// talkingCall is the active call if it is established and not held.
func talkingCall(s snapshot) string {
	for _, cs := range s.calls {
		if cs.ID() == s.active && cs.Status == phone.StatusEstablished {
			return cs.ID()
		}
	}
	return ""
}

// setTalking follows the call tones go to. Fyne thread only.
func (m *MainWindow) setTalking(id string) {
	if id == m.talking {
		return
	}
	m.talking, m.toneEcho = id, ""
	m.dialer.setTalking(id != "")
}

// keyPress handles a dial pad key or a key typed outside the entry: a tone
// during a call, otherwise a digit of the number. Fyne thread only.
func (m *MainWindow) keyPress(r rune) {
	if m.sendTone(r) {
		return
	}
	if isKeypadKey(r) || r == '+' {
		m.dialer.typeKey(r)
		m.win.Canvas().Focus(m.dialer.entry)
	}
}

// sendTone queues r for the talking call and reports whether it was a tone
// to send. Fyne thread only.
func (m *MainWindow) sendTone(r rune) bool {
	if m.talking == "" || !isKeypadKey(r) {
		return false
	}
	select {
	case m.tones <- tone{call: m.talking, key: r}:
		m.toneEcho += string(r)
		m.dialer.showTones(m.toneEcho)
	default:
		m.setNotice(lang.L("Tones are not getting through to the call; wait a moment and press the key again."), widget.WarningImportance)
	}
	return true
}

// sendTones sends queued tones one after the other until the window closes.
func (m *MainWindow) sendTones() {
	defer m.wg.Done()
	for {
		select {
		case <-m.ctx.Done():
			return
		case t := <-m.tones:
			ctx, cancel := context.WithTimeout(m.ctx, actionTimeout)
			err := m.api.SendDTMF(ctx, t.call, string(t.key))
			cancel()
			if err != nil && m.ctx.Err() == nil {
				m.onUI(func() {
					if !m.closed {
						m.setNotice(failureText(lang.L("send the tone"), err), widget.DangerImportance)
					}
				})
			}
		}
	}
}

func (m *MainWindow) answerFromCard(id string) {
	m.run(func(ctx context.Context) error { return m.api.Accept(ctx, id) }, func(err error) {
		if err != nil {
			m.incoming.showError(id, failureText(lang.L("answer the call"), err))
		}
	})
}

func (m *MainWindow) declineFromCard(id string) {
	m.declined[id] = true
	m.run(func(ctx context.Context) error { return m.api.Reject(ctx, id) }, func(err error) {
		if err != nil {
			m.incoming.showError(id, failureText(lang.L("decline the call"), err))
		}
	})
}

// shutdown runs when the window closes: it stops the pump and cancels the
// actions still running. Fyne thread only; it does not wait for them.
func (m *MainWindow) shutdown() {
	m.tips.leave(nil) // no tip timer outlives the window
	if m.historyWin != nil {
		m.historyWin.win.Close()
	}
	if m.contactsWin != nil {
		m.contactsWin.win.Close()
	}
	if m.colleaguesWin != nil {
		m.colleaguesWin.win.Close()
	}
	m.closeAudioSettings()
	if m.selfTestWin != nil {
		m.selfTestWin.win.Close()
	}
	rememberSize(m.app.Preferences(), m.win.Canvas().Size())
	m.closed = true
	m.stop()
	m.unsubscribe()
	if m.ownTracker {
		m.tracker.Close()
	}
}

// wait returns once the pump and every action have finished; call it after
// the window closed, off the Fyne thread.
func (m *MainWindow) wait() { m.wg.Wait() }
