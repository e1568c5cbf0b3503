package sipua

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Network noise in sipgo's logs. sipgo logs every datagram or stream chunk
// it cannot parse at ERROR with the whole input as an attribute
// (sipgo v1.7.2 sip/transport_udp.go parseAndHandle, transport_tcp.go and
// transport_ws.go parseStream: "failed to parse", "data", string(data)).
// Whoever can send us a UDP packet therefore decides how much ERROR we log
// and what it says. noiseFilter sits between sipgo and the UA's logger:
//
//   - a record caused by what a peer sent is logged at WARN, not ERROR
//     (the peer is at fault, not Parley);
//   - each kind of WARN/ERROR record (its message text: sipgo's are
//     constants) is logged at most once per interval; the next one that
//     passes says how many were dropped in between ("suppressed");
//   - string attributes are cut to noiseMaxAttr bytes, so a 60 KB
//     datagram is not copied into the log.
//
// DEBUG and INFO records pass unchanged: the logger's level decides.
const (
	noiseEvery   = 10 * time.Second
	noiseMaxAttr = 200
	noiseKinds   = 64 // distinct messages tracked; more share one slot
)

// peerFault lists sipgo's messages whose cause is the peer's input.
var peerFault = map[string]bool{
	"failed to parse":   true, // transport_udp.go, transport_tcp.go, transport_ws.go
	"Read filter error": true, // our read filter refused the input
	"Fail to upgrade":   true, // transport_ws.go: a bad WebSocket handshake
}

type noiseFilter struct {
	next slog.Handler
	st   *noiseState // shared by WithAttrs/WithGroup children
}

type noiseState struct {
	every time.Duration
	now   func() time.Time

	mu    sync.Mutex
	kinds map[string]*noiseKind
}

type noiseKind struct {
	last       time.Time
	suppressed int
}

// newNoiseFilter wraps next; every is the interval per kind, now the clock
// (nil: time.Now).
func newNoiseFilter(next slog.Handler, every time.Duration, now func() time.Time) *noiseFilter {
	if now == nil {
		now = time.Now
	}
	return &noiseFilter{next: next, st: &noiseState{every: every, now: now, kinds: map[string]*noiseKind{}}}
}

func (f *noiseFilter) Enabled(ctx context.Context, l slog.Level) bool {
	if l >= slog.LevelError {
		// A demoted ERROR is logged at WARN: ask about that level.
		return f.next.Enabled(ctx, slog.LevelWarn)
	}
	return f.next.Enabled(ctx, l)
}

func (f *noiseFilter) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn {
		return f.next.Handle(ctx, r)
	}
	suppressed, ok := f.st.admit(r.Message)
	if !ok {
		return nil
	}
	level := r.Level
	if peerFault[r.Message] && level > slog.LevelWarn {
		level = slog.LevelWarn
	}
	out := slog.NewRecord(r.Time, level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(clipAttr(a))
		return true
	})
	if suppressed > 0 {
		out.AddAttrs(slog.Int("suppressed", suppressed))
	}
	if !f.next.Enabled(ctx, level) {
		return nil
	}
	return f.next.Handle(ctx, out)
}

func (f *noiseFilter) WithAttrs(as []slog.Attr) slog.Handler {
	return &noiseFilter{next: f.next.WithAttrs(as), st: f.st}
}

func (f *noiseFilter) WithGroup(name string) slog.Handler {
	return &noiseFilter{next: f.next.WithGroup(name), st: f.st}
}

// admit reports whether a record of that kind may be logged now, and how
// many of that kind were dropped since the last one logged.
func (s *noiseState) admit(msg string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.kinds[msg]
	if k == nil {
		if len(s.kinds) >= noiseKinds {
			msg = "" // the shared slot: the map stays bounded
			k = s.kinds[msg]
		}
		if k == nil {
			k = &noiseKind{}
			s.kinds[msg] = k
			k.last = s.now()
			return 0, true
		}
	}
	now := s.now()
	if now.Sub(k.last) < s.every {
		k.suppressed++
		return 0, false
	}
	n := k.suppressed
	k.last, k.suppressed = now, 0
	return n, true
}

func clipAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		if s := v.String(); len(s) > noiseMaxAttr {
			return slog.String(a.Key, s[:noiseMaxAttr]+"…")
		}
	case slog.KindGroup:
		g := v.Group()
		out := make([]any, 0, len(g))
		for _, ga := range g {
			out = append(out, clipAttr(ga))
		}
		return slog.Group(a.Key, out...)
	}
	return slog.Attr{Key: a.Key, Value: v}
}
