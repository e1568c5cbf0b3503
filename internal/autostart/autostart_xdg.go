//go:build !windows && !darwin

package autostart

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// desktopFile is the entry's name: the desktop file of the installed app
// is io.parley.softphone.desktop, and an autostart entry of the same name
// would hide it from some menus on desktops that merge both directories.
const desktopFile = "parley-autostart.desktop"

// path is $XDG_CONFIG_HOME/autostart/parley-autostart.desktop (XDG
// Autostart Specification 0.5).
func (e *Entry) path() string { return filepath.Join(e.configDir, "autostart", desktopFile) }

// Enabled reports whether Parley starts at login.
func (e *Entry) Enabled() (bool, error) {
	data, err := os.ReadFile(e.path())
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	// Hidden=true is how a user (or their desktop's settings) turns an
	// entry off without removing it (XDG Autostart, "Hidden").
	return !strings.Contains(string(data), "\nHidden=true"), nil
}

// Enable makes Parley start at login.
func (e *Entry) Enable() error {
	if err := os.MkdirAll(filepath.Dir(e.path()), 0o755); err != nil {
		return fmt.Errorf("cannot create the autostart folder: %w", err)
	}
	content := "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=Parley\n" +
		"Comment=Start the Parley softphone at login, in the tray\n" +
		"Exec=" + desktopExec([]string{e.Exe, startArg}) + "\n" +
		"Icon=io.parley.softphone\n" +
		"Terminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n"
	tmp := e.path() + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		return fmt.Errorf("cannot write the autostart entry: %w", err)
	}
	return os.Rename(tmp, e.path())
}

// Disable stops Parley starting at login. Disabling an entry that is not
// there is not an error.
func (e *Entry) Disable() error {
	if err := os.Remove(e.path()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot remove the autostart entry: %w", err)
	}
	return nil
}

// desktopExec quotes each argument as the Desktop Entry Specification's
// Exec key wants: in double quotes, with ", `, $ and \ escaped by a
// backslash, and % doubled (field codes).
func desktopExec(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		if a != "" && !strings.ContainsAny(a, " \t\n\"'\\><~|&;$*?#()`%") {
			quoted[i] = a
			continue
		}
		r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", `$`, `\$`, `%`, `%%`)
		quoted[i] = `"` + r.Replace(a) + `"`
	}
	return strings.Join(quoted, " ")
}
