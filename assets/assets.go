// Package assets holds Parley's icon and desktop files, embedded so a plain
// `go build` binary shows the same icon as a `fyne package` one.
package assets

import _ "embed"

// Icon is the 512×512 application icon (PNG).
//
//go:embed icon.png
var Icon []byte
