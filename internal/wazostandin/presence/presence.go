// Package presence is the stand-in's wazo-chatd presences: each user's
// presence state (available, away, unavailable, invisible), status text,
// do-not-disturb (read-only, confd's DND service), last activity, and the
// state of each of their lines, derived from the channels the call model
// holds, as chatd derives them from Asterisk's channel events
// (wazo-chatd plugins/presences/bus_consume.py, initiator.py CHANNEL_STATE_MAP,
// schemas.py). Every change is published as chatd_presence_updated, a
// tenant event (wazo-bus resources/chatd/events.py PresenceUpdatedEvent).
//
// It knows no HTTP: httpside serves the routes over a Store.
package presence

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
	"github.com/parley-voip/parley/internal/wazostandin/directory"
)

// Presence states a user may set (wazo-chatd plugins/presences/schemas.py
// UserPresenceSchema.state OneOf).
const (
	StateAvailable   = "available"
	StateAway        = "away"
	StateUnavailable = "unavailable"
	StateInvisible   = "invisible"
)

// Line states (wazo-chatd plugins/presences/api.yml Line.state).
const (
	LineAvailable   = "available"
	LineHolding     = "holding"
	LineRinging     = "ringing"
	LineProgressing = "progressing"
	LineTalking     = "talking"
	LineUnavailable = "unavailable"
)

// EventUpdated is the bus event of every presence change.
const EventUpdated = "chatd_presence_updated"

var (
	// ErrNoSuchUser: the user uuid is not in the directory.
	ErrNoSuchUser = errors.New("presence: no such user")
	// ErrInvalidState: not one of the four presence states.
	ErrInvalidState = errors.New("presence: invalid state")
)

// ValidState reports whether s is a state a user may set.
func ValidState(s string) bool {
	switch s {
	case StateAvailable, StateAway, StateUnavailable, StateInvisible:
		return true
	}
	return false
}

// Line is one line's state in a presence.
type Line struct {
	ID    int    `json:"id"`
	State string `json:"state"`
}

// Presence is chatd's Presence object (plugins/presences/api.yml
// definitions Presence; UserPresenceSchema dumps it).
type Presence struct {
	UUID         string  `json:"uuid"`
	TenantUUID   string  `json:"tenant_uuid"`
	State        string  `json:"state"`
	Status       *string `json:"status"`
	LastActivity *string `json:"last_activity"`
	LineState    string  `json:"line_state"`
	Mobile       bool    `json:"mobile"`
	DoNotDisturb bool    `json:"do_not_disturb"`
	Connected    bool    `json:"connected"`
	Lines        []Line  `json:"lines"`
}

// MergedLineState is the user's line_state: the highest priority among
// its lines, ringing > progressing > holding > talking > available >
// unavailable (schemas.py UserPresenceSchema._set_line_state).
func MergedLineState(lines []Line) string {
	for _, want := range []string{LineRinging, LineProgressing, LineHolding, LineTalking, LineAvailable} {
		for _, l := range lines {
			if l.State == want {
				return want
			}
		}
	}
	return LineUnavailable
}

// Config wires a Store.
type Config struct {
	Users *directory.Directory
	Calls *callmodel.Model
	Now   func() time.Time
	// Publish puts an event on the bus (httpside.Bus.Publish).
	Publish func(name, userUUID, tenantUUID, requiredACL string, data any)
	// Connected reports whether the user has a wazo-auth session (chatd's
	// "connected": the user has sessions, schemas.py _set_connected).
	Connected func(userUUID string) bool
}

// userState is what chatd stores per user beyond its lines.
type userState struct {
	state        string
	status       *string
	lastActivity *time.Time
	dnd          bool
	connected    bool // stand-in override: a demo colleague's phone is "logged in"
}

// Store holds every user's presence. Safe for concurrent use.
type Store struct {
	cfg Config

	mu    sync.Mutex
	users map[string]*userState
	last  map[string]string // last published line signature per user

	wake chan struct{}
}

