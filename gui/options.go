package gui

import (
	"errors"

	"fyne.io/fyne/v2"

	"github.com/parley-voip/parley/conference"
	"github.com/parley-voip/parley/desk"
	"github.com/parley-voip/parley/internal/contacts"
	"github.com/parley-voip/parley/internal/history"
)

// ErrNoWindow is what Run returns in a build without cgo, which cannot open
// a window.
var ErrNoWindow = errors.New("this build of Parley has no window (it was built without cgo); use -headless")

// AppID identifies Parley to the desktop (preferences, notifications).
const AppID = "io.parley.softphone"

// Option configures Run.
type Option func(*runConfig)

type runConfig struct {
	size    fyne.Size
	sizeSet bool // WithWindowSize: not the remembered size
	// tray: whether the desktop shows tray icons (withTray in tests).
	tray, traySet bool
	actions       []Action
	warnings      []func() string // worded when the window is built
	history       *history.Store
	contacts      *contacts.Book
	autostart     Autostart
	minimized     bool
	signOut       func()
	callSettings  CallSettingsStore
	selfTest      SelfTest // WithSelfTest (selftest.go)
	// tracker and conferenceControl: WithConferences (conference.go).
	tracker           *conference.Tracker
	conferenceControl conferenceControl
	audio             AudioController // WithAudioSettings (audiosettings.go)
	// desk: WithDesk (desk.go); nil on a plain SIP line.
	desk *desk.Desk
	// sound plays voicemail messages (WithSoundPlayer, voicemail.go).
	sound SoundPlayer
	// language: WithLanguage; empty follows the system.
	language string
}

func defaultRunConfig(opts []Option) runConfig {
	cfg := runConfig{size: fyne.NewSize(420, 680)}
	for _, opt := range opts {
		opt(&cfg)
	}
	return cfg
}

// WithWindowSize sets the main window's initial size.
func WithWindowSize(size fyne.Size) Option {
	return func(c *runConfig) { c.size, c.sizeSet = size, true }
}

// WithWarning shows text under the registration line for as long as the
// window is open: a problem the agent must know about before the first
// call. The warnings below word the common ones in the user's language.
func WithWarning(text string) Option {
	return func(c *runConfig) { c.warnings = append(c.warnings, func() string { return text }) }
}

// Warning is a problem the window words itself (WithWarningAbout).
type Warning string

// Warnings the window words.
const (
	WarningNoSound    Warning = "no-sound"     // calls will be silent
	WarningNoHistory  Warning = "no-history"   // the call history could not open
	WarningNoContacts Warning = "no-contacts"  // the contacts could not be read
	WarningNoLocalAPI Warning = "no-local-api" // the local control API could not start
	WarningNoPop      Warning = "no-pop"       // the screen pop could not start
)

// WithWarningAbout shows warning w, with the cause the engine gave.
func WithWarningAbout(w Warning, cause error) Option {
	return func(c *runConfig) { c.warnings = append(c.warnings, func() string { return warningText(w, cause) }) }
}

// withSignOut offers Settings → Sign out (RunSignIn sets it).
func withSignOut(f func()) Option { return func(c *runConfig) { c.signOut = f } }

// WithLanguage chooses the language of the window's texts ("en", "fr"; a
// locale such as "fr_FR.UTF-8" works too) instead of the system's (LANG,
// LC_ALL, LC_MESSAGES). Languages without a translation show English.
func WithLanguage(language string) Option {
	return func(c *runConfig) { c.language = language }
}
