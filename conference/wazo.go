package conference

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazoline"
)

// calld is the part of *wazo.Client the calld backend uses (docs/wazo-protocol.md, Ad-hoc conferences: routes).
type calld interface {
	CreateAdhocConference(ctx context.Context, hostCallID string, participantCallIDs []string) (string, error)
	AddAdhocParticipant(ctx context.Context, conferenceID, callID string) error
	RemoveAdhocParticipant(ctx context.Context, conferenceID, callID string) error
	DeleteAdhocConference(ctx context.Context, conferenceID string) error
}

// phoneView is the part of the phone engine the backend reads.
type phoneView interface {
	Session(id string) (phone.CallSession, bool)
	Subscribe() (<-chan phone.Event, func())
	Resume(ctx context.Context, id string) error
	// SetConference marks the host leg (CallSession.Conference).
	SetConference(id string, on bool) bool
}

// maxEarly bounds the conference events kept for conferences we do not know
// yet (see Wazo.early).
const maxEarly = 64

// Wazo is the calld backend: wazo-calld does the mixing in an Asterisk
// bridge, the softphone keeps only its host leg (docs/wazo-protocol.md, Ad-hoc conferences, wazo-js-sdk, as described in docs/wazo-protocol.md, Ad-hoc conferences).
type Wazo struct {
	cfg    config
	client calld
	phone  phoneView
	reg    *registry

	// mu serialises event handling with Start's registration of a new
	// conference, so events that raced the 201 are applied exactly once.
	mu sync.Mutex
	// early holds conference_adhoc_* events whose conference_id we do not
	// know yet: calld publishes conference_adhoc_created and the joins while
	// it handles the POST, before we have read the 201 (docs/wazo-protocol.md, Ad-hoc conferences: Create).
	early  []wazoline.Event
	closed bool

	cancel    context.CancelFunc
	done      chan struct{}
	stopLine  func()
	stopPhone func()
	closeOnce sync.Once
}

var _ Backend = (*Wazo)(nil)

// NewWazo makes the conference backend of a Wazo line. It subscribes to the
// line's Wazo events (conference_adhoc_*) and the phone's call events at
// once, so nothing that happens after it returns is missed. Close stops it.
func NewWazo(line *wazoline.Line, opts ...Option) (*Wazo, error) {
	if line == nil {
		return nil, fmt.Errorf("%w: no line", ErrClosed)
	}
	return newWazo(line.Client(), line.Phone(), line.Subscribe, opts...), nil
}

func newWazo(client calld, ph phoneView, subscribe func() (<-chan wazoline.Event, func()), opts ...Option) *Wazo {
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	w := &Wazo{cfg: cfg, client: client, phone: ph, reg: newRegistry(), done: make(chan struct{})}
	lineEvents, stopLine := subscribe()
	phoneEvents, stopPhone := ph.Subscribe()
	w.stopLine, w.stopPhone = stopLine, stopPhone
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	go w.run(ctx, lineEvents, phoneEvents)
	return w
}

// Close implements Backend.
func (w *Wazo) Close() error {
	w.closeOnce.Do(func() {
		w.mu.Lock()
		w.closed = true
		w.mu.Unlock()
		w.cancel()
		<-w.done
		w.stopLine()
		w.stopPhone()
		w.reg.hub.Close()
	})
	return nil
}

// Subscribe implements Backend.
func (w *Wazo) Subscribe() (<-chan Event, func()) { return w.reg.hub.Subscribe() }

// Conference implements Backend.
func (w *Wazo) Conference(id string) (*Conference, bool) { return w.reg.get(id) }

// Conferences implements Backend.
func (w *Wazo) Conferences() []*Conference { return w.reg.live() }

// ConferenceOf implements Backend.
func (w *Wazo) ConferenceOf(sipCallID string) (*Conference, bool) { return w.reg.hostedOn(sipCallID) }

// MergedInto implements Backend.
func (w *Wazo) MergedInto(sipCallID string) (string, bool) { return w.reg.mergedInto(sipCallID) }

