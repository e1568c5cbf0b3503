//go:build !cgo

package cli

import (
	"errors"
	"log/slog"

	"github.com/parley-voip/parley/audio"
)

// soundHost: a build without cgo has no miniaudio, so calls carry clocked
// silence from the pure-Go null device (headless servers, static builds).
func soundHost(silent bool, logger *slog.Logger) (host audio.Host, closeHost func(), noDevice error, err error) {
	if !silent {
		noDevice = errors.New("this build has no sound device support (built without cgo)")
		logger.Warn("calls will be silent here", "err", noDevice)
	}
	return audio.NullHost{}, func() {}, noDevice, nil
}
