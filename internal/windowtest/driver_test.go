package windowtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/testrig"
)

// stepTimeout bounds each wait for the window to show or drop something. It
// is generous: the window updates asynchronously, calls go through the demo
// stack's SIP and WebRTC, and the shared 2-core machine is often busy. A
// wait returns as soon as the condition holds.
const stepTimeout = 30 * time.Second

// artifactsEnv names the directory under which the screenshots are kept
// (in window/); scripts/test.sh sets it to artifacts/ at the repository
// root, which is also the default.
const artifactsEnv = "PARLEY_ARTIFACTS"

// artifactDir is where this run's screenshots of one flow go:
// $PARLEY_ARTIFACTS/<name>, else artifacts/<name> at the repository root.
// Old screenshots are removed so the directory shows one run.
func artifactDir(t testing.TB, name string) string {
	t.Helper()
	base := os.Getenv(artifactsEnv)
	if base == "" {
		base = filepath.Join(repoRoot(t), "artifacts")
	}
	dir := filepath.Join(base, name)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// driver looks at the window and works it: screenshots, OCR, xdotool.
type driver struct {
	t         *testing.T
	x         *testrig.Xvfb
	app       *app
	win       window
	scratch   string // screenshots being polled
	artifacts string // the screenshots kept, one per step
	step      int
	polls     int
}

// look takes a screenshot and reads it.
func (d *driver) look() *reading {
	d.t.Helper()
	d.polls++
	if w, err := geometry(d.win.id); err == nil {
		d.win = w // the window may have been moved or resized
	}
	shot := filepath.Join(d.scratch, fmt.Sprintf("poll-%04d.png", d.polls))
	if err := d.x.Screenshot(shot); err != nil {
		d.t.Fatal(err)
	}
	r, err := ocr(shot, d.win)
	if err != nil {
		d.t.Fatal(err)
	}
	return r
}

// keep saves the reading's screenshot as the artefact of the step.
func (d *driver) keep(step string, r *reading) string {
	d.t.Helper()
	d.step++
	dst := filepath.Join(d.artifacts, fmt.Sprintf("%02d-%s.png", d.step, step))
	b, err := os.ReadFile(r.shot)
	if err == nil {
		err = os.WriteFile(dst, b, 0o644)
	}
	if err != nil {
		d.t.Fatalf("keep screenshot: %v", err)
	}
	d.t.Logf("step %s: screenshot %s", step, dst)
	return dst
}

// until polls the window until cond accepts what is shown, keeps the last
// screenshot as the step's artefact, and fails naming what cond reported
// missing. cond returns "" when satisfied.
func (d *driver) until(step string, cond func(r *reading) string) *reading {
	d.t.Helper()
	start := time.Now()
	deadline := start.Add(stepTimeout)
	for {
		r := d.look()
		missing := cond(r)
		if missing == "" {
			d.keep(step, r)
			d.t.Logf("step %s: seen after %v", step, time.Since(start).Round(10*time.Millisecond))
			return r
		}
		if d.app.exited() {
			path := d.keep(step+"-FAILED", r)
			d.t.Fatalf("step %s: parley exited (%s) while waiting: %s; screenshot %s", step, exitText(d.app.err), missing, path)
		}
		if time.Now().After(deadline) {
			path := d.keep(step+"-FAILED", r)
			d.t.Fatalf("step %s: after %v, %s.\nscreenshot: %s\nOCR read: %s", step, stepTimeout, missing, path, r.text())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// expect waits until the window shows every phrase of shown (at least n
// times for a phrase written "Hold*2") and none of notShown.
func (d *driver) expect(step string, shown, notShown []string) *reading {
	d.t.Helper()
	return d.until(step, d.expectation(shown, notShown))
}

// expectation is expect's condition, for until.
func (d *driver) expectation(shown, notShown []string) func(r *reading) string {
	return func(r *reading) string {
		var missing, extra []string
		for _, p := range shown {
			text, n := countOf(p)
			if got := len(r.find(text)); got < n {
				if n == 1 {
					missing = append(missing, fmt.Sprintf("%q", text))
				} else {
					missing = append(missing, fmt.Sprintf("%q %d times (seen %d)", text, n, got))
				}
			}
		}
		for _, p := range notShown {
			if len(r.find(p)) > 0 {
				extra = append(extra, fmt.Sprintf("%q", p))
			}
		}
		var why []string
		if len(missing) > 0 {
			why = append(why, "the window does not show "+strings.Join(missing, ", "))
		}
		if len(extra) > 0 {
			why = append(why, "the window still shows "+strings.Join(extra, ", "))
		}
		return strings.Join(why, "; ")
	}
}

// countOf splits "Hold*2" into "Hold" and 2.
func countOf(p string) (string, int) {
	if text, n, ok := strings.Cut(p, "*"); ok {
		if k, err := strconv.Atoi(n); err == nil {
			return text, k
		}
	}
	return p, 1
}

// click moves the pointer to the centre of phrase's first occurrence in r
// and clicks it.
func (d *driver) click(r *reading, phrase string) {
	d.t.Helper()
	boxes := r.find(phrase)
	if len(boxes) == 0 {
		d.t.Fatalf("cannot click %q: not in the window (screenshot %s); OCR read: %s", phrase, r.shot, r.text())
	}
	x, y := boxes[0].centre()
	d.t.Logf("click %q at (%d,%d), box %v", phrase, x, y, boxes[0])
	xdo(d.t, "mousemove", strconv.Itoa(x), strconv.Itoa(y), "click", "1")
}

// clickBelow clicks the occurrence of phrase nearest below the box above
// (a dialog's button under its question, not the same label elsewhere).
func (d *driver) clickBelow(r *reading, phrase string, above box) {
	d.t.Helper()
	var best box
	found := false
	for _, b := range r.find(phrase) {
		if b.y > above.y && (!found || b.y < best.y) {
			best, found = b, true
		}
	}
	if !found {
		d.t.Fatalf("cannot click %q: not in the window below %v (screenshot %s); OCR read: %s", phrase, above, r.shot, r.text())
	}
	x, y := best.centre()
	d.t.Logf("click %q at (%d,%d), box %v", phrase, x, y, best)
	xdo(d.t, "mousemove", strconv.Itoa(x), strconv.Itoa(y), "click", "1")
}

// scroll turns the mouse wheel down by clicks over phrase's first
// occurrence in r (a scrolling list under it moves).
func (d *driver) scroll(r *reading, phrase string, clicks int) {
	d.t.Helper()
	boxes := r.find(phrase)
	if len(boxes) == 0 {
		d.t.Fatalf("cannot scroll at %q: not in the window (screenshot %s); OCR read: %s", phrase, r.shot, r.text())
	}
	x, y := boxes[0].centre()
	d.t.Logf("scroll down %d clicks at %q (%d,%d)", clicks, phrase, x, y)
	xdo(d.t, "mousemove", strconv.Itoa(x), strconv.Itoa(y), "click", "--repeat", strconv.Itoa(clicks), "--delay", "30", "5")
}
