//go:build cgo

package audio

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gen2brain/malgo"
)

// malgoDevice is a miniaudio device plus a watchdog that reopens it on the
// default endpoint when the selected one disappears.
type malgoDevice struct {
	host *MalgoHost
	cfg  DeviceConfig

	mu      sync.Mutex
	cur     *instance
	info    DeviceInfo
	inName  string // resolved capture device name (for the watchdog)
	outName string
	// inInfo and outInfo are the endpoints the device is on now.
	inInfo, outInfo DeviceInfo
	cb              Callback
	stop            chan struct{}
	done            chan struct{}
	closed          bool

	// stopped is signalled by miniaudio's stop callback (device lost).
	stopped chan struct{}
	// overruns counts callbacks with an unexpected frame count.
	overruns atomic.Uint64
	// realtime is what the audio thread got from promoteAudioThread.
	realtime atomic.Int32
}

// realtimeState says whether the audio thread runs at real-time priority.
type realtimeState int32

const (
	realtimeUnknown realtimeState = iota
	realtimeGranted
	realtimeRefused
)

// instance is one miniaudio device. Each has its own buffers so that a
// lost device still winding down never shares memory with its successor.
type instance struct {
	d        *malgoDevice
	dev      *malgo.Device
	cb       Callback
	out, in  []int16 // audio-thread state, preallocated
	stopping atomic.Bool
	// busy is set while the callback runs, so that a successor is only
	// started once this instance can no longer call cb (two audio threads
	// in one mixer would break its single-producer rings).
	busy atomic.Bool
}

// quiesce silences x and waits (bounded: a wedged backend must not hang
// the caller) until no callback of x is running.
func (x *instance) quiesce() {
	x.stopping.Store(true)
	for deadline := time.Now().Add(500 * time.Millisecond); x.busy.Load() && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
}

func (d *malgoDevice) Info() DeviceInfo {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.info
}

func (d *malgoDevice) Start(cb Callback) error {
	if cb == nil {
		return fmt.Errorf("%w: nil callback", ErrBadConfig)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	if d.cur != nil {
		return ErrStarted
	}
	d.cb = cb
	d.stopped = make(chan struct{}, 1)
	if err := d.openLocked(d.cfg.Input, d.cfg.Output); err != nil {
		return err
	}
	d.stop, d.done = make(chan struct{}), make(chan struct{})
	go d.watch(d.stop, d.done)
	return nil
}

// openLocked initialises and starts the miniaudio device. d.mu held.
func (d *malgoDevice) openLocked(input, output string) error {
	h := d.host
	h.mu.Lock()
	defer h.mu.Unlock()
	mt := malgo.Duplex
	switch d.cfg.Mode {
	case PlaybackOnly:
		mt = malgo.Playback
	case CaptureOnly:
		mt = malgo.Capture
	}
	mc := malgo.DefaultDeviceConfig(mt)
	mc.SampleRate = SampleRate // miniaudio resamples if the hardware differs
	mc.PeriodSizeInFrames = uint32(d.cfg.PeriodSamples())
	mc.Periods = 3
	mc.PerformanceProfile = malgo.LowLatency
	mc.Playback.Format, mc.Playback.Channels = malgo.FormatS16, 1
	mc.Capture.Format, mc.Capture.Channels = malgo.FormatS16, 1
	mc.Pulse.StreamNamePlayback, mc.Pulse.StreamNameCapture = "Parley call", "Parley microphone"
	var ptrs []unsafe.Pointer
	defer func() {
		for _, p := range ptrs {
			cfree(p)
		}
	}()
	if mt != malgo.Capture {
		id, info, found, err := h.find(Playback, output)
		if err != nil {
			return err
		}
		if !found {
			go h.emit(Event{Kind: EventFallback, Device: output, Err: fmt.Errorf("%w: playback %q", ErrNoDevice, output)})
		}
		if id != nil {
			p := id.Pointer()
			ptrs = append(ptrs, p)
			mc.Playback.DeviceID = p
		}
		d.info, d.outName, d.outInfo = info, info.Name, info
	}
	if mt != malgo.Playback {
		id, info, found, err := h.find(Capture, input)
		if err != nil {
			return err
		}
		if !found {
			go h.emit(Event{Kind: EventFallback, Device: input, Err: fmt.Errorf("%w: capture %q", ErrNoDevice, input)})
		}
		if id != nil {
			p := id.Pointer()
			ptrs = append(ptrs, p)
			mc.Capture.DeviceID = p
		}
		if mt == malgo.Capture {
			d.info = info
		}
		d.inName, d.inInfo = info.Name, info
	}
	n := d.cfg.PeriodSamples()
	inst := &instance{d: d, cb: d.cb, out: make([]int16, n), in: make([]int16, n)}
	dev, err := malgo.InitDevice(h.ctx.Context, mc, malgo.DeviceCallbacks{Data: inst.data, Stop: inst.onStop})
	if err != nil {
		return fmt.Errorf("open audio device (%s/%s): %w", d.outName, d.inName, err)
	}
	if err := dev.Start(); err != nil {
		inst.stopping.Store(true)
		inst.dev = dev
		h.waitReleased(h.release(inst), h.releaseWait)
		return fmt.Errorf("start audio device (%s/%s): %w", d.outName, d.inName, err)
	}
	inst.dev = dev
	d.cur = inst
	return nil
}

// data runs on miniaudio's audio thread. Both slices alias C memory: the
// capture is copied out before the callback sees it and the playback is
// copied in afterwards. No allocation, no locks, no logging.
func (x *instance) data(outB, inB []byte, frames uint32) {
	x.busy.Store(true)
	defer x.busy.Store(false)
	x.d.realtime.Store(int32(promoteAudioThread()))
	n := int(frames)
	if n != len(x.out) || x.stopping.Load() {
		if n != len(x.out) {
			x.d.overruns.Add(1)
		}
		clear(outB)
		return
	}
	if len(inB) >= 2*n {
		copy(x.in, unsafe.Slice((*int16)(unsafe.Pointer(&inB[0])), n))
	} else {
		clear(x.in)
	}
	clear(x.out)
	var out, in []int16 = x.out, x.in
	if outB == nil {
		out = nil
	}
	if inB == nil {
		in = nil
	}
	x.cb(out, in)
	if len(outB) >= 2*n {
		copy(unsafe.Slice((*int16)(unsafe.Pointer(&outB[0])), n), x.out)
	}
}

// onStop is miniaudio's stop notification: ours (Stop) or the backend's
// (device lost). It only signals; the watchdog does the work.
func (x *instance) onStop() {
	if x.stopping.Load() {
		return
	}
	select {
	case x.d.stopped <- struct{}{}:
	default:
	}
}

// watch reopens the device on the defaults when it stops unexpectedly or a
// selected endpoint disappears from the device list.
func (d *malgoDevice) watch(stop, done chan struct{}) {
	defer close(done)
	var tick <-chan time.Time
	if d.host.poll > 0 {
		t := time.NewTicker(d.host.poll)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-stop:
			return
		case <-d.stopped:
			d.fallback("device stopped")
		case <-tick:
			if gone := d.missing(); gone != "" {
				d.fallback(gone + " disappeared")
			}
		}
	}
}

