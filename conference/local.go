package conference

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/google/uuid"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/phone"
)

// Errors of the local backend (wrapped in the ErrStart/ErrAdd… sentences).
var (
	ErrLocalBusy   = errors.New("a conference is already running on this line; add the call to it instead")
	ErrNotAnswered = errors.New("that call has not been answered yet")
)

// localPhone is the part of the phone engine the local backend drives.
type localPhone interface {
	Session(id string) (phone.CallSession, bool)
	Subscribe() (<-chan phone.Event, func())
	Resume(ctx context.Context, id string) error
	Hangup(ctx context.Context, id string) error
}

// sideResumer is what a phone engine needs to offer for every leg of a
// local conference to be live at the SIP level: taking a call off hold
// (re-INVITE sendrecv, RFC 3264 §8.4) WITHOUT holding the others.
// phone.API.Resume holds every other established call, so with it at most
// one leg is un-held; the rest stay sendonly on our side, and their parties
// answer recvonly and stop sending (RFC 3264 docs/wazo-protocol.md, Call object), so they are not heard.
// The backend uses this method when the phone has it (see NewLocal).
type sideResumer interface {
	ResumeAlongside(ctx context.Context, id string) error
}

// localMixer is the part of the audio engine the backend steers
// (*audio.Engine implements it).
type localMixer interface {
	SetConference(ids ...string) error
	EndConference()
}

// Local is the conference backend of a plain SIP line: there is no server
// bridge, so every leg stays up and Parley mixes (the audio engine's
// SetConference: the host hears everybody, each party hears the host and
// the others but not itself). Participants are keyed by the SIP Call-ID of
// our dialog with them, since no server gives them an id; the host leg's
// party is a participant too, as in the Wazo backend. No dialog is folded
// away, so nothing is ever "merged".
//
// An engine has one microphone and speaker, so a line has at most one live
// local conference.
type Local struct {
	cfg   config
	phone localPhone
	mix   localMixer
	reg   *registry

	// mu serialises changes of membership (Start, add, remove, hangup and
	// legs ending) so the audio engine and the conference agree.
	mu     sync.Mutex
	legs   map[string][]string // conference id → SIP Call-IDs mixed, oldest first
	closed bool

	cancel    context.CancelFunc
	done      chan struct{}
	stopPhone func()
	closeOnce sync.Once
}

var _ Backend = (*Local)(nil)

// NewLocal makes the conference backend of a plain SIP line whose calls'
// audio engine is engine. It subscribes to the phone's events at once (a
// leg that ends leaves its conference). Close stops it.
func NewLocal(ph phone.API, engine *audio.Engine, opts ...Option) (*Local, error) {
	if ph == nil || engine == nil {
		return nil, fmt.Errorf("%w: no phone or no audio engine", ErrClosed)
	}
	return newLocal(ph, engine, opts...), nil
}

func newLocal(ph localPhone, mix localMixer, opts ...Option) *Local {
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	l := &Local{cfg: cfg, phone: ph, mix: mix, reg: newRegistry(), legs: map[string][]string{}, done: make(chan struct{})}
	events, stop := ph.Subscribe()
	l.stopPhone = stop
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	go l.run(ctx, events)
	return l
}

// Close implements Backend.
func (l *Local) Close() error {
	l.closeOnce.Do(func() {
		l.mu.Lock()
		l.closed = true
		l.mu.Unlock()
		l.cancel()
		<-l.done
		l.stopPhone()
		l.reg.hub.Close()
	})
	return nil
}

// Subscribe implements Backend.
func (l *Local) Subscribe() (<-chan Event, func()) { return l.reg.hub.Subscribe() }

// Conference implements Backend.
func (l *Local) Conference(id string) (*Conference, bool) { return l.reg.get(id) }

// Conferences implements Backend.
func (l *Local) Conferences() []*Conference { return l.reg.live() }

// ConferenceOf implements Backend.
func (l *Local) ConferenceOf(sipCallID string) (*Conference, bool) {
	return l.reg.hostedOn(sipCallID)
}

// MergedInto implements Backend: no dialog is folded away locally.
func (l *Local) MergedInto(string) (string, bool) { return "", false }

