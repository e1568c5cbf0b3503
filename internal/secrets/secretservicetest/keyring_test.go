//go:build linux

package secretservicetest_test

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/secrets"
	"github.com/parley-voip/parley/internal/secrets/secretservicetest"
	"github.com/parley-voip/parley/internal/testrig"
)

// TestRealSecretService runs secrets.Keyring against gnome-keyring-daemon on
// a private bus: the real D-Bus Secret Service protocol, not go-keyring's
// mock. It lives in its own package because go-keyring's mock, used by the
// secrets package's tests, replaces the backend for the whole test binary,
// and because godbus keeps one shared session connection per process.
func TestRealSecretService(t *testing.T) {
	testrig.Require(t, "secret-tool")
	bus := secretservicetest.StartBus(t)
	bus.StartKeyring(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", bus.Address)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if a := secrets.Detect(ctx); !a.Available {
		t.Fatalf("Detect on the private bus: %+v", a)
	}

	k := secrets.NewKeyring(secrets.WithService("parley-test"))
	account := secrets.WazoAccount("alice", "wazo.example.com")
	if _, err := k.Get(account, secrets.Password); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("Get before Set: %v, want ErrNotFound", err)
	}
	for _, v := range []string{"first", "second, replacing the first"} {
		if err := k.Set(account, secrets.Password, v); err != nil {
			t.Fatalf("Set: %v", err)
		}
		if got, err := k.Get(account, secrets.Password); err != nil || got != v {
			t.Fatalf("Get = %q, %v; want %q", got, err, v)
		}
	}
	if err := k.Set(account, secrets.RefreshToken, strings.Repeat("r", 1800)); err != nil {
		t.Fatal(err)
	}

	// Another Secret Service client sees the entry under the documented
	// attributes (docs/secrets.md): service, and username "<kind>:<account>".
	cmd := exec.CommandContext(ctx, "secret-tool", "lookup", "service", "parley-test", "username", "password:"+account)
	cmd.Env = append(cmd.Environ(), "DBUS_SESSION_BUS_ADDRESS="+bus.Address)
	out, err := cmd.Output()
	if err != nil || string(out) != "second, replacing the first" {
		t.Errorf("secret-tool lookup = %q, %v", out, err)
	}

	if err := k.Delete(account, secrets.Password); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get(account, secrets.Password); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("after Delete: %v, want ErrNotFound", err)
	}
	if got, err := k.Get(account, secrets.RefreshToken); err != nil || len(got) != 1800 {
		t.Errorf("the token after deleting the password: %d bytes, %v", len(got), err)
	}
	if err := k.Delete(account, secrets.Password); err != nil {
		t.Errorf("deleting again: %v, want nil", err)
	}
}