// Start implements Backend with POST /users/me/conferences/adhoc (docs/wazo-protocol.md, Ad-hoc conferences):
// host_call_id is our own leg of host; participant_call_ids are the remote
// channels of host and of every other call, host's own peer included as the
// SDK does (wazo-js-sdk, as described in docs/wazo-protocol.md, Ad-hoc conferences; calld drops it from the set it still has to move).
func (w *Wazo) Start(ctx context.Context, host phone.CallSession, others []phone.CallSession) (*Conference, error) {
	if w.isClosed() {
		return nil, &opError{op: ErrStart, err: ErrClosed}
	}
	seen := map[string]bool{host.SIPCallID: true}
	var rest []phone.CallSession
	for _, o := range others {
		if !seen[o.SIPCallID] {
			seen[o.SIPCallID] = true
			rest = append(rest, o)
		}
	}
	if len(rest) == 0 {
		return nil, &opError{op: ErrStart, err: ErrNoCalls}
	}
	h, hostPeer, err := w.ready(ctx, host.SIPCallID)
	if err != nil {
		return nil, &opError{op: ErrStart, err: err}
	}
	parts := []Participant{participantOf(h, hostPeer)}
	ids := []string{hostPeer}
	discarded := make([]string, 0, len(rest))
	for _, o := range rest {
		cs, peer, err := w.ready(ctx, o.SIPCallID)
		if err != nil {
			return nil, &opError{op: ErrStart, err: err}
		}
		parts = append(parts, participantOf(cs, peer))
		ids = append(ids, peer)
		discarded = append(discarded, cs.SIPCallID)
	}

	w.reg.markPending(discarded...)
	id, err := w.client.CreateAdhocConference(ctx, hostCallID(h), ids)
	if err != nil {
		w.reg.unmark(discarded...)
		w.cfg.log.Info("conference: create refused", "host", hostCallID(h), "participants", ids, "err", err)
		return nil, explain(ErrStart, err)
	}
	w.cfg.log.Info("conference: created", "conference_id", id, "host", hostCallID(h), "participants", ids)

	c := w.register(id, h, parts, discarded)
	// The host leg is the conference's, as the SDK's AdHocAPIConference
	// marks its host session (setIsConference). It stays so: calld hangs
	// the host leg up when the conference ends (docs/wazo-protocol.md,
	// Ad-hoc conferences).
	w.phone.SetConference(h.SIPCallID, true)
	w.resumeHost(ctx, h.SIPCallID)
	return c, nil
}

// resumeHost takes the host leg off hold: the agent merged the calls to
// talk to everybody, and a leg we hold (sendonly, RFC 3264) carries no audio
// from the bridge. The conference exists whatever happens here, so a
// failure is only logged; the agent can still press resume.
func (w *Wazo) resumeHost(ctx context.Context, sipCallID string) {
	if cs, ok := w.phone.Session(sipCallID); !ok || !cs.Paused {
		return
	}
	if err := w.phone.Resume(ctx, sipCallID); err != nil {
		w.cfg.log.Warn("conference: could not take the host call off hold", "sip_call_id", sipCallID, "err", err)
	}
}

// register records a conference calld accepted, then applies the events
// calld sent while we waited for its answer.
func (w *Wazo) register(id string, h phone.CallSession, parts []Participant, discarded []string) *Conference {
	now := w.cfg.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	c := newConference(w, w.reg, "wazo", id, h, now)
	c.invite(parts...)
	w.reg.add(c)
	c.started(now)
	w.reg.confirmMerged(id, discarded...)
	for _, sip := range discarded {
		c.merged(sip, now)
	}
	// Apply what calld said while we were waiting for its answer.
	kept := w.early[:0]
	for _, ev := range w.early {
		if ev.ConferenceID == id {
			w.applyLocked(c, ev)
		} else {
			kept = append(kept, ev)
		}
	}
	w.early = kept
	return c
}

func (w *Wazo) isClosed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.closed
}

// add implements ops with PUT …/participants/{remote call id} (docs/wazo-protocol.md, Ad-hoc conferences: Add):
// calld moves the remote channel into the bridge and hangs up our dialog
// with it, which we therefore mark merged before asking.
func (w *Wazo) add(ctx context.Context, c *Conference, call phone.CallSession) error {
	cs, peer, err := w.ready(ctx, call.SIPCallID)
	if err != nil {
		return &opError{op: ErrAdd, err: err}
	}
	snap := c.Snapshot()
	invited := !c.hasParticipant(peer)
	if invited {
		c.invite(participantOf(cs, peer))
	}
	discard := cs.SIPCallID != snap.Host
	if discard {
		w.reg.markPending(cs.SIPCallID)
	}
	if err := w.client.AddAdhocParticipant(ctx, snap.ID, peer); err != nil {
		if invited {
			c.uninvite(peer)
		}
		if discard {
			w.reg.unmark(cs.SIPCallID)
		}
		w.goneOnServer(c, err)
		return explain(ErrAdd, err)
	}
	if discard {
		w.reg.confirmMerged(snap.ID, cs.SIPCallID)
		c.merged(cs.SIPCallID, w.cfg.now())
	}
	return nil
}

// remove implements ops with DELETE …/participants/{id}: calld hangs the
// party up, and ends the conference if only one channel is left (docs/wazo-protocol.md, Ad-hoc conferences).
func (w *Wazo) remove(ctx context.Context, c *Conference, remoteID string) error {
	if err := w.client.RemoveAdhocParticipant(ctx, c.ID(), remoteID); err != nil {
		w.goneOnServer(c, err)
		return explain(ErrRemove, err)
	}
	c.left(remoteID, "removed from the conference", w.cfg.now())
	return nil
}

// hangup implements ops with DELETE …/adhoc/{id}: calld hangs up every
// channel, ours included (docs/wazo-protocol.md, Ad-hoc conferences: Delete).
func (w *Wazo) hangup(ctx context.Context, c *Conference) error {
	if err := w.client.DeleteAdhocConference(ctx, c.ID()); err != nil {
		if w.goneOnServer(c, err) {
			return nil // already over: what the agent wanted
		}
		return explain(ErrHangup, err)
	}
	c.end("the conference was ended", w.cfg.now())
	return nil
}

