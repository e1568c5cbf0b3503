// Package autostart starts Parley when the user logs in: an XDG autostart
// entry on Linux and the BSDs, the Run key of the user's registry on
// Windows, a LaunchAgent on macOS. Each is the per-user mechanism of its
// desktop, so turning it on needs no administrator and IT can still see and
// remove it. Parley is started with -minimized, so it comes up in the tray
// (where there is one) and takes calls without a window in the way.
package autostart

import (
	"errors"
	"os"
	"path/filepath"
)

// ErrUnsupported: this system has no per-user autostart Parley knows.
var ErrUnsupported = errors.New("starting at login is not supported on this system")

// Entry is Parley's autostart entry for one user.
type Entry struct {
	// Exe is the program to start (os.Executable by default).
	Exe string
	// configDir is where Linux and macOS entries live (os.UserConfigDir,
	// or ~/Library on macOS); tests point it elsewhere.
	configDir string
	// homeDir is the user's home (macOS LaunchAgents).
	homeDir string
}

// Option adjusts an Entry.
type Option func(*Entry)

// WithExecutable sets the program the entry starts.
func WithExecutable(path string) Option { return func(e *Entry) { e.Exe = path } }

// WithDirs sets the configuration and home directories (tests).
func WithDirs(configDir, homeDir string) Option {
	return func(e *Entry) { e.configDir, e.homeDir = configDir, homeDir }
}

// New describes the current user's entry.
func New(opts ...Option) (*Entry, error) {
	e := &Entry{}
	for _, o := range opts {
		o(e)
	}
	if e.Exe == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, err
		}
		if resolved, err := filepath.EvalSymlinks(exe); err == nil {
			exe = resolved
		}
		e.Exe = exe
	}
	if e.configDir == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return nil, err
		}
		e.configDir = dir
	}
	if e.homeDir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, err
		}
		e.homeDir = home
	}
	return e, nil
}

// startArg is what the entry passes to Parley: start in the tray.
const startArg = "-minimized"
