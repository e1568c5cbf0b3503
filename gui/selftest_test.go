package gui

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// fakeSelfTest reports the lines it is given, one per step, so the test
// sees the window between verdicts.
type fakeSelfTest struct {
	steps chan CheckLine
	mu    sync.Mutex
	saved []CheckLine
	runs  int
	ended chan error // each run's ctx.Err() when it returns
}

func newFakeSelfTest() *fakeSelfTest {
	return &fakeSelfTest{steps: make(chan CheckLine), ended: make(chan error, 4)}
}

func (f *fakeSelfTest) Checks() []CheckLine {
	return []CheckLine{{ID: "server", Name: "Server reachable"}, {ID: "mic", Name: "Microphone"}}
}

func (f *fakeSelfTest) Run(ctx context.Context, report func(CheckLine)) {
	f.mu.Lock()
	f.runs++
	f.mu.Unlock()
	for range 2 {
		select {
		case l := <-f.steps:
			report(l)
		case <-ctx.Done():
			f.ended <- ctx.Err()
			return
		}
	}
	f.ended <- nil
}

func (f *fakeSelfTest) SaveDiagnostics(w io.Writer, last []CheckLine) error {
	f.mu.Lock()
	f.saved = last
	f.mu.Unlock()
	_, err := io.WriteString(w, "PK-bundle")
	return err
}

type closingBuffer struct {
	bytes.Buffer
	closed bool
}

func (b *closingBuffer) Close() error { b.closed = true; return nil }

func helpItem(m *MainWindow, label string) *fyne.MenuItem {
	for _, menu := range m.win.MainMenu().Items {
		for _, it := range menu.Items {
			if it.Label == label {
				return it
			}
		}
	}
	return nil
}

// TestSelfTestWindow: Help → Check my setup lists every check as being
// checked, shows each verdict as it comes, saves the bundle with the
// verdicts, and closing the window stops the run.
func TestSelfTestWindow(t *testing.T) {
	st := newFakeSelfTest()
	f := newFixture(t, WithSelfTest(st))
	var item *fyne.MenuItem
	f.ui.do(func() { item = helpItem(f.m, "Check my setup…") })
	if item == nil {
		t.Fatal("no Help → Check my setup… item")
	}
	f.ui.do(item.Action)
	var w *selfTestWindow
	f.ui.do(func() { w = f.m.selfTestWin })
	if w == nil {
		t.Fatal("the window did not open")
	}
	f.waitUntil("both checks pending", func() bool {
		return w.rows["server"].summary.Text == "Checking…" && w.rows["mic"].summary.Text == "Checking…" && w.again.Disabled()
	})

	st.steps <- CheckLine{ID: "server", Name: "Server reachable", Verdict: VerdictOK, Summary: "wazo.example.com answers on port 443."}
	f.waitUntil("the server verdict, the microphone still pending", func() bool {
		s, m := w.rows["server"], w.rows["mic"]
		return s.summary.Text == "wazo.example.com answers on port 443." && s.name.Importance == widget.SuccessImportance &&
			!s.busy.Visible() && m.busy.Visible() && m.summary.Text == "Checking…" && w.overall.Text == "Checking… (1 of 2 done)"
	})
	st.steps <- CheckLine{ID: "mic", Name: "Microphone", Verdict: VerdictFailed, Summary: "No microphone was found on this computer.", Advice: "Plug in a headset."}
	f.waitUntil("the microphone verdict and Check again usable", func() bool {
		m := w.rows["mic"]
		return m.name.Importance == widget.DangerImportance && m.advice.Visible() && m.advice.Text == "Plug in a headset." && !w.again.Disabled()
	})
	f.ui.do(func() {
		if w.overall.Text != "1 problem found: see what to do under each one below." || w.overall.Importance != widget.DangerImportance {
			t.Errorf("the summary says %q (%v)", w.overall.Text, w.overall.Importance)
		}
	})
	if err := <-st.ended; err != nil {
		t.Fatalf("the run ended with %v", err)
	}

	var buf closingBuffer
	f.ui.do(func() { w.saveTo(&buf, "/home/agent/parley-diagnostics.zip") })
	f.waitUntil("the saved note", func() bool {
		return w.note.Visible() && strings.Contains(w.note.Text, "/home/agent/parley-diagnostics.zip")
	})
	st.mu.Lock()
	saved := st.saved
	st.mu.Unlock()
	if buf.String() != "PK-bundle" || !buf.closed || len(saved) != 2 || saved[1].Verdict != VerdictFailed {
		t.Errorf("saved %q (closed %v) with lines %+v", buf.String(), buf.closed, saved)
	}

	// Check again, then close mid-run: the run is cancelled.
	f.tap(func() *widget.Button { return w.again })
	f.waitUntil("a second run", func() bool {
		st.mu.Lock()
		defer st.mu.Unlock()
		return st.runs == 2 && w.rows["server"].summary.Text == "Checking…"
	})
	f.ui.do(func() { w.win.Close() })
	if err := <-st.ended; err != context.Canceled {
		t.Errorf("closing the window ended the run with %v, want context.Canceled", err)
	}
	f.ui.do(func() {
		if f.m.selfTestWin != nil {
			t.Error("the main window still holds the closed self-test window")
		}
	})
}

// TestNoSelfTestNoMenuItem: without WithSelfTest there is no menu item.
func TestNoSelfTestNoMenuItem(t *testing.T) {
	f := newFixture(t)
	f.ui.do(func() {
		if helpItem(f.m, "Check my setup…") != nil {
			t.Error("Check my setup… is offered with nothing behind it")
		}
	})
}