// New makes a store. Users start "unavailable" with no status and no
// last activity, as chatd creates them (bus_consume.py _user_created).
func New(cfg Config) *Store {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Publish == nil {
		cfg.Publish = func(string, string, string, string, any) {}
	}
	return &Store{cfg: cfg, users: map[string]*userState{}, last: map[string]string{}, wake: make(chan struct{}, 1)}
}

func (s *Store) stateLocked(uuid string) *userState {
	st, ok := s.users[uuid]
	if !ok {
		st = &userState{state: StateUnavailable}
		s.users[uuid] = st
	}
	return st
}

// Get returns one user's presence.
func (s *Store) Get(userUUID string) (Presence, error) {
	u, ok := s.cfg.Users.User(userUUID)
	if !ok {
		return Presence{}, fmt.Errorf("%w: %s", ErrNoSuchUser, userUUID)
	}
	return s.dump(u, s.channels()), nil
}

// List returns the presences of the tenant's users, restricted to uuids
// when it is not empty (ListRequestSchema user_uuid), sorted by uuid.
func (s *Store) List(tenantUUID string, uuids []string) []Presence {
	chans := s.channels()
	var out []Presence
	for _, u := range s.cfg.Users.All() {
		if tenantUUID != "" && u.TenantUUID != tenantUUID {
			continue
		}
		if len(uuids) > 0 && !slices.Contains(uuids, u.UUID) {
			continue
		}
		out = append(out, s.dump(u, chans))
	}
	slices.SortFunc(out, func(a, b Presence) int {
		switch {
		case a.UUID < b.UUID:
			return -1
		case a.UUID > b.UUID:
			return 1
		}
		return 0
	})
	return out
}

// Count is the number of the tenant's users (the list's total).
func (s *Store) Count(tenantUUID string) int {
	n := 0
	for _, u := range s.cfg.Users.All() {
		if tenantUUID == "" || u.TenantUUID == tenantUUID {
			n++
		}
	}
	return n
}

// Update sets a user's state and status, stamps last_activity and
// publishes the new presence (services.py PresenceService.update). A nil
// status leaves the stored one (update_model_instance sets only the keys
// the body has); use an empty string to clear it.
func (s *Store) Update(userUUID, state string, status *string, clearStatus bool) error {
	if !ValidState(state) {
		return fmt.Errorf("%w: %q", ErrInvalidState, state)
	}
	u, ok := s.cfg.Users.User(userUUID)
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoSuchUser, userUUID)
	}
	now := s.cfg.Now().UTC()
	s.mu.Lock()
	st := s.stateLocked(userUUID)
	st.state = state
	if status != nil {
		v := *status
		st.status = &v
	} else if clearStatus {
		st.status = nil
	}
	st.lastActivity = &now
	s.mu.Unlock()
	s.publish(u, s.channels())
	return nil
}

// SetDND records the user's do-not-disturb, as chatd does on confd's
// users_services_dnd_updated (bus_consume.py _user_dnd_updated), and
// publishes the presence when it changed.
func (s *Store) SetDND(userUUID string, enabled bool) error {
	u, ok := s.cfg.Users.User(userUUID)
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoSuchUser, userUUID)
	}
	s.mu.Lock()
	st := s.stateLocked(userUUID)
	changed := st.dnd != enabled
	st.dnd = enabled
	s.mu.Unlock()
	if changed {
		s.publish(u, s.channels())
	}
	return nil
}

// SetConnected is a stand-in control: it marks a user as having a session
// (a demo colleague whose own phone is logged in) without a token here.
func (s *Store) SetConnected(userUUID string, on bool) error {
	u, ok := s.cfg.Users.User(userUUID)
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoSuchUser, userUUID)
	}
	s.mu.Lock()
	st := s.stateLocked(userUUID)
	changed := st.connected != on
	st.connected = on
	s.mu.Unlock()
	if changed {
		s.publish(u, s.channels())
	}
	return nil
}

