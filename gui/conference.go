package gui

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
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
// conference tracker's updates (each carries the live conferences), computes
// a conferenceView off the Fyne thread together with the phone's calls, and
// render hands it to the panel.
// Buttons run the backend on goroutines the window owns (m.run).

// WithConferences gives the window a conference panel backed by t's
// backend: merging the established calls into an ad-hoc conference and
// managing it. The window follows t's single stream of phone and conference
// events, in which a merged call's end already says it was merged. Without
// it (or with a tracker that has no backend) the window has no conference
// panel. The caller owns t and closes it after the window.
func WithConferences(t *conference.Tracker) Option {
	return func(c *runConfig) {
		c.tracker = t
		c.conferenceControl = nil
		if t != nil && t.Backend() != nil {
			c.conferenceControl = backendControl{t.Backend()}
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

// conferenceView is what the panel shows, computed off the Fyne thread.
type conferenceView struct {
	canMerge     bool // at least two established calls and no conference yet
	live         bool
	id           string
	host         string    // the host leg's SIP Call-ID
	size         int       // participants
	participants []rowView // id: the participant's remote call id
	addable      []rowView // id: the call's SIP Call-ID
}

// viewConferences computes the panel from the live conferences and the
// phone's calls. The panel shows the oldest live conference: the GUI only
// ever makes one, and further calls are added to it rather than merged apart.
func viewConferences(live []conference.Snapshot, calls []phone.CallSession, active string, now time.Time) conferenceView {
	var v conferenceView
	if len(live) == 0 {
		_, err := conference.Plan(calls, active, nil)
		v.canMerge = err == nil
		return v
	}
	s := live[0]
	v.live = true
	v.id, v.host, v.size = s.ID, s.Host, len(s.Participants)
	inConference := map[string]bool{s.Host: true}
	for _, sip := range s.Merged {
		inConference[sip] = true
	}
	for _, id := range s.ParticipantIDs() {
		p := s.Participants[id]
		if p.SIPCallID != "" {
			inConference[p.SIPCallID] = true
		}
		v.participants = append(v.participants, rowView{id: id, text: participantText(p, now)})
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
	return lang.N("Conference ({{.Count}} participants)", n, map[string]any{"Count": n})
}

// participantText is who the party is and how long they have been in the
// conference, as the call list shows a call's duration.
func participantText(p conference.Participant, now time.Time) string {
	text := callerText(phone.CallSession{Number: p.Number, DisplayName: p.DisplayName})
	if text == "" {
		text = lang.L("Unknown party")
	}
	if p.JoinedAt.IsZero() {
		return text + " · " + lang.L("joining…")
	}
	return text + " · " + durationText(now.Sub(p.JoinedAt))
}

// conferenceEndedText is the notice once a conference is over, whoever
// ended it: not "the other party hung up", which is what the host call's
// own end would say.
const conferenceEndedText = "Conference ended."

func mergedText(cs phone.CallSession) string {
	return lang.L("Call with {{.Caller}} was merged into the conference.", map[string]any{"Caller": callerText(cs)})
}

// conferenceErrorText words a failed conference action. The backend's
// errors already start with what failed ("could not start the conference:
// …"), so they are shown as they are instead of being wrapped a second time.
func conferenceErrorText(action string, err error) string {
	for _, op := range []struct {
		err    error
		action func() string
	}{
		{conference.ErrStart, func() string { return lang.L("start the conference") }},
		{conference.ErrAdd, func() string { return lang.L("add the call to the conference") }},
		{conference.ErrRemove, func() string { return lang.L("remove the participant from the conference") }},
		{conference.ErrHangup, func() string { return lang.L("end the conference") }},
	} {
		if errors.Is(err, op.err) {
			action = op.action()
			break
		}
	}
	return failureText(action, err)
}

// conferenceActions are what the panel's buttons do. Fyne thread.
type conferenceActions struct {
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
	merging      bool // a Start is running: one merge at a time
	liveBox      *fyne.Container
	header       *widget.Label
	participants *buttonList
	addHeading   *widget.Label // tells the calls to add from the participants
	adds         *buttonList
	end          *widget.Button

	view conferenceView
}

func newConferencePanel(a conferenceActions) *conferencePanel {
	p := &conferencePanel{
		actions: a,
		// The host call's row already says "Conference (n participants)".
		header:     widget.NewLabelWithStyle(lang.L("Participants"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		addHeading: widget.NewLabel(lang.L("Other calls")),
	}
	p.participants = newButtonList(func(id string) *widget.Button {
		return widget.NewButtonWithIcon(lang.L("Remove"), theme.ContentRemoveIcon(), func() { a.remove(p.view.id, id) })
	})
	p.adds = newButtonList(func(sip string) *widget.Button {
		return widget.NewButtonWithIcon(lang.L("Add"), theme.ContentAddIcon(), func() { a.add(p.view.id, sip) })
	})
	p.end = widget.NewButtonWithIcon(lang.L("End conference"), theme.CancelIcon(), func() { a.end(p.view.id) })
	p.end.Importance = widget.DangerImportance
	p.addHeading.Importance = widget.LowImportance
	p.addHeading.Hide()
	p.liveBox = container.NewVBox(p.header, p.participants.box, p.addHeading, p.adds.box, p.end, widget.NewSeparator())
	p.liveBox.Hide()
	// Merging is the focused call's Merge button: the panel is only there
	// while a conference is.
	p.box = container.NewVBox(p.liveBox)
	return p
}

func (p *conferencePanel) object() fyne.CanvasObject { return p.box }

// setMerging records that a Start is running, which disables Merge.
func (p *conferencePanel) setMerging(on bool) { p.merging = on }

func (p *conferencePanel) update(v conferenceView) {
	if v.id != p.view.id {
		// Another conference: its rows carry other ids.
		p.participants.reset()
		p.adds.reset()
	}
	p.view = v

	setVisible(p.liveBox, v.live)
	if !v.live {
		return
	}
	p.participants.update(v.participants)
	p.adds.update(v.addable)
	setVisible(p.addHeading, len(v.addable) > 0)
}

// The window's side of the panel: each button runs the backend on a
// goroutine the window owns and reports failures in the notice line.

// addToConference brings a call into the live conference, then takes the
// conference off hold: the agent was talking to the call being added, so
// the host leg was on hold, and "Add" means "now we are all together", not
// "now everyone waits until I press Resume".
func (m *MainWindow) addToConference(confID, sipCallID string) {
	host := m.shown.conference.host
	m.run(func(ctx context.Context) error {
		cs, ok := m.api.Session(sipCallID)
		if !ok {
			return conference.ErrNoSuchCall
		}
		if err := m.confControl.add(ctx, confID, cs); err != nil {
			return err
		}
		if h, ok := m.api.Session(host); ok && h.Paused {
			return m.api.Resume(ctx, h.ID())
		}
		return nil
	}, m.conferenceDone(lang.L("add the call to the conference")))
}

func (m *MainWindow) removeFromConference(confID, participantID string) {
	m.run(func(ctx context.Context) error {
		return m.confControl.remove(ctx, confID, participantID)
	}, m.conferenceDone(lang.L("remove the participant from the conference")))
}

// endConference asks first: it hangs up every party at once.
func (m *MainWindow) endConference(confID string) {
	n := m.shown.conference.size
	text := lang.N("This hangs up all {{.Count}} participants and your own call.", n, map[string]any{"Count": n})
	switch n {
	case 1:
		text = lang.L("This hangs up the participant and your own call.")
	case 2:
		text = lang.L("This hangs up both participants and your own call.")
	}
	d := dialog.NewConfirm(lang.L("End the conference?"),
		text,
		func(end bool) {
			m.ending = nil
			if !end {
				return
			}
			m.run(func(ctx context.Context) error {
				return m.confControl.hangup(ctx, confID)
			}, m.conferenceDone(lang.L("end the conference")))
		}, m.win)
	d.SetConfirmText(lang.L("End conference"))
	d.SetConfirmImportance(widget.DangerImportance)
	d.SetDismissText(lang.L("Keep talking"))
	d.SetOnClosed(m.closeModal)
	m.ending = d
	d.Show()
	m.openModal(d.Confirm, d.Dismiss)
}

func (m *MainWindow) conferenceDone(action string) func(error) {
	return func(err error) {
		if err != nil {
			m.setNotice(conferenceErrorText(action, err), widget.DangerImportance)
		}
	}
}
