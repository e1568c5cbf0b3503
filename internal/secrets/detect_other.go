//go:build !darwin && !windows && !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package secrets

import (
	"context"
	"runtime"
)

func detect(context.Context) Availability {
	return Availability{Reason: "Parley knows no system keyring on " + runtime.GOOS + "."}
}
