package desk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-voip/parley/internal/eventq"
	"github.com/parley-voip/parley/internal/textmatch"
	"github.com/parley-voip/parley/wazo"
	"github.com/parley-voip/parley/wazoline"
)

// Presence is a user's chosen presence (wazo-chatd's state).
type Presence string

// The presences a user may choose (docs/wazo-protocol.md, wazo-chatd).
const (
	PresenceAvailable   Presence = "available"
	PresenceAway        Presence = "away"
	PresenceUnavailable Presence = "unavailable" // shown as "offline"
	PresenceInvisible   Presence = "invisible"   // online, shown to others as offline
)

// Valid reports whether p is one of the four presences.
func (p Presence) Valid() bool {
	switch p {
	case PresenceAvailable, PresenceAway, PresenceUnavailable, PresenceInvisible:
		return true
	}
	return false
}

// LineState is what a colleague's phone is doing, from chatd's merged
// line_state.
type LineState string

// Line states. chatd's "available" is LineIdle, "progressing" (dialling
// out, the far end ringing) is LineCalling, "unavailable" (no phone
// registered) is LineOffline.
const (
	LineIdle    LineState = "idle"
	LineRinging LineState = "ringing"
	LineCalling LineState = "calling"
	LineTalking LineState = "talking"
	LineHolding LineState = "holding"
	LineOffline LineState = "offline"
)

func lineStateOf(s string) LineState {
	switch s {
	case wazo.LineStateAvailable:
		return LineIdle
	case wazo.LineStateRinging:
		return LineRinging
	case wazo.LineStateProgressing:
		return LineCalling
	case wazo.LineStateTalking:
		return LineTalking
	case wazo.LineStateHolding:
		return LineHolding
	}
	return LineOffline
}

// Colleague is one user of the tenant with their presence and line.
type Colleague struct {
	UUID      string
	Name      string // "Firstname Lastname" (dird's wazo source)
	Extension string // what to dial
	Presence  Presence
	Status    string // the text they set, "" when none
	DND       bool   // do-not-disturb (confd's service, read-only in chatd)
	Line      LineState
	Connected bool // logged in somewhere
	Me        bool // the signed-in user
}

// ErrInvalidPresence: SetMyPresence got something else than the four.
var ErrInvalidPresence = errors.New("that presence is not available, away, unavailable or invisible")

// Colleagues is the colleagues service (d.Colleagues()): names and
// extensions from dird's "wazo" source of the user's profile, presences
// from wazo-chatd, kept live from chatd_presence_updated events.
type Colleagues struct {
	d   *Desk
	hub *eventq.Hub[Colleague]

	// loaded: Load succeeded once, so a reconnect reloads.
	loaded atomic.Bool

	mu     sync.Mutex
	people map[string]*Colleague // by uuid; names may arrive after presences
}

// resyncTimeout bounds the reload after a reconnect.
const resyncTimeout = 30 * time.Second

// Colleagues returns the colleagues service. Its event loop starts with
// the first call; Load fetches the list.
func (d *Desk) Colleagues() *Colleagues {
	d.colleaguesOnce.Do(func() {
		c := &Colleagues{d: d, hub: eventq.New[Colleague](), people: map[string]*Colleague{}}
		events, stop := d.line.Subscribe()
		d.goOwned(func(ctx context.Context) {
			defer c.hub.Close()
			defer stop()
			for {
				select {
				case <-ctx.Done():
					return
				case ev, ok := <-events:
					if !ok {
						return
					}
					if ev.Name == wazoline.EventResynced && c.loaded.Load() {
						// The socket was down: refetch what events would have said.
						lctx, cancel := context.WithTimeout(ctx, resyncTimeout)
						if err := c.Load(lctx); err != nil {
							d.log.Warn("desk: cannot refresh the colleagues after reconnecting", "err", err)
						}
						cancel()
						continue
					}
					if ev.Name == wazo.EventPresenceUpdated {
						var p wazo.Presence
						if err := json.Unmarshal(ev.Data, &p); err != nil {
							d.log.Warn("desk: unreadable presence event", "err", err)
							continue
						}
						if col, ok := c.applyPresence(p); ok {
							c.hub.Publish(col)
						}
					}
				}
			}
		})
		d.colleagues = c
	})
	return d.colleagues
}

// Subscribe returns every colleague change from now on (the whole
// Colleague after the change, the signed-in user included), in order,
// never blocking the service, and a function that ends the subscription.
// The channel closes when the Desk closes.
func (c *Colleagues) Subscribe() (<-chan Colleague, func()) { return c.hub.Subscribe() }

