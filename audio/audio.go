// Package audio moves PCM between Parley and the sound card, and wires a
// call's media: capture → encode → transport, transport → jitter buffer →
// decode → mix → playback.
//
// Everything here is 48 kHz mono int16. Devices deliver one callback per
// period (10 or 20 ms) on the audio thread; code running there must not
// block, allocate, log, or stop the device (miniaudio #64).
package audio

import (
	"errors"
	"time"
)

// Audio format used throughout Parley.
const (
	SampleRate   = 48000
	FrameSamples = SampleRate / 50 // 20 ms
)

// Frame is 20 ms of 48 kHz mono PCM (960 samples).
type Frame = []int16

// Callback is called once per device period on the audio thread with the
// samples to play (fill all of out) and the samples just captured. in may
// be nil for playback-only devices and out nil for capture-only ones. The
// slices are only valid during the call.
type Callback func(out, in []int16)

// Kind is the direction of a device.
type Kind int

const (
	Playback Kind = iota + 1
	Capture
)

func (k Kind) String() string {
	switch k {
	case Playback:
		return "playback"
	case Capture:
		return "capture"
	}
	return "unknown"
}

// DeviceInfo describes one endpoint.
type DeviceInfo struct {
	// ID is stable across runs for the same backend device (PulseAudio
	// sink/source name, ALSA hw id, WASAPI endpoint id) in hex.
	ID      string
	Name    string
	Kind    Kind
	Default bool
	Backend string
}

// Mode selects which directions a device opens.
type Mode int

const (
	Duplex       Mode = iota // capture and playback on one clock: a call
	PlaybackOnly             // e.g. the ringer
	CaptureOnly
)

// DeviceConfig selects devices by stable ID or name; empty means the
// system default.
type DeviceConfig struct {
	Input  string
	Output string
	// Ring is the device the ringtone plays on; open it with
	// Mode PlaybackOnly and Output set to it.
	Ring string
	Mode Mode
	// Period is the callback period, 10 or 20 ms (default 20 ms).
	Period time.Duration
}

// PeriodSamples returns the samples per callback for c.
func (c DeviceConfig) PeriodSamples() int {
	if c.Period == 10*time.Millisecond {
		return SampleRate / 100
	}
	return FrameSamples
}

// Device is an opened sound device.
type Device interface {
	// Start begins calling cb once per period on the audio thread.
	Start(cb Callback) error
	// Stop stops the callbacks and releases the device. It must not be
	// called from inside the callback.
	Stop() error
	// Info describes the device (for duplex devices, the playback side).
	Info() DeviceInfo
}

// Host enumerates and opens devices of one audio backend.
type Host interface {
	Devices(kind Kind) ([]DeviceInfo, error)
	Open(cfg DeviceConfig) (Device, error)
}

// EventKind classifies device events.
type EventKind int

const (
	// EventFallback: the selected device vanished (unplugged, sink
	// removed) and the stream moved to the default device.
	EventFallback EventKind = iota + 1
	// EventRestartFailed: the device stopped and could not be reopened.
	EventRestartFailed
)

// Event reports something the user may need to know about a device; it is
// delivered off the audio thread.
type Event struct {
	Kind   EventKind
	Device string // the device that went away
	Err    error
}

// Sentinel errors.
var (
	ErrNoDevice  = errors.New("audio: no such device")
	ErrStarted   = errors.New("audio: device already started")
	ErrClosed    = errors.New("audio: device closed")
	ErrBadConfig = errors.New("audio: invalid device configuration")
	ErrNoBackend = errors.New("audio: no audio backend available")
)

func checkConfig(c DeviceConfig) error {
	if c.Period != 0 && c.Period != 10*time.Millisecond && c.Period != 20*time.Millisecond {
		return errors.Join(ErrBadConfig, errors.New("period must be 10 or 20 ms"))
	}
	if c.Mode < Duplex || c.Mode > CaptureOnly {
		return errors.Join(ErrBadConfig, errors.New("unknown mode"))
	}
	return nil
}
