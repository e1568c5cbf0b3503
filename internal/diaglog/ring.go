package diaglog

import "sync"

// Ring keeps the last n entries; the oldest go first. It is safe for
// concurrent use.
type Ring struct {
	mu    sync.Mutex
	buf   []string
	next  int
	full  bool
	limit int
}

// NewRing returns a ring of n entries (at least 1).
func NewRing(n int) *Ring {
	return &Ring{buf: make([]string, max(n, 1)), limit: max(n, 1)}
}

// Add appends one entry, dropping the oldest when full.
func (r *Ring) Add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.buf[r.next] = s
	r.next = (r.next + 1) % r.limit
	if r.next == 0 {
		r.full = true
	}
}

// Entries returns the entries, oldest first.
func (r *Ring) Entries() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.full {
		return append([]string(nil), r.buf[:r.next]...)
	}
	return append(append([]string(nil), r.buf[r.next:]...), r.buf[:r.next]...)
}
