// Package audiotest listens to what a test device played: a recorder to use
// as a null device's sink, and checks that wait for the right tones (or
// silence) with generous timeouts instead of assuming timings.
package audiotest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/dsp"
)

// Rate is the sample rate of everything recorded here.
const Rate = dsp.SampleRate

// Recorder keeps what a device played.
type Recorder struct {
	mu  sync.Mutex
	buf []int16
}

// Sink appends out (use as a null device's sink).
func (r *Recorder) Sink(out []int16) {
	r.mu.Lock()
	r.buf = append(r.buf, out...)
	r.mu.Unlock()
}

// Len is the number of samples recorded so far.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.buf)
}

// Since returns a copy of what was recorded after sample mark.
func (r *Recorder) Since(mark int) []int16 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if mark > len(r.buf) {
		return nil
	}
	return slices.Clone(r.buf[mark:])
}

// Wait waits until n samples after mark were recorded and returns them.
func (r *Recorder) Wait(t testing.TB, mark, n int) []int16 {
	t.Helper()
	WaitFor(t, 30*time.Second, "audio to play", func() bool { return r.Len() >= mark+n })
	return r.Since(mark)[:n]
}

// WaitFor polls cond until it holds or timeout passes (then fails the test).
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ToneProblem says what is wrong with x if it does not carry the tones want
// at a sane level, or carries a tone in absent (typically the listener's own
// microphone); "" when it is right.
func ToneProblem(x []int16, want []float64, absent ...float64) string {
	// Unexpected peaks only count well above codec noise and the sidebands a
	// scheduling glitch leaves under the race detector; a wrong tone at
	// speech level is still caught, and absent tones are measured directly.
	rep := dsp.CheckTones(x, dsp.ToneCheck{Expected: want, MinDBFS: -30, UnexpectedDBFS: -26})
	if !rep.OK() {
		return fmt.Sprintf("expected tones %v: %s", want, rep)
	}
	if rep.RMSdBFS < -25 || rep.RMSdBFS > -3 {
		return fmt.Sprintf("level %.1f dBFS is not a sane speech level", rep.RMSdBFS)
	}
	for _, f := range absent {
		if l := dsp.TonedBFS(x, Rate, f); l > -45 {
			return fmt.Sprintf("%v Hz should be absent but is at %.1f dBFS (%s)", f, l, rep)
		}
	}
	return ""
}

// Hear waits until half a second of what rec plays carries want (and none
// of absent). It listens to successive windows so that a glitch on an
// overloaded machine (the race detector on 2 shared cores) cannot fail the
// test, but audio that stays wrong for 15 s does.
func Hear(t testing.TB, who string, rec *Recorder, want []float64, absent ...float64) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	mark := rec.Len()
	var last string
	for time.Now().Before(deadline) {
		x := rec.Wait(t, mark, Rate/2)
		mark += Rate / 2
		if last = ToneProblem(x, want, absent...); last == "" {
			return
		}
	}
	t.Errorf("%s: %s", who, last)
}

// Silent checks that x is (near) silence.
func Silent(t testing.TB, who string, x []int16) {
	t.Helper()
	if l := dsp.RMSdBFS(x); l > -60 {
		t.Errorf("%s: expected silence, got %.1f dBFS (%s)", who, l, dsp.CheckTones(x, dsp.ToneCheck{}))
	}
}

// Quiet waits until rec plays silence (what was in flight has drained)
// and stays silent for a second. A single silent stretch is not enough: on
// a busy machine a drop-out in the audio still in flight looks like the
// silence being waited for, and the rest of it follows.
func Quiet(t testing.TB, who string, rec *Recorder) {
	t.Helper()
	const quarter, need = Rate / 4, 4 // one second of silent quarters
	deadline := time.Now().Add(15 * time.Second)
	mark := rec.Len()
	for silent := 0; silent < need; {
		x := rec.Wait(t, mark, quarter)
		mark += quarter
		if dsp.RMSdBFS(x) < -60 {
			silent++
			continue
		}
		silent = 0
		if time.Now().After(deadline) {
			t.Errorf("%s: still not silent after 15 s: %.1f dBFS (%s)", who, dsp.RMSdBFS(x), dsp.CheckTones(x, dsp.ToneCheck{}))
			return
		}
	}
}

// Gaps returns the longest run of 10 ms windows of x in which freq is more
// than 20 dB below its median level, in windows: the way a listener notices
// a drop-out in a steady tone.
func Gaps(x []int16, freq float64) (longest int, total int) {
	const win = Rate / 100
	var levels []float64
	for i := 0; i+win <= len(x); i += win {
		levels = append(levels, dsp.TonedBFS(x[i:i+win], Rate, freq))
	}
	if len(levels) == 0 {
		return 0, 0
	}
	sorted := slices.Clone(levels)
	slices.Sort(sorted)
	floor := sorted[len(sorted)/2] - 20
	run := 0
	for _, l := range levels {
		if l < floor {
			run++
			total++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest, total
}

// HearTone waits for a 200 ms window of rec that carries exactly the tones
// want (a local cadence: ringback, busy, ringtone), at any audible level.
func HearTone(t testing.TB, who string, rec *Recorder, want []float64) {
	t.Helper()
	const win = Rate / 5
	deadline := time.Now().Add(15 * time.Second)
	mark := rec.Len()
	var last dsp.ToneReport
	for time.Now().Before(deadline) {
		x := rec.Wait(t, mark, win)
		mark += win
		if last = dsp.CheckTones(x, dsp.ToneCheck{Expected: want}); last.OK() {
			return
		}
	}
	t.Errorf("%s: expected tones %v: %s", who, want, last)
}

// AnyCleanWindow judges x in half-second windows, a quarter second apart,
// from offset start, and returns "" as soon as problem finds nothing wrong
// with one, else the last window's problem. On a loaded machine a device
// underrun inside one window smears its spectrum; one clean window proves
// the path carries the signal, as Hear does for a live recorder.
func AnyCleanWindow(x []int16, start int, problem func([]int16) string) string {
	last := "no half-second of audio to judge"
	for at := start; at+Rate/2 <= len(x); at += Rate / 4 {
		if last = problem(x[at : at+Rate/2]); last == "" {
			return ""
		}
	}
	return last
}
