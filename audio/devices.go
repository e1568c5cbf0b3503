package audio

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/parley-voip/parley/internal/dsp"
)

// This file is the Engine's side of the user's device choices: preference
// lists applied when a device opens and re-applied while it is open, the
// microphone meter, the speaker test and the ringtone.

// Apply makes s the engine's settings. A call in progress moves to the
// devices s prefers (without being dropped); a ringtone that is playing
// carries on with the old sound until the next ring.
func (e *Engine) Apply(s Settings) error {
	s, err := s.normalise()
	if err != nil {
		return err
	}
	snd, err := loadRingSound(s)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrEngineClosed
	}
	e.settings, e.sound = s, snd
	return e.recheckLocked()
}

// Settings returns the settings in effect.
func (e *Engine) Settings() Settings {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.settings
	s.Inputs = append([]DeviceRef(nil), s.Inputs...)
	s.Outputs = append([]DeviceRef(nil), s.Outputs...)
	s.Rings = append([]DeviceRef(nil), s.Rings...)
	return s
}

// Devices lists the host's devices of kind.
func (e *Engine) Devices(kind Kind) ([]DeviceInfo, error) { return e.host.Devices(kind) }

// targetLocked is the device of kind to open: the first present of the
// preference list, else DeviceConfig's choice (usually "", the default).
func (e *Engine) targetLocked(kind Kind) string {
	prefs, fixed := e.settings.Outputs, e.cfg.Output
	if kind == Capture {
		prefs, fixed = e.settings.Inputs, e.cfg.Input
	}
	if len(prefs) == 0 {
		return fixed
	}
	list, err := e.host.Devices(kind)
	if err != nil {
		e.log.Warn("audio: cannot list devices", "kind", kind, "err", err)
		return fixed
	}
	if d, ok := Prefer(list, prefs); ok {
		return d.ID
	}
	return fixed
}

// ringTargetLocked is the device the ringtone plays on by itself, or ""
// to mix it into the call device.
func (e *Engine) ringTargetLocked() string {
	if len(e.settings.Rings) == 0 {
		return e.cfg.Ring
	}
	list, err := e.host.Devices(Playback)
	if err != nil {
		return e.cfg.Ring
	}
	if d, ok := Prefer(list, e.settings.Rings); ok {
		return d.ID
	}
	return e.cfg.Ring
}

// endpointer is a Device that knows which endpoints it is on now, which
// may differ from those it was opened on after a fallback.
type endpointer interface {
	Endpoints() (in, out DeviceInfo)
}

// retargeter is a Device that can move to other endpoints without
// stopping its callbacks for longer than the switch.
type retargeter interface {
	Retarget(input, output string) error
}

// watchDevices re-applies the preferences every poll while Close has not
// been called: devices appearing or vanishing are not signalled.
func (e *Engine) watchDevices(poll time.Duration) {
	defer e.watcher.Done()
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-e.done:
			return
		case <-t.C:
			e.mu.Lock()
			if !e.closed {
				if err := e.recheckLocked(); err != nil {
					e.log.Warn("audio: cannot move to the preferred device", "err", err)
				}
			}
			e.mu.Unlock()
		}
	}
}

// recheckLocked moves open devices to the ones the preferences now put
// first.
func (e *Engine) recheckLocked() error {
	prefs := len(e.settings.Inputs) > 0 || len(e.settings.Outputs) > 0
	// Without preferences the targets are the defaults, so emptying an
	// order mid-call returns to them; devices fixed in DeviceConfig are
	// left to the device's own fallback (retrying an absent one every poll
	// would only repeat its fallback).
	if e.dev != nil && (prefs || (e.cfg.Input == "" && e.cfg.Output == "")) {
		in, out := e.targetLocked(Capture), e.targetLocked(Playback)
		if !e.onLocked(in, out) {
			if err := e.retargetLocked(in, out); err != nil {
				return err
			}
		}
	}
	// The ring device is reopened by syncDevicesLocked when its target
	// changed (or the ringtone moves to or from the call device).
	return e.syncDevicesLocked()
}

// onLocked reports whether the duplex device is on in and out.
func (e *Engine) onLocked(in, out string) bool {
	if ep, ok := e.dev.(endpointer); ok {
		ci, co := ep.Endpoints()
		return same(in, ci) && same(out, co)
	}
	return in == e.devIn && out == e.devOut
}

// same reports whether the device opened for want ("" = the default) is cur.
func same(want string, cur DeviceInfo) bool {
	if want == "" {
		return cur.Default || cur.ID == ""
	}
	return want == cur.ID || want == cur.Name
}

