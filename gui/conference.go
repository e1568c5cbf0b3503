package gui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/conference"
	"github.com/parley-voip/parley/phone"
)

// The conference panel sits under the call list (MainWindow.panels): a Merge
// calls button, and while a conference is live its participants with Remove,
// an Add button per other established call, and End conference.
//
// Data flow, as for the rest of the window: the window's pump follows the
// backend's events (conferenceFeed keeps the latest snapshot of each live
// conference, pump goroutine only), computes a conferenceView off the Fyne
// thread together with the phone's calls, and render hands it to the panel.
// Buttons run the backend on goroutines the window owns (m.run).

// WithConferences gives the window a conference panel backed by b: merging
// the established calls into an ad-hoc conference and managing it. Without
// it the window has no conference panel.
func WithConferences(b conference.Backend) Option {
	return func(c *runConfig) {
		c.conferences = b
		if b != nil {
			c.conferenceControl = backendControl{b}
		} else {
			c.conferenceControl = nil
		}
	}
}

// conferenceControl is what the panel's buttons do to a live conference,
// named by id. It is an interface, rather than calls on *conference.Conference,
// because that is a concrete type only package conference can make: tests
// stand in for it through withConferenceControl. backendControl is the one
// the window uses.
type conferenceControl interface {
	add(ctx context.Context, confID string, call phone.CallSession) error
	remove(ctx context.Context, confID, participantID string) error
	hangup(ctx context.Context, confID string) error
}

// withConferenceControl replaces how the panel reaches a conference's
// methods; for tests, after WithConferences.
func withConferenceControl(c conferenceControl) Option {
	return func(cfg *runConfig) { cfg.conferenceControl = c }
}

// backendControl finds the conference in the backend and calls it.
type backendControl struct{ b conference.Backend }

func (c backendControl) find(id string) (*conference.Conference, error) {
	conf, ok := c.b.Conference(id)
	if !ok || conf == nil {
		return nil, conference.ErrNoSuchConf
	}
	return conf, nil
}

func (c backendControl) add(ctx context.Context, confID string, call phone.CallSession) error {
	conf, err := c.find(confID)
	if err != nil {
		return err
	}
	return conf.AddParticipant(ctx, call)
}

func (c backendControl) remove(ctx context.Context, confID, participantID string) error {
	conf, err := c.find(confID)
	if err != nil {
		return err
	}
	return conf.RemoveParticipant(ctx, participantID)
}

func (c backendControl) hangup(ctx context.Context, confID string) error {
	conf, err := c.find(confID)
	if err != nil {
		return err
	}
	return conf.Hangup(ctx)
}

// conferenceFeed is the pump's record of the live conferences, built from
// the backend's events (each carries a full snapshot). Pump goroutine only.
type conferenceFeed struct {
	backend conference.Backend
	live    map[string]conference.Snapshot
	order   []string // conference ids, oldest first
}

func newConferenceFeed(b conference.Backend) *conferenceFeed {
	return &conferenceFeed{backend: b, live: map[string]conference.Snapshot{}}
}

// seed reads the conferences already running. The window subscribed before,
// so anything that changes afterwards arrives as an event.
func (f *conferenceFeed) seed() {
	for _, c := range f.backend.Conferences() {
		if c != nil {
			f.apply(conference.Event{Conference: c.Snapshot()})
		}
	}
}

// apply records the snapshot an event carries; a finished conference is
// forgotten.
func (f *conferenceFeed) apply(ev conference.Event) {
	s := ev.Conference
	if s.ID == "" {
		return
	}
	_, known := f.live[s.ID]
	if s.Finished {
		delete(f.live, s.ID)
		f.order = slices.DeleteFunc(f.order, func(id string) bool { return id == s.ID })
		return
	}
	f.live[s.ID] = s
	if !known {
		f.order = append(f.order, s.ID)
	}
}

// snapshots returns the live conferences, oldest first.
func (f *conferenceFeed) snapshots() []conference.Snapshot {
	out := make([]conference.Snapshot, 0, len(f.order))
	for _, id := range f.order {
		out = append(out, f.live[id])
	}
	return out
}

// conferenceView is what the panel shows, computed off the Fyne thread.
type conferenceView struct {
	canMerge     bool // at least two established calls and no conference yet
	live         bool
	id           string
	header       string
	participants []rowView // id: the participant's remote call id
	addable      []rowView // id: the call's SIP Call-ID
	// merged are the SIP Call-IDs folded into a live conference, so the
	// window can word their call_ended as a merge.
	merged []string
}

