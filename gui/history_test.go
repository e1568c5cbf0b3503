package gui

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/internal/history"
)

// openHistoryWith makes a store holding entries (newest last in the list).
func openHistoryWith(t *testing.T, entries ...history.Entry) *history.Store {
	t.Helper()
	store, err := history.Open(filepath.Join(t.TempDir(), "history.db"), history.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	for _, e := range entries {
		if err := store.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	return store
}

func pastCall(id, number, name string, dir history.Direction, outcome history.Outcome, ago time.Duration) history.Entry {
	start := time.Now().Add(-ago)
	e := history.Entry{ID: id, Source: history.SourceLocal, Direction: dir, Number: number, DisplayName: name,
		StartTime: start, EndTime: start.Add(time.Minute), Updated: start.Add(time.Minute),
		State: history.StateEnded, Outcome: outcome}
	if outcome == history.OutcomeAnswered {
		e.AnswerTime = start.Add(5 * time.Second)
	}
	return e
}

func TestHistorySeedsRecentCallsAndMissedCount(t *testing.T) {
	store := openHistoryWith(t,
		pastCall("a", "1002", "Bob", history.DirectionOut, history.OutcomeAnswered, 3*time.Hour),
		pastCall("b", "0612345678", "", history.DirectionIn, history.OutcomeMissed, 2*time.Hour),
		pastCall("c", "1003", "Carol", history.DirectionIn, history.OutcomeMissed, time.Hour),
	)
	f := newFixture(t, WithHistory(store))
	f.waitUntil("the past calls", func() bool {
		texts := f.visibleTexts()
		return containsText(texts, "Missed · Carol (1003)") && containsText(texts, "Missed · 0612345678") && containsText(texts, "Outgoing · Bob (1002)")
	})
	f.ui.do(func() {
		if title := f.m.Window().Title(); !strings.Contains(title, "2 missed") {
			t.Errorf("title %q does not count the 2 unseen missed calls", title)
		}
		// Newest first.
		var order []string
		for _, c := range f.m.recent.calls {
			order = append(order, c.number)
		}
		if !slices.Equal(order, []string{"1003", "0612345678", "1002"}) {
			t.Errorf("recent calls in order %v", order)
		}
	})

	// Opening the history marks the missed calls seen, for the next start too.
	f.ui.do(f.m.showHistory)
	f.waitUntil("the history window", func() bool { return f.m.historyWin != nil && len(f.m.historyWin.entries) == 3 })
	deadline := time.Now().Add(patience)
	for {
		n, err := store.MissedSince(time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d missed calls still unseen after opening the history", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	f.ui.do(func() {
		if title := f.m.Window().Title(); strings.Contains(title, "missed") {
			t.Errorf("title %q still counts missed calls", title)
		}
	})
}

func TestHistoryWindowSearchCallBackAndClear(t *testing.T) {
	store := openHistoryWith(t,
		pastCall("a", "1002", "Bob", history.DirectionOut, history.OutcomeAnswered, 3*time.Hour),
		pastCall("b", "+33 6 12 34 56 78", "Dana", history.DirectionIn, history.OutcomeBusy, 2*time.Hour),
	)
	f := newFixture(t, WithHistory(store))
	f.ui.do(f.m.showHistory)
	f.waitUntil("both calls", func() bool { return f.m.historyWin != nil && len(f.m.historyWin.entries) == 2 })
	h := f.m.historyWin
	f.ui.do(func() { test.Type(h.search, "612-34") }) // formatting does not matter
	f.waitUntil("the search", func() bool { return len(h.entries) == 1 && h.entries[0].Entry.ID == "b" })
	f.ui.do(func() {
		texts := textsIn(h.win.Content())
		if !containsText(texts, "Dana (+33 6 12 34 56 78) · busy") {
			t.Errorf("history shows %q", texts)
		}
	})
	f.ui.do(func() { h.search.SetText("nobody") })
	f.waitUntil("no match", func() bool { return len(h.entries) == 0 && h.status.Text == "No call matches nobody." })

	// Call back from the history dials the number.
	f.ui.do(func() { h.search.SetText("Bob") })
	f.waitUntil("Bob", func() bool { return len(h.entries) == 1 })
	f.ui.do(func() {
		for _, o := range test.LaidOutObjects(h.win.Content()) {
			if b, ok := o.(*widget.Button); ok && b.Text == "Call back" && usable(b) {
				test.Tap(b)
				return
			}
		}
		t.Fatal("no Call back button in the history")
	})
	f.waitForOp("Call 1002")

	// Clear, confirmed: the history is empty, in the store too.
	f.ui.do(h.confirmClear)
	f.ui.do(func() {
		for _, o := range h.win.Canvas().Overlays().List() {
			for _, obj := range test.LaidOutObjects(o) {
				if b, ok := obj.(*widget.Button); ok && b.Text == "Yes" {
					test.Tap(b)
					return
				}
			}
		}
		t.Fatal("no confirmation to clear")
	})
	f.waitUntil("the cleared history", func() bool { return len(h.entries) == 0 && len(f.m.recent.calls) == 0 })
	if left, err := store.List(0, 10); err != nil || len(left) != 0 {
		t.Fatalf("store after clear: %d entries, %v", len(left), err)
	}
}

func TestEntryText(t *testing.T) {
	now := time.Date(2026, 12, 4, 15, 0, 0, 0, time.Local)
	e := history.Entry{Direction: history.DirectionIn, Number: "1003", DisplayName: "Carol",
		StartTime: time.Date(2026, 12, 3, 9, 30, 0, 0, time.Local), State: history.StateEnded, Outcome: history.OutcomeInterrupted}
	if got, want := entryLine(e, now), "In · 3 Dec 09:30 · Carol (1003) · ended unexpectedly"; got != want {
		t.Errorf("entryLine = %q, want %q", got, want)
	}
	e.Direction, e.Outcome, e.TransferredTo = history.DirectionOut, history.OutcomeTransferred, "1005"
	e.StartTime = time.Date(2026, 12, 4, 14, 5, 0, 0, time.Local)
	if got, want := entryLine(e, now), "Out · 14:05 · Carol (1003) · transferred to 1005"; got != want {
		t.Errorf("entryLine = %q, want %q", got, want)
	}
}
