package windowtest

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/testrig"
)

// BenchmarkLaunch times how long each program takes from exec to being
// usable, one launch per iteration, each stopped before the next:
//
//   - parley-window: exec of `parley -demo -audio null` until its window is
//     mapped (xdotool search --onlyvisible, polled every 20 ms). The window
//     opens after demo mode has started its Wazo stand-in and signed in to
//     it, so that is included; registering the line is not.
//   - parley-registered: the same with -v, until the log says the line is
//     registered (polled every 10 ms): WebSocket (TLS) to the stand-in,
//     REGISTER, 200.
//   - baresip-ready: testrig.StartBaresip (config written, then exec) until
//     its ctrl_tcp socket accepts a connection (polled every 20 ms), the
//     moment a test can drive it. baresip has no window.
//   - baresip-registered: the same with an account on a kamailio started
//     once beforehand, until baresip reports the registration (SIP over
//     UDP on loopback).
//
// Run it alone (docs/benchmarks.md):
//
//	go test -run '^$' -bench BenchmarkLaunch -benchtime 10x -count 1 ./internal/windowtest
func BenchmarkLaunch(b *testing.B) {
	testrig.Require(b, "Xvfb", "xdotool", "baresip", "kamailio")
	bin := buildParley(b, b.TempDir())
	testrig.StartXvfb(b)

	b.Run("parley-window", func(b *testing.B) {
		var samples []time.Duration
		for b.Loop() {
			a := startApp(b, bin, "-demo", "-audio", "null")
			if _, err := pollWindow(a, windowName, launchTimeout); err != nil {
				b.Fatalf("%v\n%s", err, a.log())
			}
			samples = append(samples, time.Since(a.started))
			// Killed, not asked: what a SIGTERM does to the GUI is not what
			// is measured, and a hang would cost seconds per iteration.
			a.stop(0)
			// The X server destroys the window once it sees the client
			// gone; the next iteration must not find this one.
			if err := waitNoWindow(windowName, 5*time.Second); err != nil {
				b.Fatal(err)
			}
		}
		report(b, samples, "ms-to-window")
	})

	b.Run("parley-registered", func(b *testing.B) {
		var samples []time.Duration
		for b.Loop() {
			a := startApp(b, bin, "-demo", "-audio", "null", "-v")
			if err := waitLog(a, registeredLine, launchTimeout); err != nil {
				b.Fatalf("%v\n%s", err, a.log())
			}
			samples = append(samples, time.Since(a.started))
			a.stop(0)
			if err := waitNoWindow(windowName, 5*time.Second); err != nil {
				b.Fatal(err)
			}
		}
		report(b, samples, "ms-to-registered")
	})

	b.Run("baresip-ready", func(b *testing.B) {
		var samples []time.Duration
		for b.Loop() {
			start := time.Now()
			bs := testrig.StartBaresip(b, testrig.BaresipOptions{User: "bench", NullSource: true})
			samples = append(samples, time.Since(start))
			bs.Stop()
		}
		report(b, samples, "ms-to-ready")
	})

	b.Run("baresip-registered", func(b *testing.B) {
		kam := testrig.StartKamailio(b)
		var samples []time.Duration
		for b.Loop() {
			start := time.Now()
			bs := testrig.StartBaresip(b, testrig.BaresipOptions{User: "bench", NullSource: true, Registrar: kam.UDPAddr})
			samples = append(samples, time.Since(start))
			bs.Stop()
		}
		report(b, samples, "ms-to-registered")
	})
}

// registeredLine is what parley -v logs when its line is registered
// (internal/sipua).
const registeredLine = "status=registered"

// waitLog waits until the app's log contains s.
func waitLog(a *app, s string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		if b, _ := os.ReadFile(a.logPath); strings.Contains(string(b), s) {
			return nil
		}
		if a.exited() {
			return fmt.Errorf("parley exited (%s) before logging %q", exitText(a.err), s)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("parley did not log %q within %v", s, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitNoWindow waits until no visible window's title contains name.
func waitNoWindow(name string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--name", name).Output()
		if strings.TrimSpace(string(out)) == "" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("window %q still shown %v after its app was killed", name, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// report logs every sample with the minimum, median and maximum (the shared
// machine is noisy: quote the median), and reports the median as a metric.
func report(b *testing.B, samples []time.Duration, unit string) {
	if len(samples) == 0 {
		return
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(s[len(s)/2]), "median-"+unit)
	// An iteration also stops the process, which can take seconds (SIGTERM,
	// then SIGKILL): ns/op would mix that in, so it is not reported.
	b.ReportMetric(0, "ns/op")
	b.Logf("%d launches: min %.0f ms, median %.0f ms, max %.0f ms; all: %v", len(s), ms(s[0]), ms(s[len(s)/2]), ms(s[len(s)-1]), samples)
}
