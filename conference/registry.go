package conference

import (
	"sync"

	"github.com/parley-voip/parley/internal/eventq"
)

// registry is the state every backend shares: conferences by id, merged
// dialogs, and the event hub. A local mixing backend reuses it as is.
type registry struct {
	hub *eventq.Hub[Event]

	mu     sync.Mutex
	confs  map[string]*Conference
	order  []*Conference
	merged map[string]string // SIP Call-ID → conference id ("" = pending)
}

func newRegistry() *registry {
	return &registry{hub: eventq.New[Event](), confs: map[string]*Conference{}, merged: map[string]string{}}
}

func (r *registry) publish(ev Event) { r.hub.Publish(ev) }

func (r *registry) add(c *Conference) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.confs[c.snap.ID] = c
	r.order = append(r.order, c)
}

func (r *registry) get(id string) (*Conference, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.confs[id]
	return c, ok
}

func (r *registry) live() []*Conference {
	r.mu.Lock()
	all := append([]*Conference(nil), r.order...)
	r.mu.Unlock()
	var out []*Conference
	for _, c := range all {
		if !c.Snapshot().Finished {
			out = append(out, c)
		}
	}
	return out
}

func (r *registry) hostedOn(sipCallID string) (*Conference, bool) {
	for _, c := range r.live() {
		if c.Snapshot().Host == sipCallID {
			return c, true
		}
	}
	return nil, false
}

// markPending records dialogs the server is about to hang up for a merge,
// before the request goes out: the BYE can arrive before the answer (docs/wazo-protocol.md, Ad-hoc conferences:
// calld hangs the discarded legs up while handling the request).
func (r *registry) markPending(sipCallIDs ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range sipCallIDs {
		if _, ok := r.merged[id]; !ok {
			r.merged[id] = ""
		}
	}
}

func (r *registry) unmark(sipCallIDs ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range sipCallIDs {
		if r.merged[id] == "" {
			delete(r.merged, id)
		}
	}
}

func (r *registry) confirmMerged(confID string, sipCallIDs ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range sipCallIDs {
		r.merged[id] = confID
	}
}

func (r *registry) mergedInto(sipCallID string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id, ok := r.merged[sipCallID]
	return id, ok
}
