package diaglog

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
)

// DefaultLogLines is how many log records a Handler keeps by default.
const DefaultLogLines = 2000

// Handler is an slog.Handler writing text records into a Ring, at Debug
// and above whatever the terminal shows, so a bundle has the detail the
// user did not ask for on stderr. Attributes whose key names a secret are
// replaced by "(redacted)".
type Handler struct {
	ring  *Ring
	inner slog.Handler
}

// lockedBuffer is the text handler's output, one record at a time.
type lockedBuffer struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	ring *Ring
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// slog's text handler writes each record with one Write call.
	b.ring.Add(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// NewHandler returns a handler keeping the last lines records.
func NewHandler(lines int) *Handler {
	ring := NewRing(lines)
	out := &lockedBuffer{ring: ring}
	inner := slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: redactAttr})
	return &Handler{ring: ring, inner: inner}
}

// Lines returns the kept records, oldest first.
func (h *Handler) Lines() []string { return h.ring.Entries() }

// Enabled implements slog.Handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.inner.Enabled(ctx, l) }

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error { return h.inner.Handle(ctx, r) }

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	return &Handler{ring: h.ring, inner: h.inner.WithAttrs(as)}
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{ring: h.ring, inner: h.inner.WithGroup(name)}
}

// secretKeys are parts of attribute keys whose values are never kept.
var secretKeys = []string{"password", "passwd", "secret", "token", "authorization", "credential", "cookie", "key"}

func redactAttr(_ []string, a slog.Attr) slog.Attr {
	k := strings.ToLower(a.Key)
	for _, s := range secretKeys {
		if strings.Contains(k, s) {
			return slog.String(a.Key, "(redacted)")
		}
	}
	if a.Value.Kind() == slog.KindString {
		return slog.String(a.Key, RedactText(a.Value.String()))
	}
	return a
}

// Tee returns a handler sending each record to every one of hs, each
// deciding by its own level.
func Tee(hs ...slog.Handler) slog.Handler { return tee(hs) }

type tee []slog.Handler

func (t tee) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range t {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (t tee) Handle(ctx context.Context, r slog.Record) error {
	var first error
	for _, h := range t {
		if h.Enabled(ctx, r.Level) {
			if err := h.Handle(ctx, r.Clone()); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

func (t tee) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(tee, len(t))
	for i, h := range t {
		out[i] = h.WithAttrs(as)
	}
	return out
}

func (t tee) WithGroup(name string) slog.Handler {
	out := make(tee, len(t))
	for i, h := range t {
		out[i] = h.WithGroup(name)
	}
	return out
}