// Load fetches the names and extensions (dird) and every presence
// (chatd). A colleague changed by Load is announced to subscribers like
// an event would. It may be called again to resynchronise.
func (c *Colleagues) Load(ctx context.Context) error {
	cl := c.d.client
	profile := "default"
	if u, err := cl.User(ctx); err == nil {
		for _, l := range u.Lines {
			if l.Context != "" {
				profile = l.Context // the Wazo apps' primary context
				break
			}
		}
	}
	srcs, err := cl.ProfileSources(ctx, profile)
	if err != nil {
		return fmt.Errorf("desk: cannot list the company directory's sources: %w", err)
	}
	var contacts []wazo.WazoContact
	for _, s := range srcs {
		if s.Backend != "wazo" {
			continue
		}
		cs, err := cl.WazoSourceContacts(ctx, s.UUID, "", 0)
		if err != nil {
			return fmt.Errorf("desk: cannot list your colleagues: %w", err)
		}
		contacts = append(contacts, cs...)
	}
	presences, err := cl.Presences(ctx)
	if err != nil {
		return fmt.Errorf("desk: cannot read your colleagues' presence: %w", err)
	}
	var changed []Colleague
	c.mu.Lock()
	for _, w := range contacts {
		if w.UUID == "" {
			continue
		}
		col := c.personLocked(w.UUID)
		before := *col
		col.Name = strings.TrimSpace(w.Firstname + " " + w.Lastname)
		col.Extension = w.Exten
		if *col != before {
			changed = append(changed, *col)
		}
	}
	c.mu.Unlock()
	for _, p := range presences {
		if col, ok := c.applyPresence(p); ok {
			changed = append(changed, col)
		}
	}
	for _, col := range changed {
		c.hub.Publish(c.snapshot(col.UUID))
	}
	c.loaded.Store(true)
	return nil
}

func (c *Colleagues) personLocked(uuid string) *Colleague {
	col, ok := c.people[uuid]
	if !ok {
		col = &Colleague{UUID: uuid, Presence: PresenceUnavailable, Line: LineOffline, Me: uuid == c.d.UserUUID()}
		c.people[uuid] = col
	}
	return col
}

func (c *Colleagues) snapshot(uuid string) Colleague {
	c.mu.Lock()
	defer c.mu.Unlock()
	return *c.personLocked(uuid)
}

// applyPresence stores p and reports the colleague when it changed.
func (c *Colleagues) applyPresence(p wazo.Presence) (Colleague, bool) {
	if p.UUID == "" {
		return Colleague{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	col := c.personLocked(p.UUID)
	before := *col
	col.Presence = Presence(p.State)
	if !col.Presence.Valid() {
		col.Presence = PresenceUnavailable
	}
	col.Status = ""
	if p.Status != nil {
		col.Status = *p.Status
	}
	col.DND = p.DoNotDisturb
	col.Line = lineStateOf(p.LineState)
	col.Connected = p.Connected
	return *col, *col != before
}

// List returns the colleagues (not the signed-in user) whose name or
// extension matches search, sorted by name. The match ignores case and
// accents ("helene" finds "Hélène"); a typed number matches the
// extension's digits. Users dird does not name are left out.
func (c *Colleagues) List(search string) []Colleague {
	q := textmatch.Fold(strings.TrimSpace(search))
	digits := ""
	if q != "" && textmatch.IsDialString(q) {
		digits = textmatch.Digits(q)
	}
	c.mu.Lock()
	out := make([]Colleague, 0, len(c.people))
	for _, col := range c.people {
		if col.Me || col.Name == "" {
			continue
		}
		if q != "" {
			nameHit := strings.Contains(textmatch.Fold(col.Name), q)
			extHit := digits != "" && strings.Contains(textmatch.Digits(col.Extension), digits)
			if !nameHit && !extHit {
				continue
			}
		}
		out = append(out, *col)
	}
	c.mu.Unlock()
	slices.SortFunc(out, func(a, b Colleague) int {
		if n := strings.Compare(textmatch.Fold(a.Name), textmatch.Fold(b.Name)); n != 0 {
			return n
		}
		return strings.Compare(a.UUID, b.UUID)
	})
	return out
}

// Get returns one colleague by uuid.
func (c *Colleagues) Get(uuid string) (Colleague, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	col, ok := c.people[uuid]
	if !ok {
		return Colleague{}, false
	}
	return *col, true
}

// Me is the signed-in user's own presence as the server last told it.
func (c *Colleagues) Me() Colleague { return c.snapshot(c.d.UserUUID()) }

// SetMyDoNotDisturb turns the signed-in user's server-side do-not-disturb
// on or off (confd's DND service): Wazo then rings none of their devices,
// and colleagues see it (chatd's do_not_disturb, which comes back as an
// event).
func (c *Colleagues) SetMyDoNotDisturb(ctx context.Context, on bool) error {
	if err := c.d.client.SetDoNotDisturb(ctx, on); err != nil {
		return fmt.Errorf("desk: cannot set do-not-disturb on the server: %w", err)
	}
	return nil
}

// SetMyPresence sets the signed-in user's presence and status text on
// the server (chatd PUT /users/{uuid}/presences); a nil status keeps the
// text the server has, "" clears it. The change comes back
// as a chatd_presence_updated event, which updates Me and is announced
// to subscribers. Do-not-disturb is not part of it: chatd takes it from
// confd's DND service (SetMyDoNotDisturb).
func (c *Colleagues) SetMyPresence(ctx context.Context, p Presence, status *string) error {
	if !p.Valid() {
		return fmt.Errorf("%w: %q", ErrInvalidPresence, p)
	}
	if err := c.d.client.SetMyPresence(ctx, string(p), status); err != nil {
		return fmt.Errorf("desk: cannot set your presence: %w", err)
	}
	return nil
}
