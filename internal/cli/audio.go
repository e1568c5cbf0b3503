package cli

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/audio/phoneaudio"
	"github.com/parley-voip/parley/phone"
)

// Audio modes for -audio.
const (
	audioAuto = "auto" // the system's sound devices, silent null device if there are none
	audioNull = "null" // a null device: calls carry silence, handy on servers
	audioOff  = "off"  // no audio pipeline at all (signalling only)
)

// soundSystem is the audio engine and what it holds open.
type soundSystem struct {
	engine *audio.Engine
	host   *audio.MalgoHost
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
	var host *audio.MalgoHost
	var err error
	if mode != audioNull {
		host, err = audio.NewMalgoHost(audio.WithLogger(logger))
		if err == nil {
			// Listing is not enough: ALSA lists plugin "devices" on machines
			// with no sound card. Open the default duplex device once.
			if perr := probe(host); perr != nil {
				_ = host.Close()
				host, err = nil, perr
			}
		}
		if err != nil {
			logger.Warn("no usable sound device: calls will be silent here (use -audio off to disable audio)", "err", err)
		}
	}
	if host == nil {
		if host, err = audio.NewMalgoHost(audio.WithLogger(logger), audio.WithNullBackend()); err != nil {
			return nil, fmt.Errorf("cannot start even the silent audio device: %w", err)
		}
	}
	engine, err := audio.NewEngine(host, audio.DeviceConfig{}, audio.WithEngineLogger(logger))
	if err != nil {
		_ = host.Close()
		return nil, fmt.Errorf("cannot start the audio engine: %w", err)
	}
	return &soundSystem{engine: engine, host: host}, nil
}

// probe opens, starts and releases the default duplex device: backends
// report some failures only when the device starts.
func probe(host *audio.MalgoHost) error {
	dev, err := host.Open(audio.DeviceConfig{})
	if err != nil {
		return err
	}
	if err := dev.Start(func(out, _ []int16) { clear(out) }); err != nil {
		_ = dev.Stop()
		return err
	}
	return dev.Stop()
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
	_ = s.host.Close()
}