// viewConferences computes the panel from the live conferences and the
// phone's calls. The panel shows the oldest live conference: the GUI only
// ever makes one, and further calls are added to it rather than merged apart.
func viewConferences(live []conference.Snapshot, calls []phone.CallSession, active string) conferenceView {
	var v conferenceView
	for _, s := range live {
		v.merged = append(v.merged, s.Merged...)
	}
	if len(live) == 0 {
		_, err := conference.Plan(calls, active, nil)
		v.canMerge = err == nil
		return v
	}
	s := live[0]
	v.live = true
	v.id = s.ID
	v.header = participantsHeader(len(s.Participants))
	inConference := map[string]bool{s.Host: true}
	for _, sip := range s.Merged {
		inConference[sip] = true
	}
	for _, id := range s.ParticipantIDs() {
		p := s.Participants[id]
		if p.SIPCallID != "" {
			inConference[p.SIPCallID] = true
		}
		v.participants = append(v.participants, rowView{id: id, text: participantText(p)})
	}
	for _, cs := range calls {
		if cs.IsActive() && !inConference[cs.SIPCallID] {
			v.addable = append(v.addable, rowView{id: cs.SIPCallID, text: callerText(cs)})
		}
	}
	return v
}

// The panel's wording. It stays here rather than in text.go because only
// this component uses it.

func participantsHeader(n int) string {
	if n == 1 {
		return "Conference (1 participant)"
	}
	return fmt.Sprintf("Conference (%d participants)", n)
}

func participantText(p conference.Participant) string {
	text := callerText(phone.CallSession{Number: p.Number, DisplayName: p.DisplayName})
	if text == "" {
		text = "Unknown party"
	}
	if p.JoinedAt.IsZero() {
		text += " · joining…"
	}
	return text
}

func mergedText(cs phone.CallSession) string {
	return "Call with " + callerText(cs) + " was merged into the conference."
}

// conferenceErrorText words a failed conference action. The backend's
// errors already start with what failed ("could not start the conference:
// …"), so they are shown as they are instead of being wrapped a second time.
func conferenceErrorText(action string, err error) string {
	msg := strings.TrimSuffix(err.Error(), ".")
	if !strings.HasPrefix(msg, "could not ") {
		return failureText(action, err)
	}
	r, size := utf8.DecodeRuneInString(msg)
	return string(unicode.ToUpper(r)) + msg[size:] + "."
}

// conferenceActions are what the panel's buttons do. Fyne thread.
type conferenceActions struct {
	merge  func()
	add    func(confID, sipCallID string)
	remove func(confID, participantID string)
	end    func(confID string)
}

// conferencePanel shows a conferenceView. Rows are kept per participant and
// per call and rebuilt only when the set changes, as in the call list, so a
// button does not move under the pointer. Fyne thread only.
type conferencePanel struct {
	actions      conferenceActions
	box          *fyne.Container
	merge        *widget.Button
	merging      bool // a Start is running: one merge at a time
	liveBox      *fyne.Container
	header       *widget.Label
	participants *buttonList
	addHeading   *widget.Label // tells the calls to add from the participants
	adds         *buttonList
	end          *widget.Button

	view   conferenceView
	merged map[string]bool // SIP Call-IDs seen folded into a conference
}

func newConferencePanel(a conferenceActions) *conferencePanel {
	p := &conferencePanel{
		actions:    a,
		header:     widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		addHeading: widget.NewLabel("Other calls"),
		merged:     map[string]bool{},
	}
	p.participants = newButtonList(func(id string) *widget.Button {
		return widget.NewButtonWithIcon("Remove", theme.ContentRemoveIcon(), func() { a.remove(p.view.id, id) })
	})
	p.adds = newButtonList(func(sip string) *widget.Button {
		return widget.NewButtonWithIcon("Add", theme.ContentAddIcon(), func() { a.add(p.view.id, sip) })
	})
	p.merge = widget.NewButtonWithIcon("Merge calls", theme.ContentAddIcon(), a.merge)
	p.merge.Disable()
	p.end = widget.NewButtonWithIcon("End conference", theme.CancelIcon(), func() { a.end(p.view.id) })
	p.end.Importance = widget.DangerImportance
	p.addHeading.Importance = widget.LowImportance
	p.addHeading.Hide()
	p.liveBox = container.NewVBox(p.header, p.participants.box, p.addHeading, p.adds.box, p.end, widget.NewSeparator())
	p.liveBox.Hide()
	p.box = container.NewVBox(p.merge, p.liveBox)
	return p
}

