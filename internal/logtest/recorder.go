// Package logtest is a test double for slog: a handler that keeps every
// record it is given, for tests that check what a package logs (and how
// often: network garbage must be logged once, not per datagram).
package logtest

import (
	"context"
	"log/slog"
	"sync"
)

// Recorder is an slog.Handler that keeps every record at Level or above.
// Its zero value records everything from Info up; it is safe for
// concurrent use.
type Recorder struct {
	Level slog.Level

	mu   sync.Mutex
	recs []slog.Record
}

// Enabled implements slog.Handler.
func (h *Recorder) Enabled(_ context.Context, l slog.Level) bool { return l >= h.Level }

// Handle implements slog.Handler.
func (h *Recorder) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recs = append(h.recs, r.Clone())
	return nil
}

// WithAttrs implements slog.Handler; the attributes are not kept.
func (h *Recorder) WithAttrs([]slog.Attr) slog.Handler { return h }

// WithGroup implements slog.Handler; the group is not kept.
func (h *Recorder) WithGroup(string) slog.Handler { return h }

// Records returns a copy of every record so far.
func (h *Recorder) Records() []slog.Record {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]slog.Record(nil), h.recs...)
}

// Matching returns the records whose message is msg.
func (h *Recorder) Matching(msg string) []slog.Record {
	var out []slog.Record
	for _, r := range h.Records() {
		if r.Message == msg {
			out = append(out, r)
		}
	}
	return out
}

// Attr returns the value of the record's attribute key.
func Attr(r slog.Record, key string) (slog.Value, bool) {
	var v slog.Value
	found := false
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == key {
			v, found = a.Value, true
			return false
		}
		return true
	})
	return v, found
}
