package testrig

import (
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Not parallel: StartPulse and StartXvfb use t.Setenv.

func TestPulse(t *testing.T) {
	start := time.Now()
	pa := StartPulse(t)
	t.Logf("pulseaudio ready in %v", time.Since(start).Round(time.Millisecond))
	if os.Getenv("PULSE_SERVER") != pa.Server {
		t.Fatalf("PULSE_SERVER = %q, want %q", os.Getenv("PULSE_SERVER"), pa.Server)
	}
	out, err := exec.Command("pactl", "info").CombinedOutput()
	if err != nil {
		t.Fatalf("pactl info: %v\n%s", err, out)
	}
	for _, want := range []string{"Default Sink: " + pa.Sink, "Default Source: " + pa.Monitor} {
		if !strings.Contains(string(out), want) {
			t.Errorf("pactl info lacks %q:\n%s", want, out)
		}
	}
	// Record a moment from the monitor: the keep-alive stream makes sure
	// frames flow at once.
	rec := filepath.Join(t.TempDir(), "mon.raw")
	cmd := exec.Command("timeout", "1", "parec", "--raw", "--rate=48000", "--channels=1", "--format=s16le", "--latency-msec=10", "-d", pa.Monitor, rec)
	_ = cmd.Run() // timeout ends parec with a non-zero status
	if fi, err := os.Stat(rec); err != nil || fi.Size() < 48000 {
		t.Fatalf("monitor recording: %v (size %v); want ≥ 0.5 s of audio", err, fi)
	}
}

func TestXvfb(t *testing.T) {
	x := StartXvfb(t)
	if os.Getenv("DISPLAY") != x.Display {
		t.Fatalf("DISPLAY = %q, want %q", os.Getenv("DISPLAY"), x.Display)
	}
	Require(t, "xdotool", "import")
	out, err := exec.Command("xdotool", "getdisplaygeometry").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "1280 800" {
		t.Fatalf("xdotool getdisplaygeometry: %v %q", err, out)
	}
	shot := filepath.Join(t.TempDir(), "screen.png")
	if err := x.Screenshot(shot); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil || cfg.Width != 1280 || cfg.Height != 800 {
		t.Fatalf("screenshot: %v %dx%d", err, cfg.Width, cfg.Height)
	}
}