// retargetLocked moves the duplex device; the calls' pipelines do not
// notice beyond a few lost periods.
func (e *Engine) retargetLocked(in, out string) error {
	e.log.Info("audio: moving to the preferred device", "input", in, "output", out)
	if r, ok := e.dev.(retargeter); ok {
		if err := r.Retarget(in, out); err != nil {
			return err
		}
		e.devIn, e.devOut = in, out
		return nil
	}
	_ = e.dev.Stop()
	e.dev = nil
	cfg := e.cfg
	cfg.Input, cfg.Output = in, out
	d, err := e.host.Open(cfg)
	if err != nil {
		return fmt.Errorf("cannot open the sound device: %w", err)
	}
	if err := d.Start(e.mix.process); err != nil {
		_ = d.Stop()
		return fmt.Errorf("cannot start the sound device: %w", err)
	}
	e.dev, e.devIn, e.devOut = d, in, out
	return nil
}

// CurrentDevices says which devices are open now (zero values when none).
func (e *Engine) CurrentDevices() (in, out DeviceInfo) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.dev == nil {
		return DeviceInfo{}, DeviceInfo{}
	}
	if ep, ok := e.dev.(endpointer); ok {
		return ep.Endpoints()
	}
	return DeviceInfo{ID: e.devIn, Kind: Capture}, e.dev.Info()
}

// Level is the microphone's level over one meter interval.
type Level struct {
	PeakDBFS float64 // largest sample
	RMSDBFS  float64 // root mean square (a sine's is 3 dB below its peak)
}

// MeterInterval is how often MicLevels reports.
const MeterInterval = 50 * time.Millisecond

// MicLevels measures the microphone every MeterInterval until ctx ends (or
// the engine closes), keeping the device open meanwhile; the channel is
// then closed. A slow reader misses levels rather than delaying them.
func (e *Engine) MicLevels(ctx context.Context) (<-chan Level, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, ErrEngineClosed
	}
	e.meters++
	if err := e.syncDevicesLocked(); err != nil {
		e.meters--
		return nil, err
	}
	if e.meters == 1 {
		e.mix.peak.Store(0)
		e.mix.sumSq.Store(0)
		e.mix.count.Store(0)
		e.mix.meterOn.Store(true)
	}
	ch := make(chan Level, 1)
	go e.meter(ctx, ch)
	return ch, nil
}

func (e *Engine) meter(ctx context.Context, ch chan<- Level) {
	defer close(ch)
	t := time.NewTicker(MeterInterval)
	defer t.Stop()
	defer func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.meters--
		if e.meters == 0 {
			e.mix.meterOn.Store(false)
		}
		if err := e.syncDevicesLocked(); err != nil {
			e.log.Warn("audio: closing the sound device failed", "err", err)
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.done:
			return
		case <-t.C:
			peak, sum, n := e.mix.peak.Swap(0), e.mix.sumSq.Swap(0), e.mix.count.Swap(0)
			if n == 0 {
				continue // no callback in this interval
			}
			lv := Level{
				PeakDBFS: dsp.DBFS(float64(peak) / 32768),
				RMSDBFS:  dsp.DBFS(math.Sqrt(float64(sum)/float64(n)) / 32768),
			}
			select {
			case ch <- lv:
			default:
			}
		}
	}
}

// PlayTestTone plays TestToneCadence once on the call output device.
func (e *Engine) PlayTestTone() error { return e.StartTone(ToneTest, TestToneCadence()) }

// StartRingtone rings with the chosen ringtone, at the ring volume, on the
// ring device, until StopTone(ToneRingtone).
func (e *Engine) StartRingtone() error { return e.startRing(false) }

// TestRingtone plays one round of the chosen ringtone, as StartRingtone
// would (device and volume), then stops.
func (e *Engine) TestRingtone() error { return e.startRing(true) }

func (e *Engine) startRing(once bool) error {
	e.mu.Lock()
	snd := e.sound
	e.mu.Unlock()
	var length time.Duration
	if once {
		length = snd.duration()
	}
	if snd.pcm != nil {
		return e.startSound(ToneRingtone, nil, &pcmLoop{pcm: snd.pcm, once: once}, length)
	}
	c := snd.cadence
	c.Once = once
	pl, err := dsp.NewCadencePlayer(c, SampleRate)
	if err != nil {
		return fmt.Errorf("cannot play the ringtone: %w", err)
	}
	return e.startSound(ToneRingtone, pl, nil, length)
}
