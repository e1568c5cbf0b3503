//go:build linux

package secrets

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/parley-voip/parley/internal/secrets/secretservicetest"
)

func TestDetectThisSession(t *testing.T) {
	// Whatever this machine has; only logged, since it differs between a
	// desktop and CI. Detect must answer, and in words.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a := Detect(ctx)
	if !a.Available && a.Reason == "" {
		t.Fatal("unavailable without a reason")
	}
	t.Logf("this session: %+v", a)
}

func TestDetect(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	t.Run("no session bus", func(t *testing.T) {
		a := detectOn(ctx, func() (*dbus.Conn, error) { return nil, errors.New("dial unix /run/user/0/bus: no such file") })
		if a.Available || !strings.Contains(a.Reason, "D-Bus") {
			t.Errorf("got %+v; want unavailable, naming D-Bus", a)
		}
	})

	bus := secretservicetest.StartBus(t)
	connect := func() (*dbus.Conn, error) { return bus.Connect(ctx) }
	t.Run("bus without a keyring", func(t *testing.T) {
		a := detectOn(ctx, connect)
		if a.Available || !strings.Contains(a.Reason, "No keyring service") {
			t.Errorf("got %+v; want unavailable: no keyring service", a)
		}
	})
	t.Run("bus with gnome-keyring", func(t *testing.T) {
		bus.StartKeyring(t)
		a := detectOn(ctx, connect)
		if !a.Available || a.Backend == "" {
			t.Errorf("got %+v; want available", a)
		}
	})
}
