package cli

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phoneaudio"
)

// Audio modes for -audio.
const (
	audioAuto = "auto" // the system's sound devices, silent null device if there are none
	audioNull = "null" // a null device: calls carry silence, handy on servers
	audioOff  = "off"  // no audio pipeline at all (signalling only)
)

// soundSystem is the audio engine and what it holds open.
type soundSystem struct {
	engine    *audio.Engine
	host      audio.Host // for the self-test's microphone and speaker checks
	closeHost func()
	// noDevice says why calls are silent though sound was wanted (no
	// usable device); nil with real devices or with -audio null.
	noDevice error
}

// openSound prepares the audio engine for the mode. Devices open only when a
// call or a tone needs them, so a machine without sound hardware finds out
// here, at start-up, not in the middle of the first call.
func openSound(mode string, logger *slog.Logger) (*soundSystem, error) {
	switch mode {
	case audioOff:
		return nil, nil
	case "", audioAuto, audioNull:
	default:
		return nil, fmt.Errorf("%w: -audio %q: use auto, null or off", ErrUsage, mode)
	}
	host, closeHost, noDevice, err := soundHost(mode == audioNull, logger)
	if err != nil {
		return nil, err
	}
	engine, err := audio.NewEngine(host, audio.DeviceConfig{}, audio.WithEngineLogger(logger))
	if err != nil {
		closeHost()
		return nil, fmt.Errorf("cannot start the audio engine: %w", err)
	}
	return &soundSystem{engine: engine, host: host, closeHost: closeHost, noDevice: noDevice}, nil
}

// phoneOption connects calls to the engine.
func (s *soundSystem) phoneOption() phone.Option {
	return phone.WithAudio(phoneaudio.New(s.engine))
}

// attach plays ringtone, ringback and busy tones for api's calls.
func (s *soundSystem) attach(ctx context.Context, api phone.API) func() {
	return phoneaudio.Attach(ctx, api, s.engine)
}

func (s *soundSystem) close() {
	_ = s.engine.Close()
	s.closeHost()
}
