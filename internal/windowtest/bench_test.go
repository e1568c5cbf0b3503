package windowtest

import (
	"slices"
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
//   - baresip-ready: testrig.StartBaresip (config written, then exec) until
//     its ctrl_tcp socket accepts a connection (polled every 20 ms), the
//     moment a test can drive it. baresip has no window.
//
// Run it alone (docs/benchmarks.md):
//
//	go test -run '^$' -bench BenchmarkLaunch -benchtime 10x -count 1 ./internal/windowtest
func BenchmarkLaunch(b *testing.B) {
	testrig.Require(b, "Xvfb", "xdotool", "baresip")
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
			a.stop(b)
		}
		report(b, samples, "ms-to-window")
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
