package soak

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sample is the process at one moment.
type Sample struct {
	At         time.Duration // since the sampler started
	Calls      int           // calls completed so far
	RSS        int64         // resident set size, bytes (-1: unknown)
	Heap       uint64        // live heap after runtime.GC (HeapAlloc), bytes
	Goroutines int
	FDs        int // open file descriptors (-1: unknown)
	Backlog    int // deepest event queue (the probe's answer)
}

func (s Sample) String() string {
	out := fmt.Sprintf("rss=%.1fMB heap=%.1fMB goroutines=%d fds=%d backlog=%d",
		float64(s.RSS)/(1<<20), float64(s.Heap)/(1<<20), s.Goroutines, s.FDs, s.Backlog)
	if s.At > 0 { // taken by a Sampler
		out = fmt.Sprintf("t=%s calls=%d %s", s.At.Round(time.Second), s.Calls, out)
	}
	return out
}

// Take samples the process now. It runs a full collection first, so Heap
// is what is still reachable (a leak), not garbage not yet collected.
func Take(backlog func() int) Sample {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := Sample{RSS: rss(), Heap: ms.HeapAlloc, Goroutines: runtime.NumGoroutine(), FDs: fds()}
	if backlog != nil {
		s.Backlog = backlog()
	}
	return s
}

// rss reads VmRSS from /proc/self/status (Linux; -1 elsewhere).
func rss() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(v) // "123456 kB"
			if len(f) >= 1 {
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return kb << 10
				}
			}
		}
	}
	return -1
}

// fds counts /proc/self/fd (Linux; -1 elsewhere). The directory handle
// ReadDir itself opens is not counted: it is listed only while open, and
// the count is the same for every sample anyway.
func fds() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// Sampler takes a Sample every interval on its own goroutine until Stop.
type Sampler struct {
	every   time.Duration
	backlog func() int
	start   time.Time

	mu      sync.Mutex
	calls   int
	samples []Sample

	cancel context.CancelFunc
	done   chan struct{}
}

// NewSampler starts sampling; backlog may be nil.
func NewSampler(every time.Duration, backlog func() int) *Sampler {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Sampler{every: every, backlog: backlog, start: time.Now(), cancel: cancel, done: make(chan struct{})}
	go s.run(ctx)
	return s
}

func (s *Sampler) run(ctx context.Context) {
	defer close(s.done)
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		s.Mark()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// CallDone counts one completed call (it goes into later samples).
func (s *Sampler) CallDone() {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
}

// Mark takes a sample now (besides the periodic ones) and returns it.
func (s *Sampler) Mark() Sample {
	smp := Take(s.backlog)
	s.mu.Lock()
	defer s.mu.Unlock()
	smp.At, smp.Calls = time.Since(s.start), s.calls
	s.samples = append(s.samples, smp)
	return smp
}

// Stop ends sampling and returns every sample, oldest first.
func (s *Sampler) Stop() []Sample {
	s.cancel()
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sample(nil), s.samples...)
}

// Growth compares two samples: what grew from base to s (negative: shrank).
type Growth struct {
	RSS, Heap       int64
	Goroutines, FDs int
}

// Since is s minus base.
func (s Sample) Since(base Sample) Growth {
	return Growth{RSS: s.RSS - base.RSS, Heap: int64(s.Heap) - int64(base.Heap),
		Goroutines: s.Goroutines - base.Goroutines, FDs: s.FDs - base.FDs}
}

func (g Growth) String() string {
	return fmt.Sprintf("rss %+.1fMB heap %+.1fMB goroutines %+d fds %+d",
		float64(g.RSS)/(1<<20), float64(g.Heap)/(1<<20), g.Goroutines, g.FDs)
}

// Settle takes samples until ok accepts one or the deadline passes, and
// returns the last: goroutines and connections wind down a moment after
// the call that owned them ended, so "back to the baseline" is waited for,
// never assumed.
func Settle(deadline time.Duration, backlog func() int, ok func(Sample) bool) (Sample, bool) {
	end := time.Now().Add(deadline)
	for {
		s := Take(backlog)
		if ok(s) {
			return s, true
		}
		if time.Now().After(end) {
			return s, false
		}
		time.Sleep(200 * time.Millisecond)
	}
}