// Start implements Backend: host and others become one conference mixed by
// the audio engine.
func (l *Local) Start(ctx context.Context, host phone.CallSession, others []phone.CallSession) (*Conference, error) {
	ids := []string{host.SIPCallID}
	for _, o := range others {
		if !slices.Contains(ids, o.SIPCallID) {
			ids = append(ids, o.SIPCallID)
		}
	}
	if len(ids) < 2 {
		return nil, &opError{op: ErrStart, err: ErrNoCalls}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, &opError{op: ErrStart, err: ErrClosed}
	}
	if len(l.legs) > 0 {
		return nil, &opError{op: ErrStart, err: ErrLocalBusy}
	}
	sessions := make([]phone.CallSession, 0, len(ids))
	for _, id := range ids {
		cs, err := l.leg(id)
		if err != nil {
			return nil, &opError{op: ErrStart, err: err}
		}
		sessions = append(sessions, cs)
	}
	// Mix first, so a leg is live on our side before its re-INVITE.
	if err := l.mix.SetConference(ids...); err != nil {
		return nil, &opError{op: ErrStart, err: err}
	}
	l.resume(ctx, sessions)

	now := l.cfg.now()
	id := "local-" + uuid.NewString()
	h, _ := l.phone.Session(host.SIPCallID)
	c := newConference(l, l.reg, "local", id, h, now)
	parts := make([]Participant, len(sessions))
	for i, cs := range sessions {
		parts[i] = localParticipant(cs)
	}
	c.invite(parts...)
	l.reg.add(c)
	l.legs[id] = ids
	c.started(now)
	for _, p := range parts {
		c.joined(p.CallID, now)
	}
	l.cfg.log.Info("conference: local conference started", "conference_id", id, "legs", ids)
	return c, nil
}

// leg returns an answered, live call.
func (l *Local) leg(sipCallID string) (phone.CallSession, error) {
	cs, ok := l.phone.Session(sipCallID)
	if !ok || cs.Status == phone.StatusEnded || cs.Status == phone.StatusFailed {
		return cs, fmt.Errorf("%w (%s)", ErrNoSuchCall, sipCallID)
	}
	if !cs.Answered || cs.Ringing {
		return cs, fmt.Errorf("%w (%s)", ErrNotAnswered, sipCallID)
	}
	return cs, nil
}

// resume takes the held legs off hold. With a phone that can resume a call
// without holding the others (sideResumer) every held leg is resumed;
// otherwise only one leg can be live at the SIP level, so only the first
// (the host) is resumed — resuming each in turn would hold the previous one
// again (re-INVITE churn for the same result). The audio engine still mixes
// every leg, so the held parties hear the conference (our side is sendonly)
// but are not heard. Failures are logged: the conference exists anyway and
// the agent can press resume.
func (l *Local) resume(ctx context.Context, sessions []phone.CallSession) {
	sr, both := l.phone.(sideResumer)
	for i, cs := range sessions {
		if !cs.Paused {
			continue
		}
		var err error
		switch {
		case both:
			err = sr.ResumeAlongside(ctx, cs.SIPCallID)
		case i == 0 || !anyLive(sessions):
			err = l.phone.Resume(ctx, cs.SIPCallID)
			sessions[i].Paused = err != nil
		default:
			l.cfg.log.Warn("conference: this phone cannot take a call off hold without holding the others; the party stays on hold at the SIP level and is not heard", "sip_call_id", cs.SIPCallID)
			continue
		}
		if err != nil {
			l.cfg.log.Warn("conference: could not take a call off hold", "sip_call_id", cs.SIPCallID, "err", err)
		}
	}
}

func anyLive(sessions []phone.CallSession) bool {
	return slices.ContainsFunc(sessions, func(cs phone.CallSession) bool { return !cs.Paused })
}

func localParticipant(cs phone.CallSession) Participant {
	return Participant{CallID: cs.SIPCallID, SIPCallID: cs.SIPCallID, Number: cs.Number, DisplayName: cs.DisplayName}
}

