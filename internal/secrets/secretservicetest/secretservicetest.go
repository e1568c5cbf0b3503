//go:build linux

// Package secretservicetest starts a private D-Bus session bus, with or
// without a real Secret Service (gnome-keyring-daemon) on it, for tests of
// the keyring code on Linux. Nothing touches the user's own session or
// keyrings: the bus, the daemon's home and its keyrings live in the test's
// temporary folder, and both processes are killed when the test ends.
package secretservicetest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/parley-voip/parley/internal/testrig"
)

// Bus is a running private session bus.
type Bus struct {
	// Address is its D-Bus address, for DBUS_SESSION_BUS_ADDRESS.
	Address string
	dir     string
	env     []string
}

// config is a session bus with no service folders: nothing can be
// activated, so the only Secret Service is the one WithKeyring starts.
const config = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// StartBus starts a bare session bus: D-Bus, but no keyring on it.
func StartBus(t testing.TB) *Bus {
	t.Helper()
	testrig.Require(t, "dbus-daemon")
	dir := t.TempDir()
	sock := filepath.Join(dir, "bus")
	cfg := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(config, sock)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"home", "data", "runtime"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	b := &Bus{dir: dir, env: []string{
		"HOME=" + filepath.Join(dir, "home"),
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		"XDG_RUNTIME_DIR=" + filepath.Join(dir, "runtime"),
		"PATH=" + os.Getenv("PATH"),
	}}
	cmd := exec.Command("dbus-daemon", "--config-file="+cfg, "--nofork", "--print-address=1")
	cmd.Env = b.env
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting dbus-daemon: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	// The daemon prints its address once it listens.
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon did not print its address: %v", err)
	}
	b.Address = strings.TrimSpace(line)
	b.env = append(b.env, "DBUS_SESSION_BUS_ADDRESS="+b.Address)
	return b
}

// Connect opens a private connection to the bus.
func (b *Bus) Connect(ctx context.Context) (*dbus.Conn, error) {
	return dbus.Connect(b.Address, dbus.WithContext(ctx))
}

// StartKeyring starts gnome-keyring-daemon's Secret Service on the bus with a
// new login keyring, created and unlocked with a throw-away password, and
// waits until it owns org.freedesktop.secrets.
func (b *Bus) StartKeyring(t testing.TB) {
	t.Helper()
	testrig.Require(t, "gnome-keyring-daemon")
	cmd := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	cmd.Env = b.env
	cmd.Stdin = strings.NewReader("throw-away-login-password")
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting gnome-keyring-daemon: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("gnome-keyring-daemon said:\n%s", logs.String())
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := b.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Wait for the name: NameOwnerChanged would race with a daemon that is
	// already up, so ask, and on "not yet" wait for the signal.
	if err := conn.AddMatchSignalContext(ctx, dbus.WithMatchInterface("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg(0, "org.freedesktop.secrets")); err != nil {
		t.Fatal(err)
	}
	signals := make(chan *dbus.Signal, 16)
	conn.Signal(signals)
	for {
		var owned bool
		if err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, "org.freedesktop.secrets").Store(&owned); err != nil {
			t.Fatal(err)
		}
		if owned {
			return
		}
		select {
		case <-signals:
		case <-ctx.Done():
			t.Fatalf("gnome-keyring-daemon did not take org.freedesktop.secrets within a minute")
		}
	}
}
