//go:build darwin

package autostart

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

const agentLabel = "io.parley.softphone.autostart"

func (e *Entry) path() string {
	return filepath.Join(e.homeDir, "Library", "LaunchAgents", agentLabel+".plist")
}

// Enabled reports whether Parley starts at login.
func (e *Entry) Enabled() (bool, error) {
	_, err := os.Stat(e.path())
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// Enable makes Parley start at login (a LaunchAgent with RunAtLoad).
func (e *Entry) Enable() error {
	var args strings.Builder
	for _, a := range []string{e.Exe, startArg} {
		args.WriteString("\t\t<string>")
		_ = xml.EscapeText(&args, []byte(a))
		args.WriteString("</string>\n")
	}
	plist := `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + agentLabel + `</string>
	<key>ProgramArguments</key>
	<array>
` + args.String() + `	</array>
	<key>RunAtLoad</key>
	<true/>
</dict>
</plist>
`
	if err := os.MkdirAll(filepath.Dir(e.path()), 0o755); err != nil {
		return fmt.Errorf("cannot create the LaunchAgents folder: %w", err)
	}
	return os.WriteFile(e.path(), []byte(plist), 0o644)
}

// Disable stops Parley starting at login.
func (e *Entry) Disable() error {
	if err := os.Remove(e.path()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot remove the LaunchAgent: %w", err)
	}
	return nil
}
