package conference

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/parley-voip/parley/phone"
)

// Participant is one remote party of a conference.
type Participant struct {
	// CallID is the party's REMOTE channel id (calld call_id from talking_to,
	// docs/wazo-protocol.md, Ad-hoc conferences): the key of Snapshot.Participants and of calld's routes.
	CallID string `json:"callId"`
	// SIPCallID is the Call-ID of the dialog we had with this party before
	// the merge (the host leg itself for the host's own peer).
	SIPCallID   string `json:"sipCallId,omitempty"`
	Number      string `json:"number,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
	// JoinedAt is when the server said the party entered the bridge
	// (conference_adhoc_participant_joined); zero until then.
	JoinedAt time.Time `json:"joinedAt,omitzero"`
}

// Snapshot is a conference as a value: safe to keep, compare and marshal.
type Snapshot struct {
	ID string `json:"id"`
	// Backend is "wazo" (calld) or "local".
	Backend string `json:"backend"`
	// Host is the SIP Call-ID of our own leg, the one dialog that stays up.
	Host string `json:"host"`
	// HostCallID is the server's id for that leg (calld host_call_id).
	HostCallID   string                 `json:"hostCallId,omitempty"`
	Participants map[string]Participant `json:"participants"`
	// Merged lists the SIP Call-IDs of our dialogs that were folded into the
	// conference (hung up by the server on purpose, docs/wazo-protocol.md, Ad-hoc conferences).
	Merged []string `json:"merged,omitempty"`
	// Confirmed: the server announced the conference
	// (conference_adhoc_created, docs/wazo-protocol.md, Event websocket).
	Confirmed bool      `json:"confirmed"`
	Started   bool      `json:"started"`
	Finished  bool      `json:"finished"`
	StartedAt time.Time `json:"startedAt,omitzero"`
	EndedAt   time.Time `json:"endedAt,omitzero"`
}

// ParticipantIDs returns the participants' remote call ids, sorted.
func (s Snapshot) ParticipantIDs() []string {
	return slices.Sorted(maps.Keys(s.Participants))
}

// ops is what a backend does for a Conference's methods. Each backend
// implements it; the Conference only keeps state and publishes events.
type ops interface {
	add(ctx context.Context, c *Conference, call phone.CallSession) error
	remove(ctx context.Context, c *Conference, remoteID string) error
	hangup(ctx context.Context, c *Conference) error
}

// Conference is one live (or finished) ad-hoc conference. Its methods are
// safe for concurrent use; read it through Snapshot.
type Conference struct {
	ops ops
	reg *registry

	mu   sync.Mutex
	snap Snapshot
}

func newConference(o ops, reg *registry, backend, id string, host phone.CallSession, now time.Time) *Conference {
	return &Conference{ops: o, reg: reg, snap: Snapshot{
		ID: id, Backend: backend, Host: host.SIPCallID, HostCallID: host.CallID,
		Participants: map[string]Participant{}, Started: true, StartedAt: now,
	}}
}

// ID is the conference id (calld conference_id).
func (c *Conference) ID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.snap.ID
}

// Snapshot returns the conference's current state.
func (c *Conference) Snapshot() Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.snapLocked()
}

func (c *Conference) snapLocked() Snapshot { return c.snap.clone() }

// clone copies the maps and slices, so the copy shares nothing.
func (s Snapshot) clone() Snapshot {
	s.Participants = maps.Clone(s.Participants)
	s.Merged = slices.Clone(s.Merged)
	return s
}

// AddParticipant brings the party of another call into the conference. The
// call is the agent's dialog with that party; the server hangs that dialog up
// once the party is in the bridge (it is reported as merged, not ended).
func (c *Conference) AddParticipant(ctx context.Context, call phone.CallSession) error {
	if c.Snapshot().Finished {
		return &opError{op: ErrAdd, err: ErrFinished}
	}
	return c.ops.add(ctx, c, call)
}

// RemoveParticipant takes a party out: the server hangs them up and the
// conference goes on (docs/wazo-protocol.md, Ad-hoc conferences: Remove). id is the participant's remote call id or
// the SIP Call-ID of our former dialog with them.
func (c *Conference) RemoveParticipant(ctx context.Context, id string) error {
	c.mu.Lock()
	finished := c.snap.Finished
	key, ok := c.resolveLocked(id)
	c.mu.Unlock()
	if finished {
		return &opError{op: ErrRemove, err: ErrFinished}
	}
	if !ok {
		return &opError{op: ErrRemove, err: ErrNotInConf}
	}
	return c.ops.remove(ctx, c, key)
}

// RemoveCall is RemoveParticipant for the party of a call session.
func (c *Conference) RemoveCall(ctx context.Context, call phone.CallSession) error {
	if call.Call != nil {
		for _, id := range call.Call.TalkingToIDs() {
			if c.hasParticipant(id) {
				return c.RemoveParticipant(ctx, id)
			}
		}
	}
	return c.RemoveParticipant(ctx, call.SIPCallID)
}

// Hangup ends the conference for everyone (the server hangs up every
// channel, our host leg included). Afterwards the conference is finished and
// has no participants, as the product spec says (docs/conference.md; the SDK's hangup
// leaves them in place).
func (c *Conference) Hangup(ctx context.Context) error {
	if c.Snapshot().Finished {
		return nil
	}
	return c.ops.hangup(ctx, c)
}

func (c *Conference) hasParticipant(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.snap.Participants[id]
	return ok
}

// resolveLocked finds a participant by remote call id or former SIP Call-ID.
func (c *Conference) resolveLocked(id string) (string, bool) {
	if _, ok := c.snap.Participants[id]; ok {
		return id, true
	}
	for k, p := range c.snap.Participants {
		if p.SIPCallID != "" && p.SIPCallID == id {
			return k, true
		}
	}
	return "", false
}

// The methods below change state and publish the matching event while the
// conference lock is held, so events come out in the order of the changes.

// invite records parties we asked the server to bring in (not joined yet).
func (c *Conference) invite(ps ...Participant) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap.Finished {
		return
	}
	for _, p := range ps {
		if _, ok := c.snap.Participants[p.CallID]; !ok {
			c.snap.Participants[p.CallID] = p
		}
	}
}

// uninvite forgets parties whose add request failed.
func (c *Conference) uninvite(ids ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range ids {
		if p, ok := c.snap.Participants[id]; ok && p.JoinedAt.IsZero() {
			delete(c.snap.Participants, id)
		}
	}
}

func (c *Conference) started(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reg.publish(Event{Type: EventStarted, Time: now, Conference: c.snapLocked()})
}

func (c *Conference) confirm() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.snap.Confirmed = true
}

// joined marks a party as in the bridge. Unknown parties (brought in by
// another client of the same user) are added with what we know: the id.
func (c *Conference) joined(id string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap.Finished || id == "" || id == c.snap.HostCallID {
		return
	}
	p, ok := c.snap.Participants[id]
	if ok && !p.JoinedAt.IsZero() {
		return
	}
	if !ok {
		p = Participant{CallID: id}
	}
	p.JoinedAt = now
	c.snap.Participants[id] = p
	c.reg.publish(Event{Type: EventParticipantJoined, Time: now, Conference: c.snapLocked(), Participant: &p})
}

// left removes a party; it reports false when it was not there (calld's
// participant_left after our own remove is then a no-op).
func (c *Conference) left(id, reason string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.snap.Participants[id]
	if c.snap.Finished || !ok {
		return false
	}
	delete(c.snap.Participants, id)
	c.reg.publish(Event{Type: EventParticipantLeft, Time: now, Conference: c.snapLocked(), Participant: &p, Reason: reason})
	return true
}

func (c *Conference) merged(sipCallID string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if slices.Contains(c.snap.Merged, sipCallID) {
		return
	}
	c.snap.Merged = append(c.snap.Merged, sipCallID)
	c.reg.publish(Event{Type: EventCallMerged, Time: now, Conference: c.snapLocked(), SIPCallID: sipCallID})
}

// end finishes the conference: no participants, Finished, one ended event.
func (c *Conference) end(reason string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap.Finished {
		return false
	}
	c.snap.Finished = true
	c.snap.EndedAt = now
	c.snap.Participants = map[string]Participant{}
	c.reg.publish(Event{Type: EventEnded, Time: now, Conference: c.snapLocked(), Reason: reason})
	return true
}
