// Package pulsetest starts a private PulseAudio server with a null sink for
// tests (docs/testing.md, PulseAudio): no systemd, no D-Bus, its own
// XDG_RUNTIME_DIR, and a pacat keep-alive stream so the idle sink does not
// sleep and stall the first client for up to 2 s.
package pulsetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Sink is the null sink's name; its monitor source is Sink+".monitor".
const (
	Sink        = "rigsink"
	Description = "RigSink"
)

// Required reports whether missing peers must fail tests instead of
// skipping them (CI, or PARLEY_REQUIRE_PEERS set).
func Required() bool {
	return os.Getenv("CI") != "" || os.Getenv("PARLEY_REQUIRE_PEERS") != ""
}

// Start runs pulseaudio for the duration of the test and points the
// process environment (XDG_RUNTIME_DIR, PULSE_SERVER) at it. It skips the
// test when pulseaudio is not installed, unless Required.
func Start(t *testing.T) {
	t.Helper()
	bins := map[string]string{}
	for _, b := range []string{"pulseaudio", "pactl", "pacat"} {
		p, err := exec.LookPath(b)
		if err != nil {
			if Required() {
				t.Fatalf("%s is required under CI/PARLEY_REQUIRE_PEERS (apt-get install pulseaudio pulseaudio-utils): %v", b, err)
			}
			t.Skipf("%s not installed: %v", b, err)
		}
		bins[b] = p
	}
	dir, err := os.MkdirTemp("", "parley-pa-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.MkdirAll(filepath.Join(dir, "pulse"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "pulse", "native")
	t.Setenv("XDG_RUNTIME_DIR", dir)
	t.Setenv("PULSE_SERVER", "unix:"+sock)
	pa := exec.Command(bins["pulseaudio"], "-n", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit",
		"--use-pid-file=false", "--realtime=yes", "--high-priority=yes",
		"--log-target=file:"+filepath.Join(dir, "pa.log"),
		"-L", "module-native-protocol-unix socket="+sock+" auth-anonymous=1",
		"-L", "module-null-sink sink_name="+Sink+" rate=48000 sink_properties=device.description="+Description)
	pa.Env = os.Environ()
	if err := pa.Start(); err != nil {
		t.Fatalf("start pulseaudio: %v", err)
	}
	t.Cleanup(func() {
		_ = pa.Process.Kill()
		_ = pa.Wait()
	})
	ready := false
	for range 50 {
		if exec.Command(bins["pactl"], "info").Run() == nil {
			ready = true
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !ready {
		log, _ := os.ReadFile(filepath.Join(dir, "pa.log"))
		t.Fatalf("pulseaudio did not come up:\n%s", log)
	}
	for _, args := range [][]string{{"set-default-sink", Sink}, {"set-default-source", Sink + ".monitor"}} {
		if out, err := exec.Command(bins["pactl"], args...).CombinedOutput(); err != nil {
			t.Fatalf("pactl %v: %v %s", args, err, out)
		}
	}
	keep := exec.Command(bins["pacat"], "-p", "--raw", "--latency-msec=10", "-d", Sink, "/dev/zero")
	if err := keep.Start(); err != nil {
		t.Fatalf("start pacat keep-alive: %v", err)
	}
	t.Cleanup(func() {
		_ = keep.Process.Kill()
		_ = keep.Wait()
	})
	time.Sleep(300 * time.Millisecond)
}

// Pactl runs pactl against the test server.
func Pactl(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("pactl", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("pactl %v: %v %s", args, err, out)
	}
	return string(out)
}
