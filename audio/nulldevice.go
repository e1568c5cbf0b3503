package audio

import (
	"fmt"
	"sync"
	"time"
)

// NullDevice is a pure-Go, clocked device for tests and machines without
// sound: it calls the callback once per period from its own goroutine.
// Captured input comes from an optional Source (silence otherwise), played
// output goes to an optional Sink, and Loopback feeds what was played into
// the next period's capture.
type NullDevice struct {
	cfg    DeviceConfig
	opts   nullOptions
	mu     sync.Mutex
	stop   chan struct{}
	done   chan struct{}
	closed bool
}

type nullOptions struct {
	thread   ThreadMode // how the clock goroutine runs (threadmode.go)
	ticks    <-chan time.Time
	source   func(in []int16)
	sink     func(out []int16)
	loopback bool
	clock    nullClock
}

// nullClock is the real-time clock a NullDevice keeps (replaced in tests).
type nullClock struct {
	now   func() time.Time
	after func(time.Duration) <-chan time.Time
}

// NullOption configures a NullDevice.
type NullOption func(*nullOptions)

// WithTicks drives the device from ticks instead of a real-time ticker,
// for deterministic tests: one callback per received tick.
func WithTicks(c <-chan time.Time) NullOption { return func(o *nullOptions) { o.ticks = c } }

// WithSource fills each period's capture buffer (runs on the device goroutine).
func WithSource(f func(in []int16)) NullOption { return func(o *nullOptions) { o.source = f } }

// WithSink receives each period's played samples (runs on the device goroutine).
func WithSink(f func(out []int16)) NullOption { return func(o *nullOptions) { o.sink = f } }

// WithLoopback makes capture return what was played one period earlier.
func WithLoopback() NullOption { return func(o *nullOptions) { o.loopback = true } }

// NewNullDevice returns a stopped null device.
func NewNullDevice(cfg DeviceConfig, opts ...NullOption) (*NullDevice, error) {
	if err := checkConfig(cfg); err != nil {
		return nil, err
	}
	d := &NullDevice{cfg: cfg}
	for _, o := range opts {
		o(&d.opts)
	}
	return d, nil
}

// Info implements Device.
func (d *NullDevice) Info() DeviceInfo {
	return DeviceInfo{ID: "null", Name: "Null device", Kind: Playback, Default: true, Backend: "null"}
}

// Start implements Device.
func (d *NullDevice) Start(cb Callback) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	if d.stop != nil {
		return ErrStarted
	}
	if cb == nil {
		return fmt.Errorf("%w: nil callback", ErrBadConfig)
	}
	d.stop, d.done = make(chan struct{}), make(chan struct{})
	go d.run(cb, d.stop, d.done)
	return nil
}

// nullCatchUp is how far behind its clock the null device's goroutine may
// fall and still deliver every period it owes: three periods, the buffer
// Parley asks of a sound card (malgo_device.go). A sound card keeps time in
// hardware: a callback that runs late is called again at once until its
// buffer is full again, and the stream keeps its rate. A ticker-driven
// goroutine instead loses the ticks it sleeps through, so on a busy machine
// the device ran slow, the far end's jitter buffer filled or starved, and
// listeners in tests heard drop-outs the engine never made. Beyond this lag
// the periods are skipped, as a device whose buffer ran dry plays silence
// for them; a longer burst of catch-up callbacks would outrun the pipelines
// that feed them, which no sound card asks of them.
const nullCatchUp = 3 * 20 * time.Millisecond

func (d *NullDevice) run(cb Callback, stop, done chan struct{}) {
	defer close(done)
	d.opts.thread.enter()
	n := d.cfg.PeriodSamples()
	out, in := make([]int16, n), make([]int16, n)
	period := time.Duration(n) * time.Second / SampleRate
	if d.opts.ticks != nil {
		for {
			select {
			case <-stop:
				return
			case _, ok := <-d.opts.ticks:
				if !ok {
					<-stop
					return
				}
			}
			d.period(cb, out, in)
		}
	}
	clock := d.opts.clock
	if clock.now == nil {
		clock = nullClock{now: time.Now, after: time.After}
	}
	start := clock.now()
	var played int64 // periods delivered since start
	for {
		select {
		case <-stop:
			return
		case <-clock.after(start.Add(time.Duration(played+1) * period).Sub(clock.now())):
		}
		due := int64(clock.now().Sub(start) / period)
		if lag := due - played; lag > int64(nullCatchUp/period) {
			played = due - 1 // the skipped periods are lost, as in an underrun
		}
		for ; played < due; played++ {
			d.period(cb, out, in)
		}
	}
}

// period runs one device period: capture, callback, playback.
func (d *NullDevice) period(cb Callback, out, in []int16) {
	switch {
	case d.opts.loopback:
		copy(in, out)
	case d.opts.source != nil:
		d.opts.source(in)
	default:
		clear(in)
	}
	clear(out)
	o, i := out, in
	if d.cfg.Mode == CaptureOnly {
		o = nil
	}
	if d.cfg.Mode == PlaybackOnly {
		i = nil
	}
	cb(o, i)
	if d.opts.sink != nil && o != nil {
		d.opts.sink(out)
	}
}

// Stop implements Device; the device cannot be restarted afterwards.
func (d *NullDevice) Stop() error {
	d.mu.Lock()
	stop, done := d.stop, d.done
	d.stop, d.closed = nil, true
	d.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
	return nil
}

// NullHost opens NullDevices.
type NullHost struct{ Options []NullOption }

// Devices implements Host.
func (h NullHost) Devices(kind Kind) ([]DeviceInfo, error) {
	return []DeviceInfo{{ID: "null", Name: "Null " + kind.String(), Kind: kind, Default: true, Backend: "null"}}, nil
}

// Open implements Host.
func (h NullHost) Open(cfg DeviceConfig) (Device, error) { return NewNullDevice(cfg, h.Options...) }
