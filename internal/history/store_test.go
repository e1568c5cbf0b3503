package history

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)

func openTemp(t *testing.T, cfg Config) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "sub", "history.db"), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// fill records ended calls one minute apart, oldest first.
func fill(t *testing.T, s *Store, entries ...Entry) {
	t.Helper()
	for i, e := range entries {
		if e.ID == "" {
			e.ID = fmt.Sprintf("call-%d", i)
		}
		if e.StartTime.IsZero() {
			e.StartTime = t0.Add(time.Duration(i) * time.Minute)
		}
		if e.State == "" {
			e.State = StateEnded
		}
		if err := s.Record(e); err != nil {
			t.Fatalf("Record %s: %v", e.ID, err)
		}
	}
}

func ids(es []Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func TestRecordRejectsIncompleteEntries(t *testing.T) {
	s := openTemp(t, Config{})
	for name, e := range map[string]Entry{
		"no id":         {StartTime: t0},
		"no start time": {ID: "x"},
	} {
		if err := s.Record(e); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func TestRecordDefaults(t *testing.T) {
	s := openTemp(t, Config{Now: func() time.Time { return t0 }})
	if err := s.Record(Entry{ID: "a", StartTime: t0}); err != nil {
		t.Fatal(err)
	}
	e, err := s.Get("a")
	if err != nil {
		t.Fatal(err)
	}
	if e.Source != SourceLocal || e.State != StateInProgress || !e.Updated.Equal(t0) {
		t.Errorf("got source %q state %q updated %v", e.Source, e.State, e.Updated)
	}
}

func TestListNewestFirstPaged(t *testing.T) {
	s := openTemp(t, Config{})
	// Recorded out of order: listing follows start times, not insertion.
	fill(t, s,
		Entry{ID: "b", StartTime: t0.Add(2 * time.Minute)},
		Entry{ID: "a", StartTime: t0},
		Entry{ID: "d", StartTime: t0.Add(4 * time.Minute)},
		Entry{ID: "c", StartTime: t0.Add(3 * time.Minute)},
	)
	tests := []struct {
		offset, limit int
		want          string
	}{
		{0, 0, "[d c b a]"},
		{0, 2, "[d c]"},
		{2, 2, "[b a]"},
		{3, 5, "[a]"},
		{4, 5, "[]"},
	}
	for _, tt := range tests {
		got, err := s.List(tt.offset, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if g := fmt.Sprint(ids(got)); g != tt.want {
			t.Errorf("List(%d, %d) = %s, want %s", tt.offset, tt.limit, g, tt.want)
		}
	}
}

func TestSearch(t *testing.T) {
	s := openTemp(t, Config{})
	fill(t, s,
		Entry{ID: "helene", Number: "+33 1 23 45 67 89", DisplayName: "Hélène Dupont"},
		Entry{ID: "ext", Number: "1002", DisplayName: "Support"},
		Entry{ID: "uri", Number: "alice", DisplayName: ""},
		Entry{ID: "mobile", Number: "06.12.39.56.78", DisplayName: "Marc"},
	)
	tests := []struct {
		query string
		want  string
	}{
		{"helene", "[helene]"},            // accents ignored
		{"DUPONT", "[helene]"},            // case ignored
		{"23 45", "[helene]"},             // digits, formatting ignored
		{"2345", "[helene]"},              // digits typed plain
		{"0612", "[mobile]"},              // written with dots in the entry
		{"100", "[ext]"},                  // extension
		{"ali", "[uri]"},                  // a SIP user name
		{"1", "[mobile ext helene]"},      // newest first
		{"nobody", "[]"},                  // nothing
		{"", "[mobile uri ext helene]"},   // empty lists all
		{"  ", "[mobile uri ext helene]"}, // blank lists all
	}
	for _, tt := range tests {
		got, err := s.Search(tt.query, 0)
		if err != nil {
			t.Fatal(err)
		}
		if g := fmt.Sprint(ids(got)); g != tt.want {
			t.Errorf("Search(%q) = %s, want %s", tt.query, g, tt.want)
		}
	}
	if got, _ := s.Search("1", 2); len(got) != 2 {
		t.Errorf("Search with limit 2 returned %d entries", len(got))
	}
}

func TestMissedBadge(t *testing.T) {
	s := openTemp(t, Config{})
	fill(t, s,
		Entry{ID: "m0", Outcome: OutcomeMissed},
		Entry{ID: "a1", Outcome: OutcomeAnswered},
		Entry{ID: "m2", Outcome: OutcomeMissed},
		Entry{ID: "r3", Outcome: OutcomeRejected},
		Entry{ID: "m4", Outcome: OutcomeMissed},
		Entry{ID: "e5", Outcome: OutcomeElsewhere},
	)
	count := func(since time.Time) int {
		t.Helper()
		n, err := s.MissedSince(since)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(time.Time{}); n != 3 {
		t.Errorf("MissedSince(zero) = %d, want 3", n)
	}
	if n := count(t0.Add(2 * time.Minute)); n != 2 {
		t.Errorf("MissedSince(m2's start) = %d, want 2 (m2 and m4)", n)
	}
	changed, err := s.MarkSeen(t0.Add(2 * time.Minute))
	if err != nil || changed != 2 {
		t.Fatalf("MarkSeen = %d, %v; want 2 (m0 and m2)", changed, err)
	}
	if n := count(time.Time{}); n != 1 {
		t.Errorf("after MarkSeen, MissedSince = %d, want 1 (m4)", n)
	}
	if changed, _ := s.MarkSeen(t0.Add(time.Hour)); changed != 1 {
		t.Errorf("second MarkSeen changed %d, want 1", changed)
	}
	if n := count(time.Time{}); n != 0 {
		t.Errorf("after marking all, MissedSince = %d", n)
	}
}

func TestUpdateEndDeleteClear(t *testing.T) {
	now := t0
	s := openTemp(t, Config{Now: func() time.Time { return now }})
	fill(t, s, Entry{ID: "old"}, Entry{ID: "done"})
	if err := s.Record(Entry{ID: "live", StartTime: t0.Add(time.Hour), Number: "1002"}); err != nil {
		t.Fatal(err)
	}
	now = t0.Add(time.Hour + time.Second)
	if err := s.Update("live", func(e *Entry) {
		e.AnswerTime = now
		e.StartTime = time.Time{} // ignored: the start is the key
		e.LastStatus = "established"
	}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(90 * time.Second)
	if err := s.End("live", OutcomeAnswered, "you hung up", time.Time{}); err != nil {
		t.Fatal(err)
	}
	e, err := s.Get("live")
	if err != nil {
		t.Fatal(err)
	}
	if e.State != StateEnded || e.Outcome != OutcomeAnswered || e.Duration() != 90*time.Second || !e.StartTime.Equal(t0.Add(time.Hour)) {
		t.Errorf("ended entry = %+v, duration %v", e, e.Duration())
	}

	for _, err := range []error{
		s.Update("nope", func(*Entry) {}),
		s.End("nope", OutcomeAnswered, "", time.Time{}),
		s.Delete("nope"),
		func() error { _, err := s.Get("nope"); return err }(),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("on an unknown id: err = %v, want ErrNotFound", err)
		}
	}

	if err := s.Delete("old"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.List(0, 0); fmt.Sprint(ids(got)) != "[live done]" {
		t.Errorf("after Delete: %v", ids(got))
	}
	// A call in progress survives Clear, so it is still recorded when it ends.
	if err := s.Record(Entry{ID: "ongoing", StartTime: t0.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Clear(); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.List(0, 0); fmt.Sprint(ids(got)) != "[ongoing]" {
		t.Errorf("after Clear: %v", ids(got))
	}
	if err := s.End("ongoing", OutcomeAnswered, "", time.Time{}); err != nil {
		t.Errorf("ending the call kept by Clear: %v", err)
	}
}

func TestReRecordMovesEntry(t *testing.T) {
	s := openTemp(t, Config{})
	fill(t, s, Entry{ID: "a"}, Entry{ID: "b"})
	// The same id recorded again with a later start replaces, not duplicates.
	if err := s.Record(Entry{ID: "a", StartTime: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.List(0, 0); fmt.Sprint(ids(got)) != "[a b]" {
		t.Errorf("got %v", ids(got))
	}
}

func TestPruneKeepsNewest(t *testing.T) {
	s := openTemp(t, Config{MaxEntries: 3})
	fill(t, s, Entry{ID: "1"}, Entry{ID: "2"}, Entry{ID: "3"}, Entry{ID: "4"}, Entry{ID: "5"})
	if got, _ := s.List(0, 0); fmt.Sprint(ids(got)) != "[5 4 3]" {
		t.Errorf("got %v", ids(got))
	}
	if _, err := s.Get("1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("pruned entry still indexed: %v", err)
	}
}

func TestSecondOpenIsInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := Open(path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Open(path, Config{OpenTimeout: 50 * time.Millisecond}); !errors.Is(err, ErrInUse) {
		t.Errorf("second Open: err = %v, want ErrInUse", err)
	}
}

func TestClosedStore(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "h.db"), Config{})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	if err := s.Record(Entry{ID: "a", StartTime: t0}); !errors.Is(err, ErrClosed) {
		t.Errorf("Record after Close: %v, want ErrClosed", err)
	}
	if _, err := s.List(0, 0); !errors.Is(err, ErrClosed) {
		t.Errorf("List after Close: %v, want ErrClosed", err)
	}
}

func TestOpenRecoversInProgressCalls(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	s, err := Open(path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	last := t0.Add(time.Minute)
	fill(t, s, Entry{ID: "done", Outcome: OutcomeAnswered})
	if err := s.Record(Entry{ID: "live", StartTime: t0, AnswerTime: t0.Add(5 * time.Second),
		LastStatus: "held", Updated: last}); err != nil {
		t.Fatal(err)
	}
	_ = s.Close() // a clean close does not end calls: only a process can
	s, err = Open(path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Recovered() != 1 {
		t.Errorf("Recovered = %d, want 1", s.Recovered())
	}
	e, _ := s.Get("live")
	if e.State != StateEnded || e.Outcome != OutcomeInterrupted || e.LastStatus != "held" || !e.EndTime.Equal(last) || e.Duration() != 55*time.Second {
		t.Errorf("recovered entry = %+v", e)
	}
	if e, _ := s.Get("done"); e.Outcome != OutcomeAnswered {
		t.Errorf("ended entry changed by recovery: %+v", e)
	}
}