// goneOnServer ends c locally when calld says it no longer exists.
func (w *Wazo) goneOnServer(c *Conference, err error) bool {
	if errors.Is(err, errConfNotFound) {
		c.end("the conference had already ended on the server", w.cfg.now())
		return true
	}
	return false
}

// ready waits until the server has told us our leg's call_id and who it is
// connected to (call_updated fills talking_to, docs/wazo-protocol.md, Event websocket, docs/wazo-protocol.md, Call object), and returns the
// session and its peer (TalkingToIDs()[0], as the SDK does).
func (w *Wazo) ready(ctx context.Context, sipCallID string) (phone.CallSession, string, error) {
	events, stop := w.phone.Subscribe() // before the first look: no missed update
	defer stop()
	check := func() (phone.CallSession, string, bool, error) {
		cs, ok := w.phone.Session(sipCallID)
		if !ok || cs.Status == phone.StatusEnded || cs.Status == phone.StatusFailed {
			return cs, "", false, fmt.Errorf("%w (%s)", ErrNoSuchCall, sipCallID)
		}
		if cs.Call == nil || hostCallID(cs) == "" {
			return cs, "", false, nil
		}
		ids := cs.Call.TalkingToIDs()
		if len(ids) == 0 {
			return cs, "", false, nil
		}
		return cs, ids[0], true, nil
	}
	timer := time.NewTimer(w.cfg.readyTimeout)
	defer timer.Stop()
	for {
		cs, peer, ok, err := check()
		if err != nil || ok {
			return cs, peer, err
		}
		select {
		case <-ctx.Done():
			return cs, "", context.Cause(ctx)
		case <-timer.C:
			return cs, "", ErrNotReady
		case _, open := <-events:
			if !open {
				return cs, "", ErrClosed
			}
		}
	}
}

func hostCallID(cs phone.CallSession) string {
	if cs.CallID != "" {
		return cs.CallID
	}
	if cs.Call != nil {
		return cs.Call.CallID
	}
	return ""
}

func participantOf(cs phone.CallSession, remote string) Participant {
	return Participant{CallID: remote, SIPCallID: cs.SIPCallID, Number: cs.Number, DisplayName: cs.DisplayName}
}

// run applies server and phone events until Close.
func (w *Wazo) run(ctx context.Context, lineEvents <-chan wazoline.Event, phoneEvents <-chan phone.Event) {
	defer close(w.done)
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-lineEvents:
			if !ok {
				lineEvents = nil
				continue
			}
			if ev.IsConference() {
				w.handleConferenceEvent(ev)
			}
		case ev, ok := <-phoneEvents:
			if !ok {
				phoneEvents = nil
				continue
			}
			w.handlePhoneEvent(ev)
		}
	}
}

func (w *Wazo) handleConferenceEvent(ev wazoline.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	c, ok := w.reg.get(ev.ConferenceID)
	if !ok {
		// Not ours yet (the 201 may still be on its way), or another
		// client's of the same user: keep a bounded backlog.
		if len(w.early) >= maxEarly {
			w.early = w.early[1:]
		}
		w.early = append(w.early, ev)
		return
	}
	w.applyLocked(c, ev)
}

// applyLocked applies one conference_adhoc_* event (docs/wazo-protocol.md, Event websocket, docs/wazo-protocol.md, Stand-in differences).
func (w *Wazo) applyLocked(c *Conference, ev wazoline.Event) {
	now := w.cfg.now()
	w.cfg.log.Debug("conference: event", "name", ev.Name, "conference_id", ev.ConferenceID, "call_id", ev.CallID)
	switch ev.Name {
	case "conference_adhoc_created":
		c.confirm()
	case "conference_adhoc_participant_joined":
		c.joined(ev.CallID, now)
	case "conference_adhoc_participant_left":
		// The host's own channel leaves when the conference is deleted; the
		// deleted event that follows ends it (docs/wazo-protocol.md, Ad-hoc conferences: Delete).
		if ev.CallID != c.Snapshot().HostCallID {
			c.left(ev.CallID, "left the conference", now)
		}
	case "conference_adhoc_deleted":
		c.end("the conference ended", now)
	}
}

// handlePhoneEvent ends a conference whose host leg ended: calld then hangs
// everybody up (docs/wazo-protocol.md, Ad-hoc conferences: "Implicit endings"), and the deleted event may never
// reach a client whose socket is down.
func (w *Wazo) handlePhoneEvent(ev phone.Event) {
	if ev.Call == nil || (ev.Type != phone.EventCallEnded && ev.Type != phone.EventCallFailed) {
		return
	}
	if c, ok := w.reg.hostedOn(ev.Call.SIPCallID); ok {
		c.end("the host call ended", w.cfg.now())
	}
}
