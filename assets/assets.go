// Package assets holds Parley's icon and desktop files, embedded so a plain
// `go build` binary shows the same icon as a `fyne package` one.
package assets

import _ "embed"

// Icon is the 512×512 application icon (PNG).
//
//go:embed icon.png
var Icon []byte

// Microphone icons for the mute control (a speaker icon would say the
// far end is silenced, which is not what mute does).
var (
	//go:embed mic.svg
	MicIcon []byte
	//go:embed mic-off.svg
	MicOffIcon []byte
)
