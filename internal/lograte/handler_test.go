package lograte

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// logRecorder keeps every record it is given.
type logRecorder struct {
	mu    sync.Mutex
	level slog.Level
	recs  []slog.Record
}

func (h *logRecorder) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }
func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recs = append(h.recs, r.Clone())
	return nil
}
func (h *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logRecorder) WithGroup(string) slog.Handler      { return h }

func (h *logRecorder) matching(msg string) []slog.Record {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []slog.Record
	for _, r := range h.recs {
		if r.Message == msg {
			out = append(out, r)
		}
	}
	return out
}

func attrOf(r slog.Record, key string) (slog.Value, bool) {
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

func TestHandler(t *testing.T) {
	type rec struct {
		at    time.Duration // since the start
		level slog.Level
		msg   string
	}
	tests := []struct {
		name string
		in   []rec
		// want: "LEVEL msg suppressed" for each record passed on
		want []string
	}{
		{"a flood of unparsable datagrams is one WARN per interval",
			[]rec{{0, slog.LevelError, "failed to parse"}, {time.Second, slog.LevelError, "failed to parse"},
				{2 * time.Second, slog.LevelError, "failed to parse"}, {11 * time.Second, slog.LevelError, "failed to parse"}},
			[]string{"WARN failed to parse 0", "WARN failed to parse 2"}},
		{"kinds are limited separately",
			[]rec{{0, slog.LevelError, "failed to parse"}, {0, slog.LevelWarn, "connection pool not clean cleanup"},
				{time.Second, slog.LevelWarn, "connection pool not clean cleanup"}},
			[]string{"WARN failed to parse 0", "WARN connection pool not clean cleanup 0"}},
		{"an ERROR of ours stays an ERROR",
			[]rec{{0, slog.LevelError, "Read connection error"}},
			[]string{"ERROR Read connection error 0"}},
		{"debug and info pass unlimited",
			[]rec{{0, slog.LevelDebug, "x"}, {0, slog.LevelDebug, "x"}, {0, slog.LevelInfo, "y"}, {0, slog.LevelInfo, "y"}},
			[]string{"DEBUG x 0", "DEBUG x 0", "INFO y 0", "INFO y 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Unix(1000, 0)
			var now time.Time
			next := &logRecorder{level: slog.LevelDebug}
			f := New(next, WithEvery(10*time.Second), WithClock(func() time.Time { return now }), WithDemote("failed to parse"))
			log := slog.New(f)
			for _, r := range tt.in {
				now = start.Add(r.at)
				log.Log(context.Background(), r.level, r.msg)
			}
			var got []string
			for _, r := range next.recs {
				n := int64(0)
				if v, ok := attrOf(r, "suppressed"); ok {
					n = v.Int64()
				}
				got = append(got, fmt.Sprintf("%s %s %d", r.Level, r.Message, n))
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestHandlerClipsAndBounds(t *testing.T) {
	next := &logRecorder{level: slog.LevelDebug}
	log := slog.New(New(next, WithEvery(time.Hour), WithDemote("failed to parse"))).With("caller", "Transport<UDP>")
	log.Error("failed to parse", "data", strings.Repeat("A", 60000), "error", "bad")
	recs := next.matching("failed to parse")
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	if v, _ := attrOf(recs[0], "data"); len(v.String()) > MaxAttr+len("…") {
		t.Errorf("data attribute not clipped: %d bytes", len(v.String()))
	}
	// Many distinct messages: the table stays bounded.
	for i := 0; i < 10*maxKinds; i++ {
		log.Warn(fmt.Sprintf("kind %d", i))
	}
	f := log.Handler().(*Handler)
	if n := len(f.st.kinds); n > maxKinds+1 {
		t.Errorf("%d kinds tracked", n)
	}
	// The level filter below still applies to the demoted record.
	quiet := &logRecorder{level: slog.LevelError}
	slog.New(New(quiet, WithDemote("failed to parse"))).Error("failed to parse", "data", "x")
	if len(quiet.recs) != 0 {
		t.Errorf("a WARN reached an ERROR-level handler")
	}
}