// Changed tells the store that the call model changed. It only signals
// (it may run under the call model's lock, see httpside.Bus.Subscribe);
// Run recomputes the line states.
func (s *Store) Changed() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run recomputes the line states after each Changed and publishes the
// presence of every user whose lines changed, until ctx ends.
func (s *Store) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		}
		chans := s.channels()
		for _, u := range s.cfg.Users.All() {
			sig := fmt.Sprint(lineStates(u, chans))
			s.mu.Lock()
			old, seen := s.last[u.UUID]
			s.last[u.UUID] = sig
			s.mu.Unlock()
			if seen && old != sig {
				s.publish(u, chans)
			}
		}
	}
}

func (s *Store) channels() []callmodel.Call {
	if s.cfg.Calls == nil {
		return nil
	}
	return s.cfg.Calls.All()
}

func (s *Store) publish(u directory.User, chans []callmodel.Call) {
	p := s.dump(u, chans)
	s.mu.Lock()
	s.last[u.UUID] = fmt.Sprint(p.Lines)
	s.mu.Unlock()
	// A TenantEvent: no user_uuid header; every user of the tenant whose
	// token grants events.chatd.users.<uuid>.presences.updated gets it
	// (wazo-bus resources/chatd/events.py; required_acl is
	// "events." + routing_key, resources/common/event.py).
	s.cfg.Publish(EventUpdated, "", u.TenantUUID, "events.chatd.users."+u.UUID+".presences.updated", p)
}

func (s *Store) dump(u directory.User, chans []callmodel.Call) Presence {
	s.mu.Lock()
	st := *s.stateLocked(u.UUID)
	s.mu.Unlock()
	p := Presence{
		UUID: u.UUID, TenantUUID: u.TenantUUID, State: st.state, Status: st.status,
		DoNotDisturb: st.dnd, Lines: lineStates(u, chans),
	}
	if st.lastActivity != nil {
		// marshmallow DateTime: ISO 8601.
		v := st.lastActivity.Format("2006-01-02T15:04:05.000000+00:00")
		p.LastActivity = &v
	}
	p.Connected = st.connected || (s.cfg.Connected != nil && s.cfg.Connected(u.UUID))
	p.LineState = MergedLineState(p.Lines)
	return p
}

// lineStates is each line's state: the highest priority among its
// channels (ringing > progressing > holding > talking), else the
// endpoint's state (LinePresenceSchema._set_state). A line's channels are
// the ones its user owns on it, plus the scripted peer answering for its
// extension (the stand-in's Asterisk plays the colleague's phone). The
// endpoint is always "available": the stand-in has no device states
// (docs/wazo-protocol.md, wazo-chatd).
func lineStates(u directory.User, chans []callmodel.Call) []Line {
	out := make([]Line, 0, len(u.Lines))
	for _, l := range u.Lines {
		var states []string
		for _, c := range chans {
			owner := c.Owner()
			mine := owner == u.UUID && c.LineID != nil && *c.LineID == l.ID
			if owner == "" {
				for _, e := range l.Extensions {
					if c.CallerIDNumber == e.Exten {
						mine = true
					}
				}
			}
			if mine {
				states = append(states, channelState(c))
			}
		}
		state := LineAvailable
		for _, want := range []string{LineRinging, LineProgressing, LineHolding, LineTalking} {
			if slices.Contains(states, want) {
				state = want
				break
			}
		}
		out = append(out, Line{ID: l.ID, State: state})
	}
	return out
}

// channelState maps a channel as chatd does: Ring → progressing, Ringing
// → ringing, Up → talking (initiator.py CHANNEL_STATE_MAP), held →
// holding (bus_consume.py _channel_hold).
func channelState(c callmodel.Call) string {
	if c.OnHold {
		return LineHolding
	}
	switch c.Status {
	case callmodel.StatusRing:
		return LineProgressing
	case callmodel.StatusRinging:
		return LineRinging
	case callmodel.StatusUp, "Busy":
		return LineTalking
	}
	return "undefined"
}
