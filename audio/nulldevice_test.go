package audio

import (
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/dsp"
)

func TestNullDeviceTicks(t *testing.T) {
	tests := []struct {
		name   string
		cfg    DeviceConfig
		opts   func(gen *dsp.ToneGen, sink *[]int16) []NullOption
		period int
	}{
		{"duplex 20 ms tone source", DeviceConfig{}, func(g *dsp.ToneGen, _ *[]int16) []NullOption {
			return []NullOption{WithSource(g.Fill)}
		}, 960},
		{"duplex 10 ms loopback", DeviceConfig{Period: 10 * time.Millisecond}, func(*dsp.ToneGen, *[]int16) []NullOption {
			return []NullOption{WithLoopback()}
		}, 480},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ticks := make(chan time.Time)
			gen, _ := dsp.NewToneGen(SampleRate, 0.5, 440)
			var played []int16
			opts := append(tc.opts(gen, &played), WithTicks(ticks), WithSink(func(out []int16) { played = append(played, out...) }))
			d, err := NewNullDevice(tc.cfg, opts...)
			if err != nil {
				t.Fatal(err)
			}
			var captured []int16
			src, _ := dsp.NewToneGen(SampleRate, 0.5, 440)
			err = d.Start(func(out, in []int16) {
				if len(out) != tc.period || len(in) != tc.period {
					t.Errorf("period %d/%d", len(out), len(in))
				}
				captured = append(captured, in...)
				src.Fill(out) // play a tone; loopback brings it back
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Start(func(_, _ []int16) {}); !errors.Is(err, ErrStarted) {
				t.Fatalf("second start: %v", err)
			}
			for range 50 {
				ticks <- time.Time{}
			}
			if err := d.Stop(); err != nil {
				t.Fatal(err)
			}
			if len(captured) != 50*tc.period || len(played) != 50*tc.period {
				t.Fatalf("captured %d played %d", len(captured), len(played))
			}
			if f := dsp.DominantFrequency(captured[tc.period:], SampleRate); math.Abs(f-440) > 2 {
				t.Fatalf("captured %v Hz", f)
			}
			if err := d.Start(func(_, _ []int16) {}); !errors.Is(err, ErrClosed) {
				t.Fatalf("start after stop: %v", err)
			}
		})
	}
}

func TestNullDeviceRealTime(t *testing.T) {
	d, err := NullHost{}.Open(DeviceConfig{Period: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	if err := d.Start(func(out, in []int16) { n.Add(int64(len(out))) }); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for n.Load() < 4800 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	_ = d.Stop()
	if n.Load() < 4800 {
		t.Fatalf("only %d samples in 5 s", n.Load())
	}
}

func TestConfigChecks(t *testing.T) {
	for _, c := range []DeviceConfig{{Period: 5 * time.Millisecond}, {Mode: 7}} {
		if _, err := NewNullDevice(c); !errors.Is(err, ErrBadConfig) {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

// fakeNullClock is a clock the test moves by hand; each wait the device
// starts is announced on waits.
type fakeNullClock struct {
	mu    sync.Mutex
	t     time.Time
	waits chan chan time.Time
}

func (c *fakeNullClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeNullClock) after(time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.waits <- ch
	return ch
}

// TestNullDeviceKeepsItsRate: a device goroutine that wakes late delivers
// every period it owes at once, as a sound card's clock would ask for them,
// and beyond its catch-up window skips what was lost instead of running slow.
func TestNullDeviceKeepsItsRate(t *testing.T) {
	clock := &fakeNullClock{t: time.Unix(0, 0), waits: make(chan chan time.Time)}
	var calls atomic.Int64
	d, err := NewNullDevice(DeviceConfig{Period: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	d.opts.clock = nullClock{now: clock.now, after: clock.after}
	if err := d.Start(func(_, _ []int16) { calls.Add(1) }); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name    string
		advance time.Duration
		want    int64 // periods delivered after the wake-up
	}{
		{"on time", 10 * time.Millisecond, 1},
		{"woken 45 ms late", 55 * time.Millisecond, 6},
		{"early wake-up", 4 * time.Millisecond, 6},
		{"due again", 6 * time.Millisecond, 7},
		{"asleep for a second", time.Second, 8},
		{"back on time", 10 * time.Millisecond, 9},
	}
	wake := <-clock.waits
	for _, s := range steps {
		clock.mu.Lock()
		clock.t = clock.t.Add(s.advance)
		now := clock.t
		clock.mu.Unlock()
		wake <- now
		wake = <-clock.waits // the device did its periods and waits again
		if got := calls.Load(); got != s.want {
			t.Fatalf("%s: %d periods delivered, want %d", s.name, got, s.want)
		}
	}
	go func() { // let Stop through a wait still being announced
		for range clock.waits {
		}
	}()
	if err := d.Stop(); err != nil {
		t.Fatal(err)
	}
	close(clock.waits)
}
