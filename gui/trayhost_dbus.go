//go:build !windows && !darwin

package gui

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/godbus/dbus/v5"
)

// trayAvailable reports whether the session shows tray icons. On the Linux
// and BSD desktops Fyne's tray is a StatusNotifierItem, which appears only
// if some panel runs the StatusNotifierWatcher (KDE, most of XFCE and
// Cinnamon; GNOME only with an extension). Without one, "minimise to tray"
// would make the window vanish with no way back, so Parley asks first.
func trayAvailable() bool {
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" {
		// Never let the D-Bus library autolaunch a bus just to ask.
		sock := filepath.Join(os.Getenv("XDG_RUNTIME_DIR"), "bus")
		if os.Getenv("XDG_RUNTIME_DIR") == "" {
			return false
		}
		if _, err := os.Stat(sock); err != nil {
			return false
		}
		addr = "unix:path=" + sock
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := dbus.Connect(addr, dbus.WithContext(ctx))
	if err != nil {
		return false
	}
	defer conn.Close()
	var owner string
	err = conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.GetNameOwner", 0, "org.kde.StatusNotifierWatcher").Store(&owner)
	return err == nil && owner != ""
}
