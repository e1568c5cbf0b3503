package audio

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/parley-voip/parley/internal/codec"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/jitter"
)

// ErrEngineClosed is returned by an Engine after Close.
var ErrEngineClosed = errors.New("audio: the audio engine has been shut down")

// EngineOption configures an Engine.
type EngineOption func(*engineOptions)

type engineOptions struct {
	log         *slog.Logger
	codecOpts   []codec.Option
	jitterOpts  []jitter.Option
	leadPeriods int
	devicePoll  time.Duration
	// pipelineThread: how each call's pipeline goroutine runs (threadmode.go).
	pipelineThread ThreadMode
}

// WithEngineLogger sets where the engine logs (never from the audio thread).
func WithEngineLogger(l *slog.Logger) EngineOption {
	return func(o *engineOptions) { o.log = l }
}

// WithCodecOptions passes options (bitrate, DTX, FEC...) to every call's codec.
func WithCodecOptions(opts ...codec.Option) EngineOption {
	return func(o *engineOptions) { o.codecOpts = append(o.codecOpts, opts...) }
}

// WithJitterOptions passes options (delay range...) to every call's jitter buffer.
func WithJitterOptions(opts ...jitter.Option) EngineOption {
	return func(o *engineOptions) { o.jitterOpts = append(o.jitterOpts, opts...) }
}

// WithPlayoutLead sets how many device periods of decoded audio each call
// keeps ready for the speaker (default 2). The pipeline decodes right after
// each callback, so one period is the least that works, but then a
// goroutine scheduled more than one period late (busy machine) leaves the
// speaker a period of silence. Two periods ride that out for one period
// (10 or 20 ms) of extra mouth-to-ear delay.
func WithPlayoutLead(periods int) EngineOption {
	return func(o *engineOptions) { o.leadPeriods = max(1, periods) }
}

// WithDevicePoll sets how often the engine, while a device is open, checks
// that it is on the device the preference lists put first (default 1 s;
// 0 disables: then only a call's start applies them). Devices appearing or
// vanishing are not signalled by miniaudio, so this is how a call moves to
// a headset plugged in mid-call.
func WithDevicePoll(d time.Duration) EngineOption {
	return func(o *engineOptions) { o.devicePoll = d }
}

// Engine owns the sound devices of a phone and the audio of its calls. The
// duplex device is opened when the first call (or local tone) needs it and
// closed when the last one ends, so an idle softphone holds no device (and
// other applications are free to use it). All methods are safe for
// concurrent use.
type Engine struct {
	host Host
	cfg  DeviceConfig
	log  *slog.Logger
	opts engineOptions

	tones [numTones]toneSlot
	mix   *mixer

	mu      sync.Mutex
	pipes   []*Pipeline
	confIDs []string // calls mixed as a local conference (SetConference)
	dev     Device
	ring    Device
	playing [numTones]bool
	timers  [numTones]*time.Timer
	// gen counts the starts of each slot, so a one-shot's timer stops only
	// the sound it started.
	gen    [numTones]uint64
	closed bool

	// settings are the user's choices (Apply), sound the ringtone they
	// select, prepared.
	settings Settings
	sound    ringSound
	// devIn, devOut and ringOut are the devices last opened (IDs; "" is
	// the default), ringOnMain that the ringtone plays on the call device.
	devIn, devOut, ringOut string
	// meters counts the microphone meters running (MicLevels).
	meters int
	// done is closed by Close; it stops the device watcher and the meters.
	done    chan struct{}
	watcher sync.WaitGroup
}