// missing returns the name of a selected endpoint no longer listed.
func (d *malgoDevice) missing() string {
	d.mu.Lock()
	in, out, mode := d.inName, d.outName, d.cfg.Mode
	d.mu.Unlock()
	check := func(k Kind, name string) bool {
		if name == "" || name == "default" {
			return true
		}
		list, err := d.host.Devices(k)
		if err != nil {
			return true // enumeration hiccup: don't thrash
		}
		for _, x := range list {
			if x.Name == name {
				return true
			}
		}
		return false
	}
	if mode != CaptureOnly && !check(Playback, out) {
		return out
	}
	if mode != PlaybackOnly && !check(Capture, in) {
		return in
	}
	return ""
}

func (d *malgoDevice) fallback(why string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed || d.cur == nil {
		return
	}
	old := d.outName + "/" + d.inName
	lost := d.cur
	lost.quiesce() // silences its callbacks from now on
	d.cur = nil
	// ma_device_uninit can hang on a PulseAudio stream whose sink was
	// removed (observed with miniaudio 0.11.25): the host releases it on a
	// goroutine it owns, and the reopening does not wait for it.
	d.host.release(lost)
	err := d.openLocked("", "") // the defaults
	kind := EventFallback
	if err != nil {
		kind = EventRestartFailed
	}
	go d.host.emit(Event{Kind: kind, Device: old, Err: errors.Join(errors.New(why), err)})
}

// Endpoints returns the capture and playback endpoints the device is on
// now (after a fallback, the defaults).
func (d *malgoDevice) Endpoints() (in, out DeviceInfo) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.inInfo, d.outInfo
}

// Retarget moves the running device to other endpoints (IDs or names; ""
// the default): the callback keeps being called, from a new instance,
// after a gap of the reopening. If the new endpoints cannot be opened the
// device stays on the defaults.
func (d *malgoDevice) Retarget(input, output string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed || d.cur == nil {
		return ErrClosed
	}
	old := d.cur
	old.quiesce()
	d.cur = nil
	// As in fallback: never wait for the old stream's release, which can
	// hang on a PulseAudio stream whose sink went away.
	d.host.release(old)
	d.cfg.Input, d.cfg.Output = input, output
	err := d.openLocked(input, output)
	if err == nil {
		return nil
	}
	if err2 := d.openLocked("", ""); err2 != nil {
		go d.host.emit(Event{Kind: EventRestartFailed, Device: output + "/" + input, Err: errors.Join(err, err2)})
		return errors.Join(err, err2)
	}
	return err
}

func (d *malgoDevice) Stop() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	stop, done := d.stop, d.done
	d.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
	d.mu.Lock()
	cur := d.cur
	d.cur = nil
	d.mu.Unlock()
	if cur != nil {
		cur.stopping.Store(true)
		// Stops first; never called from the callback. Bounded: a release
		// that hangs is left to the host (its Close reports it).
		d.host.waitReleased(d.host.release(cur), d.host.releaseWait)
	}
	return nil
}
