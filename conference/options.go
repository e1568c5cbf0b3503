package conference

import (
	"log/slog"
	"time"
)

// Option configures a backend (functional options, pion style).
type Option func(*config)

type config struct {
	log          *slog.Logger
	readyTimeout time.Duration
	now          func() time.Time
}

func defaultConfig() config {
	return config{log: slog.New(slog.DiscardHandler), readyTimeout: 5 * time.Second, now: time.Now}
}

// WithLogger sets the structured logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}

// WithReadyTimeout bounds how long Start and AddParticipant wait for the
// server to say who a call is connected to (call_updated with talking_to,
// docs/wazo-protocol.md, Call object: talking_to is empty until the channels are bridged). Default 5 s.
func WithReadyTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.readyTimeout = d
		}
	}
}

// WithClock sets the clock used for event and join times (tests).
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}
