package lograte

import (
	"context"
	"fmt"
	"github.com/parley-voip/parley/internal/logtest"
	"log/slog"
	"strings"
	"testing"
	"time"
)

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
			next := &logtest.Recorder{Level: slog.LevelDebug}
			f := New(next, WithEvery(10*time.Second), WithClock(func() time.Time { return now }), WithDemote("failed to parse"))
			log := slog.New(f)
			for _, r := range tt.in {
				now = start.Add(r.at)
				log.Log(context.Background(), r.level, r.msg)
			}
			var got []string
			for _, r := range next.Records() {
				n := int64(0)
				if v, ok := logtest.Attr(r, "suppressed"); ok {
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
	next := &logtest.Recorder{Level: slog.LevelDebug}
	log := slog.New(New(next, WithEvery(time.Hour), WithDemote("failed to parse"))).With("caller", "Transport<UDP>")
	log.Error("failed to parse", "data", strings.Repeat("A", 60000), "error", "bad")
	recs := next.Matching("failed to parse")
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	if v, _ := logtest.Attr(recs[0], "data"); len(v.String()) > MaxAttr+len("…") {
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
	quiet := &logtest.Recorder{Level: slog.LevelError}
	slog.New(New(quiet, WithDemote("failed to parse"))).Error("failed to parse", "data", "x")
	if len(quiet.Records()) != 0 {
		t.Errorf("a WARN reached an ERROR-level handler")
	}
}
