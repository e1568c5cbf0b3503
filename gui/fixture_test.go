package gui

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// patience bounds every wait; generous because the machine is shared.
const patience = 10 * time.Second

// fyneThread stands in for the Fyne thread. The test driver runs fyne.Do
// calls on the calling goroutine, which would let the event pump and the test
// touch widgets at the same time; serialising them keeps the real goroutines
// (pump, actions) while giving the race detector nothing to find.
type fyneThread struct{ mu sync.Mutex }

func (f *fyneThread) do(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

type fixture struct {
	t  *testing.T
	e  *phonetest.Engine // nil on a real engine (newRealFixture)
	m  *MainWindow
	ui *fyneThread
}

// newFixture opens a window on a fresh phonetest engine; opts are the
// window's options (WithConferences).
func newFixture(t *testing.T, opts ...Option) *fixture {
	t.Helper()
	return newFixtureOn(t, phonetest.New(), opts...)
}

// newFixtureOn opens the window on e, which the fixture closes.
func newFixtureOn(t *testing.T, e *phonetest.Engine, opts ...Option) *fixture {
	t.Helper()
	a := test.NewTempApp(t)
	f := &fixture{t: t, e: e, ui: &fyneThread{}}
	f.ui.do(func() {
		f.m = newMainWindow(a, f.e, f.ui.do, opts...)
		f.m.Window().Resize(fyne.NewSize(480, 640))
	})
	t.Cleanup(func() {
		f.ui.do(func() {
			if !f.m.closed { // the test driver panics on a second Close
				f.m.Window().Close()
			}
		})
		f.m.wait()
		f.e.Close()
	})
	return f
}

// newRealFixture opens the window on a real phone; the caller closes it
// after the window (register its cleanup first).
func newRealFixture(t *testing.T, api phone.API, opts ...Option) *fixture {
	t.Helper()
	a := test.NewTempApp(t)
	f := &fixture{t: t, ui: &fyneThread{}}
	f.ui.do(func() {
		f.m = newMainWindow(a, api, f.ui.do, opts...)
		f.m.Window().Resize(fyne.NewSize(480, 640))
	})
	t.Cleanup(func() {
		f.ui.do(func() {
			if !f.m.closed {
				f.m.Window().Close()
			}
		})
		f.m.wait()
	})
	return f
}

// waitUntil polls cond on the Fyne thread until it holds.
func (f *fixture) waitUntil(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.Now().Add(patience)
	for {
		var ok bool
		f.ui.do(func() { ok = cond() })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			var texts []string
			f.ui.do(func() { texts = f.visibleTexts() })
			f.t.Fatalf("waited in vain for %s; the window shows %q", what, texts)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (f *fixture) waitForOp(op string) {
	f.t.Helper()
	deadline := time.Now().Add(patience)
	for !slices.Contains(f.e.Ops(), op) {
		if time.Now().After(deadline) {
			f.t.Fatalf("the window never called %q; calls made: %q", op, f.e.Ops())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// tap taps a button on the Fyne thread; pick runs there too.
func (f *fixture) tap(pick func() *widget.Button) {
	f.t.Helper()
	f.ui.do(func() {
		b := pick()
		if b == nil || !usable(b) {
			f.t.Fatalf("button %v is not there to tap", b)
		}
		test.Tap(b)
	})
}

// tapOverlay taps the button labelled text in the dialogs shown.
func (f *fixture) tapOverlay(text string) {
	f.t.Helper()
	f.ui.do(func() {
		for _, o := range f.m.Window().Canvas().Overlays().List() {
			for _, obj := range test.LaidOutObjects(o) {
				if b, ok := obj.(*widget.Button); ok && b.Text == text && usable(b) {
					test.Tap(b)
					return
				}
			}
		}
		f.t.Fatalf("no button %q in the dialogs; they show %q", text, f.overlayTexts())
	})
}

// usable says whether a user could press b now: the call bar shows its
// buttons disabled, not hidden, until the call is connected.
func usable(b *widget.Button) bool { return b.Visible() && !b.Disabled() }

// row returns the call list row of call id, or nil. Fyne thread only.
func (f *fixture) row(id string) *callRow { return f.m.calls.rows[id] }

// cardTexts is every text on the ringing-call cards. Fyne thread only.
func (f *fixture) cardTexts() []string {
	if !f.m.incoming.box.Visible() {
		return nil
	}
	return textsIn(f.m.incoming.box)
}

// overlayTexts is every text shown in dialogs. Fyne thread only.
func (f *fixture) overlayTexts() []string {
	var texts []string
	for _, o := range f.m.Window().Canvas().Overlays().List() {
		texts = append(texts, textsIn(o)...)
	}
	return texts
}

// visibleTexts is every text in the window and its dialogs. Fyne thread only.
func (f *fixture) visibleTexts() []string {
	return append(textsIn(f.m.Window().Content()), f.cardTexts()...)
}

func textsIn(o fyne.CanvasObject) []string {
	var texts []string
	for _, obj := range test.LaidOutObjects(o) {
		if !obj.Visible() {
			continue
		}
		switch v := obj.(type) {
		case *canvas.Text:
			if strings.TrimSpace(v.Text) != "" {
				texts = append(texts, v.Text)
			}
		case *widget.Button:
			texts = append(texts, v.Text)
		}
	}
	return texts
}

func containsText(texts []string, fragment string) bool {
	return slices.ContainsFunc(texts, func(s string) bool { return strings.Contains(s, fragment) })
}
