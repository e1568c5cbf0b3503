package jitter

import (
	"log/slog"
	"time"
)

// Option configures a Buffer.
type Option func(*config)

type config struct {
	frame, start, min, max time.Duration
	jump, idle             time.Duration
	window                 int
	maxPayload             int
	now                    func() time.Time
	log                    *slog.Logger
}

func defaultConfig() config {
	return config{
		frame: 20 * time.Millisecond,
		start: 40 * time.Millisecond,
		// Two frames at least: one for jitter, one so that when a packet is
		// lost the next one is already here for Opus FEC. WithDelay can go
		// down to one frame (20 ms) for FEC-less codecs on quiet LANs.
		min: 40 * time.Millisecond,
		max: 200 * time.Millisecond,
		// A timestamp more than 1 s away from playout cannot be jitter.
		jump: time.Second,
		// 200 ms with nothing buffered: the far end went quiet.
		idle:       200 * time.Millisecond,
		window:     50, // 1 s of 20 ms frames between shrink decisions
		maxPayload: 1500,
		now:        time.Now,
		log:        slog.New(slog.DiscardHandler),
	}
}

// WithFrameDuration sets the packet duration (RTP ptime), default 20 ms.
func WithFrameDuration(d time.Duration) Option { return func(c *config) { c.frame = d } }

// WithDelay sets the start delay and the range the adaptive delay stays
// in (defaults 40 ms, 40..200 ms).
func WithDelay(start, minDelay, maxDelay time.Duration) Option {
	return func(c *config) {
		c.start, c.min, c.max = start, minDelay, max(maxDelay, minDelay)
	}
}

// WithClock sets the clock Push uses to timestamp arrivals (tests).
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithLogger sets the logger for rare events such as resyncs.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}