// add implements ops: the call's party joins the mix.
func (l *Local) add(ctx context.Context, c *Conference, call phone.CallSession) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	id := c.ID()
	ids, ok := l.legs[id]
	if !ok {
		return &opError{op: ErrAdd, err: ErrFinished}
	}
	if slices.Contains(ids, call.SIPCallID) {
		return &opError{op: ErrAdd, hint: ErrAlreadyParticipant, err: ErrLocalBusy}
	}
	cs, err := l.leg(call.SIPCallID)
	if err != nil {
		return &opError{op: ErrAdd, err: err}
	}
	next := append(slices.Clone(ids), cs.SIPCallID)
	if err := l.mix.SetConference(next...); err != nil {
		return &opError{op: ErrAdd, err: err}
	}
	l.legs[id] = next
	// Calling the new party put every other leg on hold at the SIP level
	// (the phone holds the established calls when it places one): take
	// them all off hold again, the new one included.
	if sr, ok := l.phone.(sideResumer); ok {
		for _, leg := range next {
			if s, ok := l.phone.Session(leg); ok && s.Paused {
				if err := sr.ResumeAlongside(ctx, leg); err != nil {
					l.cfg.log.Warn("conference: could not take a call off hold", "sip_call_id", leg, "err", err)
				}
			}
		}
	} else if cs.Paused {
		l.cfg.log.Warn("conference: this phone cannot take a call off hold without holding the others; the party stays on hold at the SIP level and is not heard", "sip_call_id", cs.SIPCallID)
	}
	now := l.cfg.now()
	p := localParticipant(cs)
	c.invite(p)
	c.joined(p.CallID, now)
	return nil
}

// remove implements ops with calld's semantics (docs/wazo-protocol.md, Ad-hoc conferences: Remove): the party is
// hung up and the conference goes on; it ends when nobody is left.
func (l *Local) remove(ctx context.Context, c *Conference, key string) error {
	if err := l.phone.Hangup(ctx, key); err != nil && !errors.Is(err, phone.ErrNoSuchCall) {
		return &opError{op: ErrRemove, err: err}
	}
	l.leave(c, key, "removed from the conference")
	return nil
}

// hangup implements ops: every leg is hung up, as calld does (docs/wazo-protocol.md, Ad-hoc conferences: Delete).
func (l *Local) hangup(ctx context.Context, c *Conference) error {
	l.mu.Lock()
	ids := l.legs[c.ID()]
	l.finishLocked(c, "the conference was ended")
	l.mu.Unlock()
	var errs []error
	for _, id := range ids {
		if err := l.phone.Hangup(ctx, id); err != nil && !errors.Is(err, phone.ErrNoSuchCall) {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return &opError{op: ErrHangup, err: errors.Join(errs...)}
	}
	return nil
}

// leave takes one leg out; the conference ends when no leg is left.
func (l *Local) leave(c *Conference, sipCallID, reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	id := c.ID()
	ids, ok := l.legs[id]
	if !ok || !slices.Contains(ids, sipCallID) {
		return
	}
	ids = slices.DeleteFunc(slices.Clone(ids), func(s string) bool { return s == sipCallID })
	l.legs[id] = ids
	c.left(sipCallID, reason, l.cfg.now())
	if len(ids) == 0 {
		l.finishLocked(c, "the last participant left")
		return
	}
	// A leg that is still open (hung up but not yet torn down) must stop
	// being mixed now.
	if err := l.mix.SetConference(ids...); err != nil {
		l.cfg.log.Warn("conference: the audio engine refused the new membership", "err", err)
	}
}

func (l *Local) finishLocked(c *Conference, reason string) {
	delete(l.legs, c.ID())
	l.mix.EndConference()
	c.end(reason, l.cfg.now())
}

// run makes a leg that ends (the party hung up, or the call failed) leave
// its conference until Close.
func (l *Local) run(ctx context.Context, events <-chan phone.Event) {
	defer close(l.done)
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			if ev.Call == nil || (ev.Type != phone.EventCallEnded && ev.Type != phone.EventCallFailed) {
				continue
			}
			for _, c := range l.reg.live() {
				l.leave(c, ev.Call.SIPCallID, "left the conference")
			}
		}
	}
}
