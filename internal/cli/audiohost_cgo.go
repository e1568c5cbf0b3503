//go:build cgo

package cli

import (
	"fmt"
	"log/slog"

	"github.com/parley-voip/parley/audio"
)

// soundHost picks the system's sound devices through miniaudio, or its null
// backend (real-time clocked silence) when asked or when there is no usable
// device; noDevice then says why, for the window to show.
func soundHost(silent bool, logger *slog.Logger) (host audio.Host, closeHost func(), noDevice error, err error) {
	if !silent {
		host, err := audio.NewMalgoHost(audio.WithLogger(logger))
		if err == nil {
			// Listing is not enough: ALSA lists plugin "devices" on machines
			// with no sound card. Open the default duplex device once.
			if err = probe(host); err == nil {
				return host, func() { _ = host.Close() }, nil, nil
			}
			_ = host.Close()
		}
		noDevice = err
		logger.Warn("no usable sound device: calls will be silent here (use -audio off to disable audio)", "err", err)
	}
	null, err := audio.NewMalgoHost(audio.WithLogger(logger), audio.WithNullBackend())
	if err != nil {
		return nil, nil, nil, fmt.Errorf("cannot start even the silent audio device: %w", err)
	}
	return null, func() { _ = null.Close() }, noDevice, nil
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