// NewEngine returns an engine that opens its devices from host with cfg
// (cfg.Mode is ignored: calls need a duplex device, the ringer a
// playback-only one).
func NewEngine(host Host, cfg DeviceConfig, opts ...EngineOption) (*Engine, error) {
	if host == nil {
		return nil, fmt.Errorf("%w: no audio host", ErrBadConfig)
	}
	cfg.Mode = Duplex
	if err := checkConfig(cfg); err != nil {
		return nil, err
	}
	e := &Engine{host: host, cfg: cfg, opts: engineOptions{leadPeriods: 2, devicePoll: time.Second},
		settings: DefaultSettings(), done: make(chan struct{})}
	for _, o := range opts {
		o(&e.opts)
	}
	e.log = e.opts.log
	if e.log == nil {
		e.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	e.mix = newMixer(&e.tones)
	e.mix.ringDev.Store(cfg.Ring != "")
	snd, err := loadRingSound(e.settings)
	if err != nil {
		return nil, err
	}
	e.sound = snd
	if e.opts.devicePoll > 0 {
		e.watcher.Add(1)
		go e.watchDevices(e.opts.devicePoll)
	}
	return e, nil
}

// Open starts audio for a call on t. The pipeline is active (heard and fed
// the microphone) until told otherwise.
func (e *Engine) Open(callID string, t Transport) (*Pipeline, error) {
	if t == nil {
		return nil, fmt.Errorf("call %s has no media transport", callID)
	}
	p, err := newPipeline(e, callID, t)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, ErrEngineClosed
	}
	e.pipes = append(e.pipes, p)
	if err := e.syncDevicesLocked(); err != nil {
		e.pipes = e.pipes[:len(e.pipes)-1]
		return nil, err
	}
	e.publishLocked()
	t.SetRTPHandler(p.onRTP)
	go p.run()
	return p, nil
}

// remove forgets a closed pipeline and releases the device if it was the
// last user.
func (e *Engine) remove(p *Pipeline) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.pipes = slices.DeleteFunc(e.pipes, func(x *Pipeline) bool { return x == p })
	e.publishLocked()
	if err := e.syncDevicesLocked(); err != nil {
		e.log.Warn("audio: closing the sound device failed", "err", err)
	}
}

// publishLocked hands the audio thread a fresh immutable call list and
// conference membership (built here, so the callback never allocates).
func (e *Engine) publishLocked() {
	snap := slices.Clone(e.pipes)
	members, leaving := e.conferenceLocked()
	if len(members) == 0 {
		e.mix.conf.Store(nil)
	} else {
		e.mix.conf.Store(newConfMix(members))
	}
	e.mix.pipes.Store(&snap)
	for _, p := range leaving {
		p.inConf.Store(false)
	}
}

// StartTone plays c in the slot kind until StopTone (one-shot cadences stop
// by themselves at their end). Starting a slot again replaces its cadence.
func (e *Engine) StartTone(kind ToneKind, c dsp.Cadence) error {
	if kind < 0 || kind >= numTones {
		return fmt.Errorf("%w: unknown tone slot %d", ErrBadConfig, kind)
	}
	pl, err := dsp.NewCadencePlayer(c, SampleRate)
	if err != nil {
		return fmt.Errorf("cannot play the %s tone: %w", kind, err)
	}
	var length time.Duration
	if c.Once {
		length = cadenceLength(c)
	}
	return e.startSound(kind, pl, nil, length)
}

// startSound publishes a cadence player or, for the ringtone, a sample
// loop in slot kind; length > 0 releases the slot after that long.
func (e *Engine) startSound(kind ToneKind, pl *dsp.CadencePlayer, loop *pcmLoop, length time.Duration) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrEngineClosed
	}
	if t := e.timers[kind]; t != nil {
		t.Stop()
		e.timers[kind] = nil
	}
	e.gen[kind]++
	e.tones[kind].p.Store(pl)
	switch kind {
	case ToneRingtone:
		e.mix.ringLoop.Store(loop)
	case ToneMessage:
		e.mix.msgLoop.Store(loop)
	}
	e.playing[kind] = true
	if err := e.syncDevicesLocked(); err != nil {
		e.tones[kind].p.Store(nil)
		e.mix.ringLoop.Store(nil)
		e.mix.msgLoop.Store(nil)
		e.playing[kind] = false
		return err
	}
	if length > 0 {
		// Release the device once a one-shot tone (busy, DTMF feedback)
		// is over; the timer belongs to the engine and Close stops it.
		g := e.gen[kind]
		e.timers[kind] = time.AfterFunc(length+50*time.Millisecond, func() {
			e.stopTone(kind, g)
		})
	}
	return nil
}

// StopTone silences the slot kind.
func (e *Engine) StopTone(kind ToneKind) { e.stopTone(kind, 0) }

