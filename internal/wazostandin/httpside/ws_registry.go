package httpside

import (
	"sync"

	"github.com/gorilla/websocket"
)

// wsRegistry tracks live websocketd sessions so Close can stop and wait for
// them (hijacked connections are invisible to http.Server.Shutdown) and so
// tests can kill them.
type wsRegistry struct {
	mu       sync.Mutex
	sessions map[*wsSession]struct{}
	closed   bool
	wg       sync.WaitGroup
}

func newWSRegistry() *wsRegistry { return &wsRegistry{sessions: map[*wsSession]struct{}{}} }

func (r *wsRegistry) add(s *wsSession) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.sessions[s] = struct{}{}
	r.wg.Add(1)
	return true
}

func (r *wsRegistry) remove(s *wsSession) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.sessions[s]; ok {
		delete(r.sessions, s)
		r.wg.Done()
	}
}

func (r *wsRegistry) each(f func(*wsSession)) {
	r.mu.Lock()
	list := make([]*wsSession, 0, len(r.sessions))
	for s := range r.sessions {
		list = append(list, s)
	}
	r.mu.Unlock()
	for _, s := range list {
		f(s)
	}
}

func (r *wsRegistry) closeAll() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.each(func(s *wsSession) { s.request(wsCtrl{code: websocket.CloseGoingAway, reason: "server shutdown"}) })
	r.wg.Wait()
}

func (r *wsRegistry) recheckTokens() { r.each(func(s *wsSession) { s.request(wsCtrl{recheck: true}) }) }
