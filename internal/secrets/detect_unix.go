//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package secrets

import (
	"context"
	"slices"

	"github.com/godbus/dbus/v5"
)

// The build constraint is go-keyring's own for its Secret Service backend.

const secretServiceName = "org.freedesktop.secrets"

const secretServiceBackend = "Secret Service (GNOME Keyring, KWallet or another provider)"

func detect(ctx context.Context) Availability {
	// The same address go-keyring will use: $DBUS_SESSION_BUS_ADDRESS, else
	// $XDG_RUNTIME_DIR/bus, else autolaunch; but a private connection we
	// can close, so detecting leaves nothing behind.
	return detectOn(ctx, func() (*dbus.Conn, error) { return dbus.ConnectSessionBus(dbus.WithContext(ctx)) })
}

// detectOn asks the bus that connect reaches whether the Secret Service
// is there: owned now, or activatable (D-Bus starts it on the first call,
// as gnome-keyring's service file allows).
func detectOn(ctx context.Context, connect func() (*dbus.Conn, error)) Availability {
	conn, err := connect()
	if err != nil {
		return Availability{Reason: "There is no desktop session bus (D-Bus) in this session, " +
			"so there is no system keyring to keep your password in."}
	}
	defer conn.Close()
	bus := conn.BusObject()
	var owned bool
	if err := bus.CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, secretServiceName).Store(&owned); err == nil && owned {
		return Availability{Available: true, Backend: secretServiceBackend}
	}
	var activatable []string
	if err := bus.CallWithContext(ctx, "org.freedesktop.DBus.ListActivatableNames", 0).Store(&activatable); err == nil &&
		slices.Contains(activatable, secretServiceName) {
		return Availability{Available: true, Backend: secretServiceBackend}
	}
	return Availability{Reason: "No keyring service is running in this session (such as GNOME Keyring or KWallet), " +
		"so Parley cannot keep your password in the system keyring."}
}
