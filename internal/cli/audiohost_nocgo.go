//go:build !cgo

package cli

import (
	"log/slog"

	"github.com/parley-voip/parley/audio"
)

// soundHost: a build without cgo has no miniaudio, so calls carry clocked
// silence from the pure-Go null device (headless servers, static builds).
func soundHost(silent bool, logger *slog.Logger) (audio.Host, func(), error) {
	if !silent {
		logger.Warn("this build has no sound device support (built without cgo): calls will be silent here")
	}
	return audio.NullHost{}, func() {}, nil
}