// stopTone stops slot kind if it still plays the sound started as
// generation only (any sound if only is 0).
func (e *Engine) stopTone(kind ToneKind, only uint64) {
	if kind < 0 || kind >= numTones {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if only != 0 && e.gen[kind] != only {
		return
	}
	if t := e.timers[kind]; t != nil {
		t.Stop()
		e.timers[kind] = nil
	}
	e.tones[kind].p.Store(nil)
	switch kind {
	case ToneRingtone:
		e.mix.ringLoop.Store(nil)
	case ToneMessage:
		e.mix.msgLoop.Store(nil)
	}
	e.playing[kind] = false
	if err := e.syncDevicesLocked(); err != nil {
		e.log.Warn("audio: closing the sound device failed", "err", err)
	}
}

// PlayDTMF sounds the feedback tone of a dialpad key (ITU-T Q.23 pair).
func (e *Engine) PlayDTMF(digit rune) error {
	c, ok := dsp.DTMFTone(digit)
	if !ok {
		return fmt.Errorf("%q is not a DTMF key", digit)
	}
	return e.StartTone(ToneDTMF, c)
}

// Tone reports whether slot kind is playing.
func (e *Engine) Tone(kind ToneKind) bool {
	if kind < 0 || kind >= numTones {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.playing[kind]
}

// Pipelines returns the calls currently carried.
func (e *Engine) Pipelines() []*Pipeline {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.pipes)
}

// DeviceOpen reports whether the duplex device is open.
func (e *Engine) DeviceOpen() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.dev != nil
}

// syncDevicesLocked opens or closes the devices to match what is playing,
// on the devices the preferences put first.
func (e *Engine) syncDevicesLocked() error {
	ringing := e.playing[ToneRingtone]
	ringOut := ""
	if ringing {
		ringOut = e.ringTargetLocked()
	}
	needRing := ringing && ringOut != ""
	e.mix.ringDev.Store(needRing)
	needMain := len(e.pipes) > 0 || e.meters > 0
	for k := range numTones {
		if e.playing[k] && (ToneKind(k) != ToneRingtone || !needRing) {
			needMain = true
		}
	}
	var errs []error
	if needMain && e.dev == nil && !e.closed {
		cfg := e.cfg
		cfg.Input, cfg.Output = e.targetLocked(Capture), e.targetLocked(Playback)
		d, err := e.host.Open(cfg)
		if err != nil {
			return fmt.Errorf("cannot open the sound device: %w", err)
		}
		if err := d.Start(e.mix.process); err != nil {
			_ = d.Stop()
			return fmt.Errorf("cannot start the sound device: %w", err)
		}
		e.dev, e.devIn, e.devOut = d, cfg.Input, cfg.Output
		e.log.Debug("audio: device opened", "device", d.Info().Name)
	}
	if !needMain && e.dev != nil {
		// Stop waits for the callback to return; it is never called from
		// the audio thread (miniaudio #64).
		errs = append(errs, e.dev.Stop())
		e.dev = nil
		e.log.Debug("audio: device closed")
	}
	if e.ring != nil && (!needRing || ringOut != e.ringOut) {
		errs = append(errs, e.ring.Stop())
		e.ring = nil
	}
	if needRing && e.ring == nil && !e.closed {
		rc := DeviceConfig{Output: ringOut, Mode: PlaybackOnly, Period: e.cfg.Period}
		d, err := e.host.Open(rc)
		if err != nil {
			return fmt.Errorf("cannot open the ring device %q: %w", ringOut, err)
		}
		if err := d.Start(e.mix.ringProcess); err != nil {
			_ = d.Stop()
			return fmt.Errorf("cannot start the ring device %q: %w", ringOut, err)
		}
		e.ring, e.ringOut = d, ringOut
	}
	return errors.Join(errs...)
}

// Close ends every call's audio, silences the tones and releases the devices.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	close(e.done)
	pipes := slices.Clone(e.pipes)
	e.mix.ringLoop.Store(nil)
	e.mix.msgLoop.Store(nil)
	for k := range numTones {
		if t := e.timers[k]; t != nil {
			t.Stop()
			e.timers[k] = nil
		}
		e.tones[k].p.Store(nil)
		e.playing[k] = false
	}
	e.mu.Unlock()
	e.watcher.Wait()
	for _, p := range pipes {
		_ = p.Close()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.pipes = nil
	e.confIDs = nil
	e.publishLocked()
	return e.syncDevicesLocked()
}