func (p *conferencePanel) object() fyne.CanvasObject { return p.box }

// setMerging disables Merge calls while a Start is running.
func (p *conferencePanel) setMerging(on bool) {
	p.merging = on
	p.update(p.view)
}

// isMerged reports whether the panel has seen sipCallID folded into a
// conference.
func (p *conferencePanel) isMerged(sipCallID string) bool { return p.merged[sipCallID] }

func (p *conferencePanel) markMerged(sipCallID string) { p.merged[sipCallID] = true }

func (p *conferencePanel) update(v conferenceView) {
	if v.id != p.view.id {
		// Another conference: its rows carry other ids.
		p.participants.reset()
		p.adds.reset()
	}
	p.view = v
	for _, sip := range v.merged {
		p.merged[sip] = true
	}

	setVisible(p.merge, !v.live)
	if v.canMerge && !p.merging {
		p.merge.Enable()
	} else {
		p.merge.Disable()
	}
	setVisible(p.liveBox, v.live)
	if !v.live {
		return
	}
	setText(p.header, v.header)
	p.participants.update(v.participants)
	p.adds.update(v.addable)
	setVisible(p.addHeading, len(v.addable) > 0)
}

// The window's side of the panel: each button runs the backend on a
// goroutine the window owns and reports failures in the notice line.

// mergeCalls starts a conference hosted on the active call with every other
// established call. The calls are read again off the Fyne thread, so the
// conference is made of the calls as they are when it starts. Fyne thread.
func (m *MainWindow) mergeCalls() {
	m.conf.setMerging(true)
	m.run(func(ctx context.Context) error {
		active := ""
		if cs, ok := m.api.ActiveCall(); ok {
			active = cs.ID()
		}
		// The same plan as headless conference_start without "calls".
		plan, err := conference.Plan(m.api.Calls(), active, nil)
		if err != nil {
			return err
		}
		_, err = m.confBackend.Start(ctx, plan.Host, plan.Others)
		return err
	}, func(err error) {
		m.conf.setMerging(false)
		m.conferenceDone("start the conference")(err)
	})
}

func (m *MainWindow) addToConference(confID, sipCallID string) {
	m.run(func(ctx context.Context) error {
		cs, ok := m.api.Session(sipCallID)
		if !ok {
			return conference.ErrNoSuchCall
		}
		return m.confControl.add(ctx, confID, cs)
	}, m.conferenceDone("add the call to the conference"))
}

func (m *MainWindow) removeFromConference(confID, participantID string) {
	m.run(func(ctx context.Context) error {
		return m.confControl.remove(ctx, confID, participantID)
	}, m.conferenceDone("remove the participant from the conference"))
}

func (m *MainWindow) endConference(confID string) {
	m.run(func(ctx context.Context) error {
		return m.confControl.hangup(ctx, confID)
	}, m.conferenceDone("end the conference"))
}

func (m *MainWindow) conferenceDone(action string) func(error) {
	return func(err error) {
		if err != nil {
			m.setNotice(conferenceErrorText(action, err), widget.DangerImportance)
		}
	}
}

// showConferenceEvent redraws after a conference event and, on call_merged,
// rewords the notice if it announced that call's end. Phone and conference
// events are not ordered with each other, so the call_ended may have been
// shown before its call_merged arrived. Fyne thread only.
func (m *MainWindow) showConferenceEvent(s snapshot, ev conference.Event) {
	m.render(s, nil)
	if ev.Type != conference.EventCallMerged || ev.SIPCallID == "" {
		return
	}
	m.conf.markMerged(ev.SIPCallID)
	if m.endedNotice.SIPCallID == ev.SIPCallID {
		m.setNotice(mergedText(m.endedNotice))
	}
}

// isMergedEnd reports, off the Fyne thread, whether a call's end is its
// merge into a conference.
func (m *MainWindow) isMergedEnd(ev phone.Event) bool {
	return m.confBackend != nil && ev.Call != nil &&
		(ev.Type == phone.EventCallEnded || ev.Type == phone.EventCallFailed) &&
		merged(m.confBackend, ev.Call.SIPCallID)
}

func merged(b conference.Backend, sipCallID string) bool {
	_, ok := b.MergedInto(sipCallID)
	return ok
}
