package gui

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/headless"
)

// The GUI's Merge calls button and headless conference_start without
// "calls" must bring the same calls together: the same calls, the same
// host, the same order. Each case sets the phone up, presses Merge calls in
// the window, sends conference_start to headless mode on the same phone
// and backend, and compares what the backend was asked twice.
func TestGUIAndHeadlessMergeTheSameCalls(t *testing.T) {
	tests := []struct {
		name  string
		setup func(f *confFixture)
	}{
		{"two calls, the last answered hosts", func(f *confFixture) {
			f.established("1003", "Alice")
			f.established("1004", "Bob")
		}},
		{"three calls, a held one resumed hosts", func(f *confFixture) {
			f.established("1003", "Alice")
			bob := f.established("1004", "Bob")
			f.established("1005", "Carol")
			if err := f.e.Resume(context.Background(), bob.ID()); err != nil {
				f.t.Fatal(err)
			}
		}},
		{"a ringing call stays out", func(f *confFixture) {
			f.established("1003", "Alice")
			f.established("1004", "Bob")
			ringing := f.e.Ring("1006", "Dan")
			f.waitUntil("Dan ringing", func() bool { return f.m.incoming.cards[ringing.ID()] != nil })
		}},
		{"the active call hung up: every call held", func(f *confFixture) {
			f.established("1003", "Alice")
			f.established("1004", "Bob")
			carol := f.established("1005", "Carol")
			if err := f.e.RemoteHangup(carol.ID()); err != nil {
				f.t.Fatal(err)
			}
			f.waitUntil("Carol gone", func() bool { return f.row(carol.ID()) == nil })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newConfFixture(t)
			tt.setup(f)
			f.waitUntil("Merge enabled", func() bool { b := f.mergeButton()(); return b != nil && !b.Disabled() })
			f.tap(f.mergeButton())
			var chooser bool
			f.ui.do(func() { chooser = f.m.merging != nil })
			if chooser { // three calls: the dialog, with the plan ticked
				f.tap(func() *widget.Button { return f.m.merging.merge })
			}
			f.waitUntil("the window's Start", func() bool { return len(f.b.opsSoFar()) == 1 })

			startFromHeadless(t, f)
			ops := f.b.opsSoFar()
			if len(ops) != 2 || !strings.HasPrefix(ops[0], "Start ") || ops[0] != ops[1] {
				t.Errorf("the window asked %q, headless mode asked %q", ops[0], ops[1:])
			}
		})
	}
}

// startFromHeadless sends conference_start, with no fields, to headless mode
// on the fixture's phone and backend, and waits for the reply.
func startFromHeadless(t *testing.T, f *confFixture) {
	t.Helper()
	tracker := f.m.tracker
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- headless.Run(ctx, f.e, inR, outW, headless.WithConferences(tracker, f.e)) }()
	defer func() {
		cancel()
		_ = inW.Close()
		<-done
		_ = outW.Close()
	}()
	replied := make(chan map[string]any, 1)
	go func() {
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil && m["event"] == "response" && m["id"] == "m1" {
				replied <- m
			}
		}
	}()
	if _, err := io.WriteString(inW, `{"cmd":"conference_start","id":"m1"}`+"\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-replied:
		// The fake backend returns no conference, so the reply itself says
		// little; what was asked of the backend is what is compared.
	case <-time.After(patience):
		t.Fatalf("no reply to conference_start; the backend was asked %q", f.b.opsSoFar())
	}
	if n := len(f.b.opsSoFar()); n < 2 {
		t.Fatalf("headless mode did not ask the backend to start (asked: %q)", f.b.opsSoFar())
	}
}
