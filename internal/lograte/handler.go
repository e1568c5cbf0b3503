// Package lograte keeps what a peer sends from deciding how much we log.
// Its Handler sits in front of another slog.Handler:
//
//   - each kind of WARN or ERROR record (its message text: a library's are
//     constants) is passed on at most once per interval; the next one that
//     passes says how many were dropped in between ("suppressed");
//   - records whose message is listed with WithDemote are passed on at
//     WARN, not ERROR: a peer's garbage is the peer's fault, not ours;
//   - string attributes are cut to MaxAttr bytes, so a 60 KB datagram is
//     not copied into the log.
//
// DEBUG and INFO records pass unchanged: the logger's level decides.
package lograte

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

const (
	// Every is the default interval per kind of record.
	Every = 10 * time.Second
	// MaxAttr is the longest string attribute passed on, in bytes.
	MaxAttr = 200
	// maxKinds bounds the table of kinds; more share one slot.
	maxKinds = 64
)

// Option configures New.
type Option func(*state)

// WithEvery sets the interval per kind (default Every).
func WithEvery(d time.Duration) Option { return func(s *state) { s.every = d } }

// WithClock sets the clock (tests).
func WithClock(now func() time.Time) Option { return func(s *state) { s.now = now } }

// WithDemote lists messages logged at WARN when they come at ERROR.
func WithDemote(msgs ...string) Option {
	return func(s *state) {
		for _, m := range msgs {
			s.demote[m] = true
		}
	}
}

// Handler is the rate-limiting slog.Handler; New makes one.
type Handler struct {
	next slog.Handler
	st   *state // shared by WithAttrs/WithGroup children
}

type state struct {
	every  time.Duration
	now    func() time.Time
	demote map[string]bool

	mu    sync.Mutex
	kinds map[string]*kind
}

type kind struct {
	last       time.Time
	suppressed int
}

// New wraps next.
func New(next slog.Handler, opts ...Option) *Handler {
	st := &state{every: Every, now: time.Now, demote: map[string]bool{}, kinds: map[string]*kind{}}
	for _, o := range opts {
		o(st)
	}
	return &Handler{next: next, st: st}
}

// Logger is slog.New(New(l.Handler(), opts...)).
func Logger(l *slog.Logger, opts ...Option) *slog.Logger {
	return slog.New(New(l.Handler(), opts...))
}

func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool {
	if l >= slog.LevelError {
		// A demoted ERROR is logged at WARN: ask about that level.
		return h.next.Enabled(ctx, slog.LevelWarn)
	}
	return h.next.Enabled(ctx, l)
}

func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn {
		return h.next.Handle(ctx, r)
	}
	suppressed, ok := h.st.admit(r.Message)
	if !ok {
		return nil
	}
	level := r.Level
	if h.st.demote[r.Message] && level > slog.LevelWarn {
		level = slog.LevelWarn
	}
	if !h.next.Enabled(ctx, level) {
		return nil
	}
	out := slog.NewRecord(r.Time, level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(clip(a))
		return true
	})
	if suppressed > 0 {
		out.AddAttrs(slog.Int("suppressed", suppressed))
	}
	return h.next.Handle(ctx, out)
}

func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	return &Handler{next: h.next.WithAttrs(as), st: h.st}
}

func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name), st: h.st}
}

// admit reports whether a record of that kind may be logged now, and how
// many of that kind were dropped since the last one logged.
func (s *state) admit(msg string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	k := s.kinds[msg]
	if k == nil && len(s.kinds) >= maxKinds {
		msg = "" // the shared slot: the table stays bounded
		k = s.kinds[msg]
	}
	if k == nil {
		s.kinds[msg] = &kind{last: now}
		return 0, true
	}
	if now.Sub(k.last) < s.every {
		k.suppressed++
		return 0, false
	}
	n := k.suppressed
	k.last, k.suppressed = now, 0
	return n, true
}

func clip(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		if s := v.String(); len(s) > MaxAttr {
			return slog.String(a.Key, s[:MaxAttr]+"…")
		}
	case slog.KindGroup:
		g := v.Group()
		out := make([]any, 0, len(g))
		for _, ga := range g {
			out = append(out, clip(ga))
		}
		return slog.Group(a.Key, out...)
	}
	return slog.Attr{Key: a.Key, Value: v}
}
